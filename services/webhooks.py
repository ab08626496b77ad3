"""Webhooks: a host's booking events POSTed, signed, to URLs the host registered.

- `enqueue` runs inside the booking's transaction and writes one PENDING delivery per active
  webhook, so a change that rolled back delivers nothing.
- `deliver_due` claims due deliveries with one conditional UPDATE per batch (the WHERE clause is
  re-checked on every row: on PostgreSQL a concurrent claimer blocks on the row and then finds it
  claimed, SQLite runs one writer at a time), so several workers never send one delivery twice
  while a claim holds. It sends through `outbound.fetch` (SSRF-guarded, no redirects), then
  records the outcome and releases the claim.
- Failures are retried with exponential backoff; a refused destination fails at once.

The secret is the HMAC key and is shown once, by `register`. Neither it nor the URL (which often
carries a credential of its own) is ever written into `last_error` or a log line.
"""

import asyncio
import ipaddress
import json
import logging
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from config import Settings
from domain.errors import BadUserInput, NotFound
from models.booking import Booking
from models.fresh import fresh
from models.user import User
from models.webhook import Webhook, WebhookDelivery
from services import outbound
from services.clock import utcnow
from services.outbound import OutboundFailed, OutboundRefused, is_forbidden_address

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"

MAX_WEBHOOKS_PER_HOST = 10
MAX_URL_LENGTH = 2000
MAX_ATTEMPTS = 8
# Retry n (n = attempts so far) waits BACKOFF_BASE_SECONDS * 2**n, at most BACKOFF_MAX_SECONDS.
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 3600.0
DELIVERY_TIMEOUT = 10.0
# Longer than a whole batch can take (all of it is sent concurrently, each send bounded by
# DELIVERY_TIMEOUT), so a claim only expires when its worker died.
CLAIM_SECONDS = 60
CLAIM_BATCH = 50
# Finished deliveries hold a copy of booking data: kept this long for the host to inspect.
RETENTION = timedelta(days=30)
PRUNE_EVERY_SECONDS = 3600.0

USER_AGENT = "BookNMeet-Webhooks/1"
_HTTP_STATUS = re.compile(r"^HTTP (\d{3})$")
# scheme://host[:port][/rest]: stripped from error reasons (outbound puts the origin in them).
_URLISH = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:\[[^\]]*\]|[^\s:/\[\]]+)(?::\d+)?(?:/\S*)?")


# --- registration ------------------------------------------------------------------------------


def _allowed(settings: Settings) -> frozenset[str]:
    # The comparison outbound.fetch makes, so registration and delivery agree.
    return frozenset(outbound._canonical_host(h) for h in settings.calendar_allowed_hosts)


def clean_url(url: str, settings: Settings) -> str:
    """The normalised URL, or BadUserInput naming `url`.

    https is required; plain http (and private or loopback addresses) only for hosts in the
    allow-list, which exists for local development and tests. Host names are resolved and checked
    again on every delivery: this is the early, clear answer, not the defence."""
    url = url.strip()
    if not url:
        raise BadUserInput("url", "must not be empty")
    if len(url) > MAX_URL_LENGTH:
        raise BadUserInput("url", f"must be at most {MAX_URL_LENGTH} characters long")
    try:
        parsed = outbound.normalize_url(url)
    except OutboundRefused as refused:
        raise BadUserInput("url", refused.reason) from None
    host = parsed.raw_host or ""
    trusted = outbound._canonical_host(host) in _allowed(settings)
    if parsed.scheme != "https" and not trusted:
        raise BadUserInput("url", "must use https")
    if not trusted:
        try:
            ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        name = host.rstrip(".").lower()
        if (
            (ip is not None and is_forbidden_address(ip))
            or name == "localhost"
            or name.endswith(".localhost")
        ):
            raise BadUserInput("url", "must point to a public address")
    normalized = str(parsed)
    if len(normalized) > MAX_URL_LENGTH:
        raise BadUserInput("url", f"must be at most {MAX_URL_LENGTH} characters long")
    return normalized


@dataclass(frozen=True, slots=True)
class Registered:
    webhook: Webhook
    secret: str  # shown this once


async def register(host: User, url: str, settings: Settings) -> Registered:
    normalized = clean_url(url, settings)
    if await Webhook.filter(host_id=host.id).count() >= MAX_WEBHOOKS_PER_HOST:
        raise BadUserInput("url", f"at most {MAX_WEBHOOKS_PER_HOST} webhooks per account")
    secret = secrets.token_urlsafe(32)
    webhook = await Webhook.create(host_id=host.id, url=normalized, secret=secret)
    return Registered(webhook, secret)


async def list_for(host: User) -> list[Webhook]:
    return await Webhook.filter(host_id=host.id).order_by("id")


async def owned(host: User, webhook_id: int) -> Webhook:
    webhook = await Webhook.get_or_none(id=webhook_id, host_id=host.id)
    if webhook is None:
        raise NotFound("Webhook")
    return webhook


async def delete(host: User, webhook_id: int) -> bool:
    """Its deliveries go with it (pending ones are never sent)."""
    if not await Webhook.filter(id=webhook_id, host_id=host.id).delete():
        raise NotFound("Webhook")
    return True


async def deliveries(host: User, webhook_id: int, *, first: int) -> list[WebhookDelivery]:
    """Newest first."""
    webhook = await owned(host, webhook_id)
    return await WebhookDelivery.filter(webhook_id=webhook.id).order_by("-id").limit(first)


# --- the transactional side --------------------------------------------------------------------


def booking_payload(booking: Booking, kind: str, occurred_at: str) -> dict[str, Any]:
    """What a booking event tells the host's receiver (the host can see all of it anyway)."""
    return {
        "kind": kind,
        "occurredAt": occurred_at,
        "booking": {
            "id": booking.id,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "status": booking.status,
            "eventTypeId": booking.event_type_id,
            "attendeeName": booking.attendee_name,
            "attendeeEmail": booking.attendee_email,
        },
    }


async def enqueue(host_id: int, event: str, payload: dict[str, Any]) -> None:
    """Call inside the transaction of the change: one PENDING delivery per active webhook."""
    webhook_ids = await Webhook.filter(host_id=host_id, active=True).values_list("id", flat=True)
    for delivery in new_deliveries(webhook_ids, event, payload, utcnow()):
        await delivery.save()


def new_deliveries(
    webhook_ids: list[int], event: str, payload: dict[str, Any], now: datetime
) -> list[WebhookDelivery]:
    """One PENDING delivery per webhook, not yet written."""
    return [
        fresh(WebhookDelivery, webhook_id=i, event=event, payload=payload, next_attempt_at=now)
        for i in webhook_ids
    ]


# --- delivery ----------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait before the next try, after `attempts` failed ones."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2**attempts, BACKOFF_MAX_SECONDS))


def body_of(delivery: WebhookDelivery) -> bytes:
    """The same bytes on every attempt; receivers deduplicate by `deliveryId`."""
    document = {"deliveryId": delivery.id, "event": delivery.event, **delivery.payload}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())  # the receiver's replay window is wall-clock time
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-BookNMeet-Event": delivery.event,
        "X-BookNMeet-Delivery": str(delivery.id),
        "X-BookNMeet-Timestamp": str(timestamp),
        "X-BookNMeet-Signature": "sha256=" + outbound.sign_webhook(secret, timestamp, body),
    }


def _safe_reason(reason: str) -> str:
    return _URLISH.sub("the endpoint", reason)[:500]


def _claimable(now: datetime) -> Q:
    return Q(status=PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until=None) | Q(claimed_until__lt=now)
    )


async def _candidates(now: datetime, limit: int) -> list[int]:
    return list(
        await WebhookDelivery.filter(_claimable(now))
        .order_by("next_attempt_at", "id")
        .limit(limit)
        .values_list("id", flat=True)
    )


async def _claim(now: datetime, limit: int) -> str | None:
    candidates = await _candidates(now, limit)
    if not candidates:
        return None
    token = uuid.uuid4().hex
    # The conditions again, checked per row by the UPDATE itself: a worker that read the same
    # candidates but updates second finds them no longer claimable and takes none of them.
    claimed = await WebhookDelivery.filter(_claimable(now), id__in=candidates).update(
        claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
    )
    return token if claimed else None


async def _finish(delivery: WebhookDelivery, token: str, **values: Any) -> None:
    await WebhookDelivery.filter(id=delivery.id, claim_token=token).update(
        claim_token=None, claimed_until=None, **values
    )


async def _attempt(
    delivery: WebhookDelivery, token: str, settings: Settings, now: datetime
) -> None:
    webhook = delivery.webhook
    attempts = delivery.attempts + 1
    if not webhook.active:
        await _finish(delivery, token, status=FAILED, last_error="webhook is disabled")
        return
    body = body_of(delivery)
    status_code: int | None = None
    try:
        result = await outbound.fetch(
            webhook.url,
            allowed_hosts=settings.calendar_allowed_hosts,
            method="POST",
            body=body,
            headers=signed_headers(delivery, webhook.secret, body),
            max_redirects=0,
            max_bytes=1024 * 1024,  # the response is read and discarded
            timeout=DELIVERY_TIMEOUT,
        )
        status_code = result.status
        if 200 <= result.status < 300:
            await _finish(
                delivery,
                token,
                status=DELIVERED,
                attempts=attempts,
                last_status_code=result.status,
                last_error=None,
                delivered_at=now,
            )
            return
        error = f"HTTP {result.status}"
    except OutboundRefused as refused:
        # Will not get better by waiting: the destination is not allowed.
        await _finish(
            delivery,
            token,
            status=FAILED,
            attempts=attempts,
            last_status_code=None,
            last_error=_safe_reason(f"refused: {refused.reason}"),
        )
        return
    except OutboundFailed as failed:
        error = failed.reason
        if match := _HTTP_STATUS.match(failed.reason):
            status_code = int(match.group(1))
        elif failed.reason.startswith("more than"):
            error = "redirects are not followed"
    except Exception:
        log.exception("webhook delivery %s failed unexpectedly", delivery.id)
        error = "internal error"
    await _finish(
        delivery,
        token,
        status=FAILED if attempts >= MAX_ATTEMPTS else PENDING,
        attempts=attempts,
        last_status_code=status_code,
        last_error=_safe_reason(error),
        next_attempt_at=now + backoff(attempts),
    )


async def deliver_due(
    settings: Settings, *, now: datetime | None = None, limit: int = CLAIM_BATCH
) -> int:
    """Claims up to `limit` due deliveries and attempts each once; returns how many it tried."""
    now = now or utcnow()
    token = await _claim(now, limit)
    if token is None:
        return 0
    claimed = await WebhookDelivery.filter(claim_token=token).select_related("webhook")
    outcomes = await asyncio.gather(
        *(_attempt(d, token, settings, now) for d in claimed), return_exceptions=True
    )
    for delivery, outcome in zip(claimed, outcomes, strict=True):
        if isinstance(outcome, Exception):
            # Its claim expires and another pass retries it.
            log.error("webhook delivery %s not recorded", delivery.id, exc_info=outcome)
    return len(claimed)


async def prune(*, now: datetime | None = None, keep: timedelta = RETENTION) -> int:
    """Deletes finished deliveries older than `keep` (they hold a copy of booking data)."""
    cutoff = (now or utcnow()) - keep
    return await WebhookDelivery.filter(
        status__in=[DELIVERED, FAILED], created_at__lt=cutoff
    ).delete()


async def deliver_all_due(settings: Settings) -> None:
    """A job of the runner: delivers batches until fewer than a full batch were due."""
    while await deliver_due(settings) >= CLAIM_BATCH:
        pass
