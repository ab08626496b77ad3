"""iCalendar feeds -> busy intervals, and bookings -> an iCalendar feed. Pure: no ORM, no network.

Expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID moves and RANGE=THISANDFUTURE, VTIMEZONE, DURATION,
X-WR-TIMEZONE) is recurring-ical-events' job; this module only decides what counts as busy:

* STATUS:CANCELLED and TRANSP:TRANSPARENT occurrences are free; everything else (TENTATIVE too) is
  busy.
* Floating times are wall-clock times in the feed's X-WR-TIMEZONE when it names a known zone (the
  library applies it), else in the host's zone. A TZID with no VTIMEZONE and no known name parses as
  floating too.
* All-day (DATE) occurrences block whole local days of the host, from 00:00 to 00:00 (so 23 or 25
  hours on a DST day); wall times are mapped to instants as `domain.availability.local_to_utc` does.
* A datetime DTSTART with neither DTEND nor DURATION lasts zero time, so it blocks nothing.

Data minimisation: before expansion every VEVENT is cut down to its timing properties, so titles,
descriptions, locations and attendees never go further than the parser, and the result is only
UTC instants.
"""

import hashlib
import re
import time as clock
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from dateutil.rrule import rrulebase
from icalendar import Calendar, Event, Timezone
from icalendar.prop import vDDDLists, vDDDTypes
from icalendar.timezone import tzp

from domain.availability import local_to_utc
from domain.slots import Interval

PRODID = "-//Book N Meet//EN"
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})

MAX_OCCURRENCES = 50_000  # occurrences in one window (about 2.5 s of recurring-ical-events)
# dateutil walks every occurrence from DTSTART on, also those before the window, and keeps them.
MAX_EXPANSION_STEPS = 500_000  # about a second of dateutil
MAX_EXPANSION_SECONDS = 5.0

# What expansion needs; everything else (SUMMARY, DESCRIPTION, ATTENDEE, VALARM...) is dropped.
_TIMING = (
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "SEQUENCE",
    "STATUS",
    "TRANSP",
)
_ZONED = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")
_PARSE_ERRORS = {
    "Content line could not be parsed": "a line is not a property",
    "END encountered without": "END without BEGIN",
}
# Wider than any UTC offset: floating and all-day series are queried in local time by the library.
_MARGIN = timedelta(days=2)


_BOOKING_UID = re.compile(r"booking-([0-9]{1,18})@booknmeet")


def booking_uid(booking_id: int) -> str:
    """The UID of a booking's calendar entries and e-mail invitations, the same everywhere."""
    return f"booking-{booking_id}@booknmeet"


def booking_id_of(uid: str) -> int | None:
    """The booking a UID of `booking_uid` names; None for any other UID."""
    match = _BOOKING_UID.fullmatch(uid.strip())
    return int(match.group(1)) if match else None


class FeedError(Exception):
    """A feed that cannot be turned into busy time; `reason` is safe to show to the host."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def busy_intervals(
    data: bytes,
    *,
    window_start: datetime,
    window_end: datetime,
    host_zone: ZoneInfo,
    skip_uid: Callable[[str], bool] | None = None,
) -> list[Interval]:
    """Merged busy intervals of the feed that intersect [window_start, window_end), clipped to it.

    UTC-aware, sorted; overlapping and touching intervals are merged. Events whose UID `skip_uid`
    accepts (the host's own bookings, written back) block nothing. Raises FeedError for anything
    that is not a usable iCalendar feed.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware")
    start, end = window_start.astimezone(UTC), window_end.astimezone(UTC)
    calendars = _parse(data)
    if end <= start:
        return []
    busy: list[Interval] = []
    for calendar in calendars:
        busy.extend(_busy(_timing_only(calendar, skip_uid), start, end, host_zone))
        if len(busy) > MAX_OCCURRENCES:
            raise FeedError("too many events")
    return _merge(busy)


def feed_fingerprint(intervals: Iterable[Interval]) -> str:
    """Stable hash of a busy set: equal for the same busy instants, however they are split."""
    spans = list(intervals)
    if any(s.tzinfo is None or e.tzinfo is None for s, e in spans):
        raise ValueError("datetimes must be timezone-aware")
    digest = hashlib.sha256()
    for s, e in _merge([(s.astimezone(UTC), e.astimezone(UTC)) for s, e in spans if s < e]):
        digest.update(f"{s.isoformat()}/{e.isoformat()}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ExportEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    sequence: int
    status: str  # one of STATUSES
    location: str | None = None
    description: str | None = None
    last_modified: datetime | None = None

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("uid must not be empty")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}, got {self.status!r}")
        moments = [self.start, self.end, self.last_modified]
        if any(m is not None and m.tzinfo is None for m in moments):
            raise ValueError("datetimes must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")


def export_calendar(events: Iterable[ExportEvent], *, name: str) -> bytes:
    """A PUBLISH calendar of the events, all times in UTC.

    DTSTAMP is the event's last_modified when given (so an unchanged booking serialises the same),
    else the time of export.
    """
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    now = datetime.now(UTC)
    for item in events:
        calendar.add_component(_vevent(item, now))
    return calendar.to_ical()


def _vevent(item: ExportEvent, now: datetime) -> Event:
    event = Event()
    event.add("UID", item.uid)
    event.add("DTSTAMP", _utc_seconds(item.last_modified or now))
    event.add("DTSTART", _utc_seconds(item.start))
    event.add("DTEND", _utc_seconds(item.end))
    event.add("SEQUENCE", item.sequence)
    event.add("STATUS", item.status)
    event.add("SUMMARY", item.summary)
    if item.location:
        event.add("LOCATION", item.location)
    if item.description:
        event.add("DESCRIPTION", item.description)
    if item.last_modified is not None:
        event.add("LAST-MODIFIED", _utc_seconds(item.last_modified))
    return event


def calendar_object(item: ExportEvent) -> bytes:
    """One event as a CalDAV calendar object resource (RFC 4791 4.1: no METHOD), times in UTC."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add_component(_vevent(item, datetime.now(UTC)))
    return calendar.to_ical()


def _utc_seconds(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _parse(data: bytes) -> list[Calendar]:
    if not isinstance(data, bytes | bytearray):
        raise TypeError("feed data must be bytes")
    head = bytes(data[:512]).lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if not head:
        raise FeedError("empty feed")
    if not head.startswith(b"BEGIN:"):
        # Login pages, JSON errors and binaries all end up here.
        raise FeedError("not an iCalendar file")
    if not head.startswith(b"BEGIN:VCALENDAR"):
        raise FeedError("no VCALENDAR")
    try:
        components = Calendar.from_ical(bytes(data), multiple=True)
    except Exception as error:  # icalendar raises ValueError, KeyError, IndexError...
        # Not str(error) itself: icalendar quotes the offending line, which may be a title.
        what = next((w for k, w in _PARSE_ERRORS.items() if k in str(error)), None)
        raise FeedError(f"cannot parse iCalendar data: {what or type(error).__name__}") from None
    calendars = [c for c in components if c.name == "VCALENDAR"]
    if not calendars:
        # icalendar silently drops a component that is never closed.
        raise FeedError("truncated feed: VCALENDAR is not closed")
    return calendars


def _timing_only(source: Calendar, skip_uid: Callable[[str], bool] | None = None) -> Calendar:
    """The calendar with time zones and the timing properties of its events, nothing else."""
    result = Calendar()
    if "CALSCALE" in source:
        result["CALSCALE"] = source["CALSCALE"]
    zone = str(source.get("X-WR-TIMEZONE", "")).strip()
    if zone and _known_zone(zone):
        result["X-WR-TIMEZONE"] = zone  # else floating times fall back to the host zone
    own_zones = _OwnZones(source)
    for component in source.subcomponents:
        if component.name == "VTIMEZONE":
            result.add_component(component)
        elif component.name == "VEVENT" and "DTSTART" in component:
            if skip_uid is not None and skip_uid(str(component.get("UID", ""))):
                continue
            # Without DTSTART (allowed with METHOD) an event has no time to block.
            broken = [name for name, _ in component.errors if name in _TIMING]
            if broken:
                raise FeedError(f"invalid {broken[0]} in an event")
            event = Event()
            for name in _TIMING:
                if name in component:
                    value = component[name]
                    event[name] = own_zones.apply(value) if name in _ZONED else value
            result.add_component(event)
    return result


class _OwnZones:
    """Re-reads times in a TZID that no tz database knows with this feed's own VTIMEZONE.

    icalendar keeps the first definition it parses of such a TZID for the whole process, so without
    this another host's "Customized Time Zone" (as Outlook names them) would decide our offsets.
    """

    def __init__(self, source: Calendar) -> None:
        self._components = {
            str(c["TZID"]): c for c in source.subcomponents if c.name == "VTIMEZONE" and "TZID" in c
        }
        self._built: dict[str, tzinfo] = {}

    def apply(self, prop: Any) -> Any:
        if isinstance(prop, list):  # a property given more than once (EXDATE, RDATE)
            return [self.apply(p) for p in prop]
        tzid = str(prop.params.get("TZID", "")) if hasattr(prop, "params") else ""
        if tzid not in self._components:
            return prop
        if isinstance(prop, vDDDLists):
            values = [self._rezone(v.dt, tzid) for v in prop.dts]
            if all(new is old.dt for new, old in zip(values, prop.dts, strict=True)):
                return prop
            fresh: Any = vDDDLists(values)
        else:
            value = self._rezone(prop.dt, tzid)
            if value is prop.dt:
                return prop
            fresh = vDDDTypes(value)
        fresh.params = prop.params  # keeps RANGE=THISANDFUTURE on RECURRENCE-ID
        return fresh

    def _rezone(self, value: Any, tzid: str) -> Any:
        if isinstance(value, tuple):  # an RDATE period
            return tuple(self._rezone(v, tzid) for v in value)
        if not isinstance(value, datetime) or isinstance(value.tzinfo, ZoneInfo):
            return value  # a date, or a zone the tz database (or icalendar's Windows map) knows
        if tzid not in self._built:
            component: Timezone = self._components[tzid]
            try:
                self._built[tzid] = tzp.create_timezone(component)  # not cached by icalendar
            except Exception:
                raise FeedError(f"invalid VTIMEZONE {tzid[:80]!r}") from None
        return value.replace(tzinfo=self._built[tzid])


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _busy(calendar: Calendar, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
    try:
        query = recurring_ical_events.of(calendar)
        _limit_expansion(query, (start, end), zone)
        occurrences = query.between(start - _MARGIN, end + _MARGIN)
    except FeedError:
        raise
    except Exception as error:  # the library's InvalidCalendar, ValueError, TypeError...
        # The calendar holds only timing properties here, so the message cannot leak a title.
        message = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise FeedError(f"cannot expand the feed: {message}") from None
    if len(occurrences) > MAX_OCCURRENCES:
        raise FeedError("too many events")
    busy: list[Interval] = []
    for event in occurrences:
        if _upper(event, "STATUS") == "CANCELLED" or _upper(event, "TRANSP") == "TRANSPARENT":
            continue
        busy_start = max(_instant(event["DTSTART"].dt, zone), start)
        busy_end = min(_instant(event["DTEND"].dt, zone), end)
        if busy_start < busy_end:
            busy.append((busy_start, busy_end))
    return busy


def _upper(event: Event, name: str) -> str:
    return str(event.get(name, "")).strip().upper()


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return local_to_utc(value, time(0), zone)
    if value.tzinfo is None:  # floating and no usable X-WR-TIMEZONE
        return local_to_utc(value.date(), value.time(), zone)
    return value.astimezone(UTC)


def _limit_expansion(query: Any, window: tuple[datetime, datetime], zone: ZoneInfo) -> None:
    """Raise FeedError before the library expands an RRULE into too many occurrences.

    dateutil steps through every occurrence from DTSTART on (cheap, a few microseconds each) and
    the library turns those near the window into components (some 50 microseconds each), so both
    are bounded. The rules are read from recurring-ical-events internals (Series.recurrence.rrules,
    built with cache=True, so the occurrences stepped through here are reused by the expansion); if
    those move, nothing is counted and test_expansion_guard_sees_the_rules fails.
    """
    steps = found = 0
    started = clock.monotonic()
    for series in getattr(query, "series", ()):
        # A modification moved far after its RECURRENCE-ID makes the library expand further.
        stop = window[1] + _MARGIN + getattr(series, "_add_to_stop", timedelta(0))
        bounds = {True: (window[0] - _MARGIN, stop)}
        bounds[False] = tuple(b.astimezone(zone).replace(tzinfo=None) for b in bounds[True])
        for rule in getattr(series.recurrence, "rrules", ()):
            if not isinstance(rule, rrulebase):
                continue
            for occurrence in rule:
                steps += 1
                if steps > MAX_EXPANSION_STEPS:
                    raise FeedError("too many events")
                begin, end = bounds[occurrence.tzinfo is not None]  # naive: all-day or floating
                if occurrence > end:
                    break
                if occurrence >= begin:
                    found += 1
                    if found > MAX_OCCURRENCES:
                        raise FeedError("too many events")
            # A rule that can never match (BYMONTH=2;BYMONTHDAY=30) yields nothing while dateutil
            # runs to the year 9999; that costs seconds each, so bound the total time.
            if clock.monotonic() - started > MAX_EXPANSION_SECONDS:
                raise FeedError("feed too expensive to expand")


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
