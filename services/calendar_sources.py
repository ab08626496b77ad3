"""Busy time of CalDAV, Google and Microsoft calendars, read whole or incrementally.

Each read gives a `Delta`: busy intervals per resource (a CalDAV href, a provider's event id;
stored as a hash in CalendarBusy.source), the resources removed, and where the next incremental
read resumes. Only start and end instants leave this module: never titles, attendees or notes.
An event that is one of the host's own bookings (its UID is `Booking.calendar_uid()`, or we wrote
it) blocks nothing, so a booking written back never blocks itself.
"""

import asyncio
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config import Settings
from domain import ical
from domain.availability import local_to_utc
from domain.ical import FeedError
from domain.slots import Interval
from models.booking import Booking
from models.calendar import CALDAV, GOOGLE, CalendarWrite, LinkedCalendar
from services import caldav, crypto, oauth

PARSE_TIMEOUT = 60.0
GOOGLE_EVENT_ID = re.compile(r"booknmeet([0-9]{1,18})")
_UID_IN_BODY = re.compile(rb"UID:booking-([0-9]{1,18})@booknmeet")


@dataclass(slots=True)
class Delta:
    full: bool  # True: `busy` is everything, replace every row of the calendar
    busy: dict[str, list[Interval]] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    sync_token: str | None = None


def source_of(resource_id: str) -> str:
    return hashlib.sha256(resource_id.encode()).hexdigest()


async def own_bookings(owner_id: int, candidates: Iterable[int]) -> set[int]:
    ids = set(candidates)
    if not ids:
        return set()
    rows = await Booking.filter(host_id=owner_id, id__in=list(ids)).values_list("id", flat=True)
    return set(rows)


# --- CalDAV --------------------------------------------------------------------------------------


def caldav_account(settings: Settings, calendar: LinkedCalendar) -> caldav.Account:
    try:
        url = crypto.decrypt(settings, calendar.url_encrypted)
        secret = json.loads(crypto.decrypt(settings, calendar.credentials_encrypted or ""))
    except (ValueError, TypeError):
        raise FeedError("the stored calendar address or credentials cannot be read") from None
    return caldav.Account(
        url, secret["username"], secret["password"], settings.calendar_allowed_hosts
    )


async def _caldav_busy(
    owner_id: int,
    resources: list[caldav.Resource],
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
) -> dict[str, list[Interval]]:
    candidates = {
        int(m)
        for r in resources
        if r.data
        for m in _UID_IN_BODY.findall(r.data.replace(b"\r\n ", b""))
    }
    own = await own_bookings(owner_id, candidates)

    def skip(uid: str) -> bool:
        return ical.booking_id_of(uid) in own

    def parse_all() -> dict[str, list[Interval]]:
        found: dict[str, list[Interval]] = {}
        for resource in resources:
            if resource.data is None:
                continue
            try:
                busy = ical.busy_intervals(
                    resource.data,
                    window_start=window[0],
                    window_end=window[1],
                    host_zone=zone,
                    skip_uid=skip,
                )
            except FeedError:
                busy = []  # one unreadable event does not hide the rest of the calendar
            found[source_of(resource.href)] = busy
        return found

    try:
        return await asyncio.wait_for(asyncio.to_thread(parse_all), PARSE_TIMEOUT)
    except TimeoutError:
        raise FeedError(f"the calendar took longer than {PARSE_TIMEOUT:g} s to read") from None


async def read_caldav(
    account: caldav.Account,
    owner_id: int,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    sync_token: str | None,
) -> Delta:
    """Incremental with a sync-collection token or an unchanged ctag; else the whole window."""
    if sync_token and sync_token.startswith("sync:"):
        try:
            changes = await caldav.changes_since(account, sync_token.removeprefix("sync:"))
        except caldav.SyncTokenExpired:
            pass
        else:
            fetched = await caldav.fetch_resources(account, changes.changed)
            busy = await _caldav_busy(owner_id, fetched, window, zone)
            # A changed href the multiget no longer finds was removed meanwhile.
            removed = {source_of(h) for h in changes.removed + changes.changed} - set(busy)
            token = f"sync:{changes.sync_token}" if changes.sync_token else None
            return Delta(full=False, busy=busy, removed=removed, sync_token=token)
    state = await caldav.state(account)
    if state.ctag and sync_token == f"ctag:{state.ctag}":
        return Delta(full=False, sync_token=sync_token)
    resources = await caldav.events_between(account, *window)
    busy = await _caldav_busy(owner_id, resources, window, zone)
    if state.supports_sync and state.sync_token:
        token = f"sync:{state.sync_token}"
    else:
        token = f"ctag:{state.ctag}" if state.ctag else None
    return Delta(full=True, busy=busy, sync_token=token)


# --- Google Calendar -----------------------------------------------------------------------------


def _clip(start: datetime, end: datetime, window: tuple[datetime, datetime]) -> list[Interval]:
    s, e = max(start, window[0]), min(end, window[1])
    return [(s, e)] if s < e else []


def _google_time(value: dict, zone: ZoneInfo) -> datetime:
    if "dateTime" in value:
        moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_zone(value.get("timeZone"), zone))
        return moment.astimezone(UTC)
    return local_to_utc(date.fromisoformat(str(value["date"])), time(0), zone)


def _zone(name: object, fallback: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(str(name)) if name else fallback
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _google_booking(item: dict) -> int | None:
    match = GOOGLE_EVENT_ID.fullmatch(str(item.get("id", "")))
    if match:
        return int(match.group(1))
    return ical.booking_id_of(str(item.get("iCalUID", "")))


async def read_google(
    calendar: LinkedCalendar,
    settings: Settings,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    sync_token: str | None,
) -> Delta:
    """events.list (singleEvents) for the window, then with its nextSyncToken; 410: start over."""
    if sync_token:
        try:
            return await _google_pages(calendar, settings, window, zone, {"syncToken": sync_token})
        except oauth.OAuthError as error:
            if error.status != 410:
                raise
    query = {
        "singleEvents": "true",
        "timeMin": window[0].isoformat().replace("+00:00", "Z"),
        "timeMax": window[1].isoformat().replace("+00:00", "Z"),
    }
    return await _google_pages(calendar, settings, window, zone, query, full=True)


async def _google_pages(
    calendar: LinkedCalendar,
    settings: Settings,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    query: dict[str, str],
    *,
    full: bool = False,
) -> Delta:
    items: list[dict] = []
    page_token: str | None = None
    while True:
        params = {
            **query,
            "maxResults": "2500",
            **({"pageToken": page_token} if page_token else {}),
        }
        page = await oauth.api(
            calendar, settings, "GET", f"/calendars/primary/events?{urlencode(params)}"
        )
        items.extend(i for i in page.get("items", []) if isinstance(i, dict))
        page_token = page.get("nextPageToken")
        if not page_token:
            break
    own = await own_bookings(calendar.owner_id, filter(None, map(_google_booking, items)))
    delta = Delta(full=full, sync_token=page.get("nextSyncToken"))
    for item in items:
        source = source_of(str(item.get("id", "")))
        if item.get("status") == "cancelled":
            delta.removed.add(source)
            continue
        if item.get("transparency") == "transparent" or _google_booking(item) in own:
            delta.busy[source] = []
            continue
        try:
            start, end = _google_time(item["start"], zone), _google_time(item["end"], zone)
        except (KeyError, TypeError, ValueError):
            continue
        delta.busy.setdefault(source, []).extend(_clip(start, end, window))
    return delta


# --- Microsoft Graph -----------------------------------------------------------------------------


def _graph_time(value: dict, zone: ZoneInfo, all_day: bool) -> datetime:
    text = str(value["dateTime"])
    if "." in text:  # Graph sends 7 fractional digits
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    moment = datetime.fromisoformat(text)
    if all_day:
        return local_to_utc(moment.date(), time(0), zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(value.get("timeZone"), ZoneInfo("UTC")))
    return moment.astimezone(UTC)


async def read_microsoft(
    calendar: LinkedCalendar,
    settings: Settings,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    delta_link: str | None,
) -> Delta:
    """calendarView/delta for the window, then its deltaLink; 410: start over."""
    if delta_link:
        try:
            return await _graph_pages(calendar, settings, window, zone, delta_link)
        except oauth.OAuthError as error:
            if error.status != 410:
                raise
    query = urlencode(
        {
            "startDateTime": window[0].isoformat().replace("+00:00", "Z"),
            "endDateTime": window[1].isoformat().replace("+00:00", "Z"),
        }
    )
    return await _graph_pages(
        calendar, settings, window, zone, f"/me/calendarView/delta?{query}", full=True
    )


async def _graph_pages(
    calendar: LinkedCalendar,
    settings: Settings,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    link: str,
    *,
    full: bool = False,
) -> Delta:
    items: list[dict] = []
    headers = {"Prefer": 'outlook.timezone="UTC", odata.maxpagesize=1000'}
    next_link: str | None = link
    page: dict = {}
    while next_link:
        page = await oauth.api(calendar, settings, "GET", next_link, headers=headers)
        items.extend(i for i in page.get("value", []) if isinstance(i, dict))
        next_link = page.get("@odata.nextLink")
    written = set(
        await CalendarWrite.filter(calendar_id=calendar.id, remote_id__not_isnull=True).values_list(
            "remote_id", flat=True
        )
    )
    uids = [ical.booking_id_of(str(i.get("iCalUId", ""))) for i in items]
    own = await own_bookings(calendar.owner_id, [u for u in uids if u is not None])
    delta = Delta(full=full, sync_token=page.get("@odata.deltaLink"))
    for item, uid in zip(items, uids, strict=True):
        source = source_of(str(item.get("id", "")))
        if "@removed" in item or item.get("isCancelled"):
            delta.removed.add(source)
            continue
        if item.get("showAs") == "free" or item.get("id") in written or uid in own:
            delta.busy[source] = []
            continue
        all_day = bool(item.get("isAllDay"))
        try:
            start = _graph_time(item["start"], zone, all_day)
            end = _graph_time(item["end"], zone, all_day)
        except (KeyError, TypeError, ValueError):
            continue
        delta.busy.setdefault(source, []).extend(_clip(start, end, window))
    return delta


async def read(
    calendar: LinkedCalendar,
    settings: Settings,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    *,
    incremental: bool,
) -> Delta:
    token = calendar.sync_token if incremental else None
    if calendar.kind == CALDAV:
        account = caldav_account(settings, calendar)
        return await read_caldav(account, calendar.owner_id, window, zone, token)
    if calendar.kind == GOOGLE:
        return await read_google(calendar, settings, window, zone, token)
    return await read_microsoft(calendar, settings, window, zone, token)
