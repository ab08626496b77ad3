"""Linked calendars: a host's iCalendar (ICS) feeds, read as busy time for their slots.

- `link` fetches and parses the feed once BEFORE anything is stored: a feed that cannot be
  fetched or parsed is BAD_USER_INPUT and leaves no trace.
- `sync` (shared by the `syncCalendar` mutation and `sync_due`) sends a conditional GET. 304 only
  moves `last_synced_at`; a new body whose busy set has the same fingerprint changes no busy row;
  a changed busy set replaces the calendar's rows in one transaction and writes calendarChanged
  (owner) and availabilityChanged (each event type of the owner) outbox rows with them.
- A failure (HTTP error, timeout, oversized or malformed feed, refused destination) keeps the last
  good busy rows, sets status ERROR with a readable `last_error`, and backs off exponentially.
- `sync_due` claims due calendars one at a time with a conditional UPDATE, so of several workers
  exactly one syncs a calendar while its claim holds.

Busy time is kept for a rolling window, from the day before today to 400 days ahead in the owner's
zone. A 304 cannot tell that the window moved, so the first sync of each new window day asks
unconditionally, and recurrences entering the window at its far end are picked up daily.

The feed URL is a secret (its path is usually the only credential): it is stored encrypted, never
returned, never logged, and never part of a name or an error message; error reasons name at most
"the feed's host".
"""

import asyncio
import json
import logging
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from config import Settings
from domain import ical
from domain.availability import local_to_utc
from domain.errors import BadUserInput, Forbidden, NotFound
from domain.ical import FeedError
from domain.slots import Interval
from models.calendar import CALDAV, ICS_FEED, CalendarBusy, LinkedCalendar
from models.user import User
from observability import CALENDAR_SYNC_FAILURES
from services import (
    caldav,
    calendar_sources,
    calendar_writes,
    changes,
    consents,
    crypto,
    oauth,
    outbound,
)
from services.calendar_sources import Delta
from services.clock import utcnow
from services.outbound import OutboundFailed, OutboundRefused

log = logging.getLogger(__name__)

OK, ERROR = "OK", "ERROR"
DEFAULT_NAME = "Calendar"
MAX_CALENDARS_PER_USER = 10
MAX_URL_LENGTH = 2000
MAX_NAME_LENGTH = 200
MAX_FEED_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT = 15.0  # seconds, all redirects included
PARSE_TIMEOUT = 20.0  # seconds in a worker thread (domain.ical bounds expansion itself too)
WINDOW_BEFORE_DAYS = 1
WINDOW_AFTER_DAYS = 400
# Longer than one sync can take (FETCH_TIMEOUT + PARSE_TIMEOUT + the write), so a claim only
# expires when its worker died.
CLAIM = timedelta(minutes=2)
CLAIM_BATCH = 50
CONCURRENT_SYNCS = 8
JITTER = 0.1  # +-10% on every next_sync_at, so calendars linked together drift apart
# After the n-th failure in a row: BACKOFF_BASE * 2**(n - 1), at most BACKOFF_MAX.
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=24)

# scheme://host[:port][/rest]: outbound puts the origin into its reasons; the host is part of the
# secret URL too, so reasons shown or stored never carry it.
_URLISH = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:\[[^\]]*\]|[^\s:/\[\]]+)(?::\d+)?(?:/\S*)?")
_QUOTED_HOST = re.compile(r"""host (?:'[^']*'|"[^"]*")""")


# --- small helpers -------------------------------------------------------------------------------


def safe_reason(reason: str) -> str:
    """A failure reason fit to show the owner and to store: no URL, no host."""
    cleaned = _URLISH.sub("the feed's host", reason)
    cleaned = _QUOTED_HOST.sub("host", cleaned)
    return cleaned[:500]


def _zone(owner: User) -> ZoneInfo:
    try:
        return ZoneInfo(owner.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def window(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the busy time kept: today - 1 day to today + 400 days, owner's midnights."""
    today = _local_today(now, zone)
    return (
        local_to_utc(today - timedelta(days=WINDOW_BEFORE_DAYS), time(0), zone),
        local_to_utc(today + timedelta(days=WINDOW_AFTER_DAYS), time(0), zone),
    )


def _jittered(delay: timedelta) -> timedelta:
    return delay * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (load spreading, not security)


def next_regular_sync(settings: Settings, now: datetime) -> datetime:
    return now + _jittered(timedelta(minutes=settings.calendar_sync_minutes))


def backoff(failures: int) -> timedelta:
    """The wait after `failures` failed syncs in a row (failures >= 1)."""
    exponent = max(failures - 1, 0)
    if exponent >= 20:  # far past the cap; avoids huge multiplications
        return BACKOFF_MAX
    return min(BACKOFF_BASE * 2**exponent, BACKOFF_MAX)


def clean_name(name: str | None) -> str:
    if name is None:
        return DEFAULT_NAME  # never derived from the URL: even its host is part of the secret
    cleaned = name.strip()
    if not cleaned:
        raise BadUserInput("name", "must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise BadUserInput("name", f"must be at most {MAX_NAME_LENGTH} characters long")
    if any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
        raise BadUserInput("name", "must not contain control characters")
    return cleaned


def clean_url(url: str) -> str:
    """The normalised feed URL (webcal -> https), or BadUserInput naming `url`."""
    url = url.strip()
    if not url:
        raise BadUserInput("url", "must not be empty")
    if len(url) > MAX_URL_LENGTH:
        raise BadUserInput("url", f"must be at most {MAX_URL_LENGTH} characters long")
    try:
        normalized = str(outbound.normalize_url(url))
    except OutboundRefused as refused:
        raise BadUserInput("url", safe_reason(refused.reason)) from None
    if len(normalized) > MAX_URL_LENGTH:
        raise BadUserInput("url", f"must be at most {MAX_URL_LENGTH} characters long")
    return normalized


# --- fetching and parsing ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Feed:
    """What one fetch produced: either not modified, or the busy set of a new body."""

    not_modified: bool
    etag: str | None
    last_modified: str | None
    busy: list[Interval]
    fingerprint: str | None


async def _parse(body: bytes, now: datetime, zone: ZoneInfo) -> list[Interval]:
    start, end = window(now, zone)
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(
                ical.busy_intervals, body, window_start=start, window_end=end, host_zone=zone
            ),
            PARSE_TIMEOUT,
        )
    except TimeoutError:
        raise FeedError(f"the feed took longer than {PARSE_TIMEOUT:g} s to read") from None


async def read_feed(
    settings: Settings,
    url: str,
    zone: ZoneInfo,
    now: datetime,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Feed:
    """Fetch (guarded, conditional when etag/last_modified are given) and parse.

    Raises OutboundRefused, OutboundFailed or FeedError, whose reasons carry no path or query."""
    result = await outbound.fetch(
        url,
        allowed_hosts=settings.calendar_allowed_hosts,
        etag=etag,
        last_modified=last_modified,
        max_bytes=MAX_FEED_BYTES,
        timeout=FETCH_TIMEOUT,
    )
    if result.not_modified:
        return Feed(True, result.etag, result.last_modified, [], None)
    busy = await _parse(result.body, now, zone)
    return Feed(False, result.etag, result.last_modified, busy, ical.feed_fingerprint(busy))


def _bounded(value: str | None, length: int) -> str | None:
    # A validator that does not fit our column is dropped: the next GET is unconditional.
    return value if value is not None and len(value) <= length else None


def _busy_rows(calendar_id: int, owner_id: int, busy: list[Interval]) -> list[CalendarBusy]:
    return [
        CalendarBusy(calendar_id=calendar_id, owner_id=owner_id, start=s, end=e) for s, e in busy
    ]


# --- the API's operations ------------------------------------------------------------------------


async def require_consent(owner: User) -> None:
    if not await consents.granted(owner, "CALENDAR_ACCESS"):
        raise Forbidden(
            "Linking a calendar needs the CALENDAR_ACCESS consent: grant it with setConsent first."
        )


async def link(owner: User, url: str, name: str | None, settings: Settings) -> LinkedCalendar:
    """Fetches the feed once; stores it (encrypted URL, busy time) only if that worked."""
    await require_consent(owner)
    normalized = clean_url(url)
    label = clean_name(name)
    if await LinkedCalendar.filter(owner_id=owner.id).count() >= MAX_CALENDARS_PER_USER:
        raise BadUserInput("url", f"at most {MAX_CALENDARS_PER_USER} calendars per account")
    now = utcnow()
    try:
        feed = await read_feed(settings, normalized, _zone(owner), now)
    except (OutboundRefused, OutboundFailed) as error:
        raise BadUserInput("url", safe_reason(error.reason)) from None
    except FeedError as error:
        raise BadUserInput(
            "url", f"not a usable calendar feed: {safe_reason(error.reason)}"
        ) from None
    async with in_transaction():
        # One linker at a time per owner (PostgreSQL row lock; SQLite has one writer anyway).
        await User.filter(id=owner.id).select_for_update().first()
        if await LinkedCalendar.filter(owner_id=owner.id).count() >= MAX_CALENDARS_PER_USER:
            raise BadUserInput("url", f"at most {MAX_CALENDARS_PER_USER} calendars per account")
        calendar = await LinkedCalendar.create(
            owner_id=owner.id,
            name=label,
            url_encrypted=crypto.encrypt(settings, normalized),
            status=OK,
            last_synced_at=now,
            last_error=None,
            etag=_bounded(feed.etag, 500),
            last_modified=_bounded(feed.last_modified, 100),
            fingerprint=feed.fingerprint,
            failures=0,
            next_sync_at=next_regular_sync(settings, now),
        )
        await CalendarBusy.bulk_create(_busy_rows(calendar.id, owner.id, feed.busy), batch_size=500)
        await changes.calendar_changed(owner.id, calendar, now)
        await changes.availability_changed(owner.id, now)
    return calendar


MAX_CREDENTIAL_LENGTH = 500


def _credential(value: str, field: str) -> str:
    if not value or len(value) > MAX_CREDENTIAL_LENGTH or any(ord(c) < 32 for c in value):
        raise BadUserInput(field, f"must be 1 to {MAX_CREDENTIAL_LENGTH} printable characters")
    return value


async def link_caldav(
    owner: User,
    url: str,
    username: str,
    password: str,
    name: str | None,
    write_bookings: bool,
    settings: Settings,
) -> LinkedCalendar:
    """Reads the collection once (credentials, busy time); stores it only if that worked."""
    await require_consent(owner)
    normalized = clean_url(url)
    if not normalized.endswith("/"):
        normalized += "/"
    username = _credential(username, "username")
    password = _credential(password, "password")
    label = clean_name(name)
    await _below_limit(owner)
    now = utcnow()
    account = caldav.Account(normalized, username, password, settings.calendar_allowed_hosts)
    try:
        delta = await calendar_sources.read_caldav(
            account, owner.id, window(now, _zone(owner)), _zone(owner), None
        )
    except caldav.BadCredentials:
        raise BadUserInput(
            "username", "the CalDAV server refused the username or password"
        ) from None
    except (OutboundRefused, OutboundFailed, caldav.CalDavError, FeedError) as error:
        raise BadUserInput("url", safe_reason(error.reason)) from None
    secret = crypto.encrypt(settings, calendar_writes.credentials_json(username, password))
    return await _store_linked(
        owner,
        settings,
        now,
        delta,
        name=label,
        kind=CALDAV,
        url=normalized,
        credentials=secret,
        write_bookings=write_bookings,
    )


async def link_oauth(
    user_id: int, provider: str, credentials: dict, settings: Settings
) -> LinkedCalendar:
    """The OAuth callback's link: the primary calendar of the account, read once, then kept."""
    owner = await User.get_or_none(id=user_id)
    if owner is None:
        raise NotFound("User")
    await require_consent(owner)
    await _below_limit(owner)
    now = utcnow()
    secret = crypto.encrypt(settings, json.dumps(credentials))
    probe = LinkedCalendar(
        id=0, owner_id=owner.id, kind=provider, credentials_encrypted=secret, name=provider
    )
    delta = await calendar_sources.read(
        probe, settings, window(now, _zone(owner)), _zone(owner), incremental=False
    )
    return await _store_linked(
        owner,
        settings,
        now,
        delta,
        name=provider.title(),
        kind=provider,
        url="primary",
        credentials=probe.credentials_encrypted or secret,  # refreshed while reading
        write_bookings=True,
    )


async def _below_limit(owner: User) -> None:
    if await LinkedCalendar.filter(owner_id=owner.id).count() >= MAX_CALENDARS_PER_USER:
        raise BadUserInput("url", f"at most {MAX_CALENDARS_PER_USER} calendars per account")


async def _store_linked(
    owner: User,
    settings: Settings,
    now: datetime,
    delta: Delta,
    *,
    name: str,
    kind: str,
    url: str,
    credentials: str,
    write_bookings: bool,
) -> LinkedCalendar:
    busy = [interval for intervals in delta.busy.values() for interval in intervals]
    async with in_transaction():
        await User.filter(id=owner.id).select_for_update().first()
        if not await consents.granted(owner, "CALENDAR_ACCESS"):  # withdrawn meanwhile
            raise Forbidden("Linking a calendar needs the CALENDAR_ACCESS consent.")
        await _below_limit(owner)
        calendar = await LinkedCalendar.create(
            owner_id=owner.id,
            name=name,
            kind=kind,
            url_encrypted=crypto.encrypt(settings, url),
            credentials_encrypted=credentials,
            writes_bookings=write_bookings,
            sync_token=delta.sync_token,
            status=OK,
            last_synced_at=now,
            fingerprint=ical.feed_fingerprint(busy),
            failures=0,
            next_sync_at=next_regular_sync(settings, now),
        )
        await CalendarBusy.bulk_create(_delta_rows(calendar, delta), batch_size=500)
        if write_bookings:
            await calendar_writes.enqueue_upcoming(calendar, now)
        await changes.calendar_changed(owner.id, calendar, now)
        await changes.availability_changed(owner.id, now)
    return calendar


def _delta_rows(calendar: LinkedCalendar, delta: Delta) -> list[CalendarBusy]:
    return [
        CalendarBusy(
            calendar_id=calendar.id, owner_id=calendar.owner_id, start=s, end=e, source=src
        )
        for src, intervals in delta.busy.items()
        for s, e in intervals
    ]


async def list_for(owner: User) -> list[tuple[LinkedCalendar, int]]:
    """The owner's calendars with their busy counts, oldest first."""
    calendars = await LinkedCalendar.filter(owner_id=owner.id).order_by("id")
    counts = dict(
        await CalendarBusy.filter(calendar_id__in=[c.id for c in calendars])
        .annotate(n=Count("id"))
        .group_by("calendar_id")
        .values_list("calendar_id", "n")
    )
    return [(calendar, counts.get(calendar.id, 0)) for calendar in calendars]


async def busy_count(calendar_id: int) -> int:
    return await CalendarBusy.filter(calendar_id=calendar_id).count()


async def owned(owner: User, calendar_id: int) -> LinkedCalendar:
    calendar = await LinkedCalendar.get_or_none(id=calendar_id, owner_id=owner.id)
    if calendar is None:
        raise NotFound("Calendar")
    return calendar


async def sync_owned(owner: User, calendar_id: int, settings: Settings) -> LinkedCalendar:
    """`syncCalendar`: a sync now, whatever next_sync_at says."""
    await owned(owner, calendar_id)
    calendar = await sync(calendar_id, settings)
    if calendar is None:  # unlinked meanwhile
        raise NotFound("Calendar")
    return calendar


async def unlink(owner: User, calendar_id: int) -> bool:
    """Deletes the calendar and its busy time; the owner's slots may have grown."""
    async with in_transaction():
        calendar = (
            await LinkedCalendar.filter(id=calendar_id, owner_id=owner.id)
            .select_for_update()
            .first()
        )
        if calendar is None:
            raise NotFound("Calendar")
        await CalendarBusy.filter(calendar_id=calendar.id).delete()
        await calendar.delete()
        occurred_at = utcnow()
        # The calendar as it was last, busyCount 0: clients listing calendars ask again.
        await changes.calendar_changed(owner.id, calendar, occurred_at)
        await changes.availability_changed(owner.id, occurred_at)
    return True


# --- syncing -------------------------------------------------------------------------------------


async def sync(
    calendar_id: int, settings: Settings, *, now: datetime | None = None, claimed: bool = False
) -> LinkedCalendar | None:
    """Syncs one calendar once and records the outcome; None if it no longer exists.

    `claimed`: the caller holds the claim (sync_due), which is released here."""
    now = now or utcnow()
    calendar = await LinkedCalendar.get_or_none(id=calendar_id).select_related("owner")
    if calendar is None:
        return None
    zone = _zone(calendar.owner)
    release = {"claimed_until": None} if claimed else {}
    # A 304 cannot tell that the window moved: once per window day, ask unconditionally.
    fresh_window = (
        calendar.last_synced_at is not None
        and calendar.fingerprint is not None
        and _local_today(calendar.last_synced_at, zone) == _local_today(now, zone)
    )
    if calendar.kind != ICS_FEED:
        return await _sync_remote(calendar, settings, zone, now, fresh_window, release)
    try:
        try:
            url = crypto.decrypt(settings, calendar.url_encrypted)
        except ValueError:
            raise FeedError("the stored feed address cannot be read") from None
        feed = await read_feed(
            settings,
            url,
            zone,
            now,
            etag=calendar.etag if fresh_window else None,
            last_modified=calendar.last_modified if fresh_window else None,
        )
    except (OutboundRefused, OutboundFailed, FeedError) as error:
        return await _record_failure(calendar, safe_reason(error.reason), now, release)
    except Exception as error:
        # Never the URL: the exception of a library may quote it, so no message or traceback.
        log.error("calendar %s: unexpected sync failure (%s)", calendar.id, type(error).__name__)
        return await _record_failure(calendar, "internal error", now, release)
    return await _record_success(calendar, feed, settings, now, release)


async def _record_failure(
    calendar: LinkedCalendar, reason: str, now: datetime, release: dict[str, None]
) -> LinkedCalendar | None:
    log.info("calendar %s: sync failed: %s", calendar.id, reason)
    CALENDAR_SYNC_FAILURES.inc()
    failures = calendar.failures + 1
    values = {
        "status": ERROR,
        "last_error": reason,
        "failures": failures,
        "next_sync_at": now + _jittered(backoff(failures)),
        **release,
    }
    # The busy rows stay as they were: slots keep the last good busy time.
    async with in_transaction():
        current = await LinkedCalendar.filter(id=calendar.id).select_for_update().first()
        if current is None:
            return None
        visible_change = (current.status, current.last_error) != (ERROR, reason)
        await LinkedCalendar.filter(id=calendar.id).update(**values)
        current.update_from_dict(values)
        if visible_change:
            await changes.calendar_changed(current.owner_id, current, now)
    return current


def _synced(settings: Settings, now: datetime, release: dict[str, None]) -> dict[str, object]:
    """The columns of a calendar after a successful sync."""
    return {
        "status": OK,
        "last_error": None,
        "failures": 0,
        "last_synced_at": now,
        "next_sync_at": next_regular_sync(settings, now),
        **release,
    }


async def _record_success(
    calendar: LinkedCalendar,
    feed: Feed,
    settings: Settings,
    now: datetime,
    release: dict[str, None],
) -> LinkedCalendar | None:
    values = _synced(settings, now, release)
    if not feed.not_modified:
        values["etag"] = _bounded(feed.etag, 500)
        values["last_modified"] = _bounded(feed.last_modified, 100)
    async with in_transaction():
        # The row lock serialises syncs of one calendar, so busy rows are never doubled.
        current = await LinkedCalendar.filter(id=calendar.id).select_for_update().first()
        if current is None:
            return None
        busy_changed = not feed.not_modified and feed.fingerprint != current.fingerprint
        status_changed = (current.status, current.last_error) != (OK, None)
        if busy_changed:
            values["fingerprint"] = feed.fingerprint
            await CalendarBusy.filter(calendar_id=current.id).delete()
            await CalendarBusy.bulk_create(
                _busy_rows(current.id, current.owner_id, feed.busy), batch_size=500
            )
        await LinkedCalendar.filter(id=current.id).update(**values)
        current.update_from_dict(values)
        if busy_changed or status_changed:
            await changes.calendar_changed(current.owner_id, current, now)
        if busy_changed:
            await changes.availability_changed(current.owner_id, now)
    return current


async def _sync_remote(
    calendar: LinkedCalendar,
    settings: Settings,
    zone: ZoneInfo,
    now: datetime,
    incremental: bool,
    release: dict[str, None],
) -> LinkedCalendar | None:
    """CalDAV, Google, Microsoft: incremental within a window day, whole once a day."""
    try:
        delta = await calendar_sources.read(
            calendar, settings, window(now, zone), zone, incremental=incremental
        )
    except caldav.BadCredentials as error:
        return await _record_failure(calendar, error.reason, now, release)
    except (OutboundRefused, OutboundFailed, FeedError, caldav.CalDavError) as error:
        return await _record_failure(calendar, safe_reason(error.reason), now, release)
    except oauth.OAuthError as error:
        return await _record_failure(calendar, safe_reason(error.reason), now, release)
    except Exception as error:
        log.error("calendar %s: unexpected sync failure (%s)", calendar.id, type(error).__name__)
        return await _record_failure(calendar, "internal error", now, release)
    return await _record_delta(calendar, delta, settings, now, release)


async def _record_delta(
    calendar: LinkedCalendar,
    delta: Delta,
    settings: Settings,
    now: datetime,
    release: dict[str, None],
) -> LinkedCalendar | None:
    values: dict[str, object] = {
        **_synced(settings, now, release),
        "sync_token": delta.sync_token,
    }
    async with in_transaction():
        current = await LinkedCalendar.filter(id=calendar.id).select_for_update().first()
        if current is None:
            return None
        touched = list(set(delta.busy) | delta.removed)
        if delta.full:
            old = CalendarBusy.filter(calendar_id=current.id)
        else:
            old = CalendarBusy.filter(calendar_id=current.id, source__in=touched)
        before = sorted(await old.values_list("start", "end")) if delta.full or touched else []
        after = sorted(i for intervals in delta.busy.values() for i in intervals)
        busy_changed = before != after
        if busy_changed:
            await old.delete()
            await CalendarBusy.bulk_create(_delta_rows(current, delta), batch_size=500)
        if delta.full:
            values["fingerprint"] = ical.feed_fingerprint(after)
        status_changed = (current.status, current.last_error) != (OK, None)
        if current.last_error and current.last_error.startswith(calendar_writes.ERROR_PREFIX):
            # A failing write-back keeps showing until a write succeeds.
            values["status"], values["last_error"] = current.status, current.last_error
            status_changed = False
        await LinkedCalendar.filter(id=current.id).update(**values)
        current.update_from_dict(values)
        if busy_changed or status_changed:
            await changes.calendar_changed(current.owner_id, current, now)
        if busy_changed:
            await changes.availability_changed(current.owner_id, now)
    return current


async def _claim(calendar_id: int, now: datetime) -> bool:
    """One conditional UPDATE: whoever updates the row second finds it claimed."""
    claimed = await LinkedCalendar.filter(
        Q(claimed_until=None) | Q(claimed_until__lt=now),
        Q(next_sync_at=None) | Q(next_sync_at__lte=now),
        id=calendar_id,
    ).update(claimed_until=now + CLAIM)
    return bool(claimed)


async def sync_due(settings: Settings, *, now: datetime | None = None) -> int:
    """Claims up to CLAIM_BATCH due calendars and syncs each once; returns how many it synced."""
    now = now or utcnow()
    candidates = await (
        LinkedCalendar.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now),
            Q(next_sync_at=None) | Q(next_sync_at__lte=now),
        )
        .order_by("next_sync_at", "id")
        .limit(CLAIM_BATCH)
        .values_list("id", flat=True)
    )
    claimed = [calendar_id for calendar_id in candidates if await _claim(calendar_id, now)]
    if not claimed:
        return 0
    limit = asyncio.Semaphore(CONCURRENT_SYNCS)

    async def one(calendar_id: int) -> None:
        async with limit:
            await sync(calendar_id, settings, now=now, claimed=True)

    outcomes = await asyncio.gather(*(one(i) for i in claimed), return_exceptions=True)
    for calendar_id, outcome in zip(claimed, outcomes, strict=True):
        if isinstance(outcome, Exception):
            # Its claim expires and a later pass retries it. No traceback: it may quote the URL.
            log.error("calendar %s: sync not recorded (%s)", calendar_id, type(outcome).__name__)
    return len(claimed)
