"""The mail job: claims due messages with a conditional UPDATE (claim token + lease, so several
workers never send one message twice), sends them over a few SMTP connections, and records the
outcome. A connection failure or a 4xx answer is retried with exponential backoff and jitter
until MAIL_GIVE_UP_HOURS after the message was written; a 5xx answer is final. Without MAIL_URL
due messages are marked KEPT (the dev mailbox) and nothing is sent.

It runs after the unit of work of the change that wrote the messages has committed, in the job
runner: nothing in a request's path talks SMTP."""

import asyncio
import logging
import multiprocessing
import random
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from tortoise.expressions import F, Q

from config import Settings
from models.privacy import MailMessage
from services.clock import utcnow
from services.mail import compose
from services.mail.outbox import FAILED, KEPT, PENDING, SENT

log = logging.getLogger(__name__)

CLAIM_BATCH = 100
LEASE = timedelta(minutes=10)  # far longer than a batch takes; a crashed worker's rows come back
SMTP_TIMEOUT = 30.0
MAX_RETRY_DELAY = 600.0


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None


def parse_mail_url(url: str) -> SmtpTarget:
    """`smtp://[user:password@]host[:port]` (STARTTLS when offered; port 25 by default) or
    `smtps://...` (implicit TLS; port 465)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("MAIL_URL must be smtp://[user:password@]host[:port] or smtps://...")
    implicit = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        implicit_tls=implicit,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def retry_delay(settings: Settings, attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from MAIL_RETRY_SECONDS, +-20% jitter."""
    base = min(settings.mail_retry_seconds * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)
    return base * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not a secret)


async def deliver_due(settings: Settings, *, now: datetime | None = None) -> int:
    """Sends (or, without MAIL_URL, keeps) every due message this worker claims; returns how
    many were delivered."""
    now = now or utcnow()
    due = Q(status=PENDING, next_attempt_at__lte=now)
    if settings.mail_url is None:
        return await MailMessage.filter(due).update(status=KEPT, sent_at=now)
    rows = await _claim(due, now)
    if not rows:
        return 0
    target = parse_mail_url(settings.mail_url)
    # EHLO names the host of PUBLIC_URL (aiosmtplib would ask socket.getfqdn() in a thread).
    ehlo = urlsplit(settings.base_url).hostname or "localhost"
    sender = settings.mail_from
    envelope_from = parseaddr(sender)[1]
    pending = list(rows)
    sent: list[int] = []

    async def connection() -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while pending:
                row = pending.pop(0)
                try:
                    message = await _compose(row, sender)
                except ValueError as error:  # not an address the standard library takes
                    await _fail(row, f"cannot compose: {error}")
                    continue
                try:
                    if client is None:
                        client = await _connect(target, ehlo)
                    await client.sendmail(envelope_from, [row.to], message)
                except aiosmtplib.SMTPRecipientsRefused as error:
                    codes = [r.code for r in error.recipients]
                    await _after_refusal(settings, row, min(codes or [450]), str(error))
                    continue
                except aiosmtplib.SMTPResponseException as error:
                    await _after_refusal(settings, row, error.code, error.message)
                    if error.code == 421 or client is None or not client.is_connected:
                        client = None
                    continue
                except (OSError, aiosmtplib.SMTPException, TimeoutError) as error:
                    # Unreachable, disconnected, TLS failure: the rest of the batch waits too.
                    await _retry(settings, row, f"{type(error).__name__}: {error}")
                    for other in pending:
                        await _retry(settings, other, f"{type(error).__name__}: {error}")
                    pending.clear()
                    client = None
                    return
                sent.append(row.id)
        finally:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (OSError, aiosmtplib.SMTPException, TimeoutError):
                    client.close()

    try:
        await asyncio.gather(
            *(connection() for _ in range(min(settings.mail_connections, len(rows))))
        )
    finally:
        # One write for the batch, not one per message (SQLite has one writer at a time).
        await _sent(sent, rows[0].claim_token)
    return len(sent)


_pool: ProcessPoolExecutor | None = None


async def _compose(row: MailMessage, sender: str) -> bytes:
    """The message's bytes, composed in this worker's composing process."""
    global _pool
    parts = compose.Parts(
        to=row.to,
        to_name=row.to_name,
        subject=row.subject,
        body=row.body,
        html=row.html,
        calendar=row.calendar,
        calendar_method=row.calendar_method,
        message_id=row.message_id,
    )
    if _pool is None:
        # spawn: a fork of a process with running threads (aiosqlite's) may hang.
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(
            _pool, compose.to_bytes, parts, sender
        )
    except BrokenProcessPool:  # the composing process died: a new one next time
        _pool = None
        return compose.to_bytes(parts, sender)


async def _claim(due: Q, now: datetime) -> list[MailMessage]:
    token = uuid.uuid4().hex
    free = Q(claimed_until=None) | Q(claimed_until__lt=now)
    ids = await (
        MailMessage.filter(due, free)
        .order_by("next_attempt_at", "id")
        .limit(CLAIM_BATCH)
        .values_list("id", flat=True)
    )
    if not ids:
        return []
    # The database decides: a row another worker claimed meanwhile no longer matches.
    await MailMessage.filter(due, free, id__in=list(ids)).update(
        claim_token=token, claimed_until=now + LEASE
    )
    return await MailMessage.filter(claim_token=token, status=PENDING).order_by("id")


async def _connect(target: SmtpTarget, ehlo: str) -> aiosmtplib.SMTP:
    client = aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        local_hostname=ehlo,
        use_tls=target.implicit_tls,
        start_tls=None if not target.implicit_tls else False,  # None: STARTTLS when offered
        timeout=SMTP_TIMEOUT,
    )
    await client.connect()
    if target.username is not None:
        try:
            await client.login(target.username, target.password or "")
        except aiosmtplib.SMTPAuthenticationError as error:
            client.close()
            # Wrong credentials are the operator's to fix: retried like a 4xx, never final.
            raise aiosmtplib.SMTPException(f"login refused ({error.code})") from None
    return client


async def _sent(ids: list[int], token: str | None) -> None:
    if ids:
        await MailMessage.filter(id__in=ids, claim_token=token).update(
            status=SENT, sent_at=utcnow(), claimed_until=None, attempts=F("attempts") + 1
        )


async def _fail(row: MailMessage, error: str) -> None:
    await MailMessage.filter(id=row.id, claim_token=row.claim_token).update(
        status=FAILED, last_error=error[:500], claimed_until=None, attempts=F("attempts") + 1
    )
    log.warning("mail %s to message %s failed for good: %s", row.kind, row.id, error[:200])


async def _after_refusal(settings: Settings, row: MailMessage, code: int, error: str) -> None:
    if 500 <= code < 600:
        await _fail(row, f"{code} {error}")
    else:
        await _retry(settings, row, f"{code} {error}")


async def _retry(settings: Settings, row: MailMessage, error: str) -> None:
    now = utcnow()
    attempts = row.attempts + 1
    at = now + timedelta(seconds=retry_delay(settings, attempts))
    if at > row.created_at + timedelta(hours=settings.mail_give_up_hours):
        await _fail(row, f"gave up after {attempts} attempts: {error}")
        return
    await MailMessage.filter(id=row.id, claim_token=row.claim_token).update(
        attempts=attempts, next_attempt_at=at, last_error=error[:500], claimed_until=None
    )
