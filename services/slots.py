"""Gathers what the pure slot computation needs from the database, for queries and bookings."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import validation
from domain.availability import local_to_utc
from domain.errors import BadUserInput, NotFound
from domain.limits import Limits, closed_days, counting_span
from domain.seats import Occupant, Seating, offer, seating
from domain.slots import Interval, SlotRules, compute_slots
from models.booking import CANCELLED, Booking
from models.event_type import EventType
from models.hold import SlotHold
from services import availability, event_types
from services.busy import calendar_busy
from services.clock import utcnow

Seated = tuple[datetime, datetime, int]  # a slot and its seats left

MAX_WINDOW = timedelta(days=62)
# Bookings this far either side of a window can still take time inside it (buffers, long meetings).
MARGIN = timedelta(days=2)


def rules_for(event_type: EventType) -> SlotRules:
    return SlotRules(
        duration=timedelta(minutes=event_type.duration_minutes),
        interval=timedelta(minutes=event_type.slot_interval_minutes or event_type.duration_minutes),
        buffer_before=timedelta(minutes=event_type.buffer_before_minutes),
        buffer_after=timedelta(minutes=event_type.buffer_after_minutes),
        minimum_notice=timedelta(minutes=event_type.minimum_notice_minutes),
        max_per_day=event_type.max_bookings_per_day,
        horizon_days=event_type.horizon_days,
    )


def busy_range(event_type: EventType, start: datetime, end: datetime) -> Interval:
    return (
        start - timedelta(minutes=event_type.buffer_before_minutes),
        end + timedelta(minutes=event_type.buffer_after_minutes),
    )


@dataclass(frozen=True, slots=True)
class SlotInputs:
    working: list[Interval]
    busy: list[Interval]  # busy for every slot: calendars, other event types, full seat groups
    seating: Seating
    rules: SlotRules
    tz: ZoneInfo
    closed_days: set[date]
    now: datetime


async def host_busy(
    host_id: int, start: datetime, end: datetime, *, exclude_booking: int | None = None
) -> list[Interval]:
    """Time the host is taken: non-cancelled bookings of any of their event types (widened by
    their buffers), and the busy times of their linked calendars."""
    occupants = await _occupants(host_id, start, end, exclude_booking, utcnow())
    return [o.busy for o in occupants] + await calendar_busy(host_id, start, end)


async def _occupants(
    host_id: int, start: datetime, end: datetime, exclude: int | None, now: datetime
) -> list[Occupant]:
    """Non-cancelled bookings and live holds of the host taking time in [start, end)."""
    query = Booking.filter(
        host_id=host_id, busy_end__gt=start, busy_start__lt=end, status__not=CANCELLED
    )
    if exclude is not None:
        query = query.exclude(id=exclude)
    rows = await query.values_list("event_type_id", "start", "busy_start", "busy_end")
    held = await SlotHold.filter(
        host_id=host_id, busy_end__gt=start, busy_start__lt=end, expires_at__gt=now
    ).values_list("event_type_id", "start", "busy_start", "busy_end")
    return [Occupant(t, s, (bs, be)) for t, s, bs, be in [*rows, *held]]


async def _closed_days(
    event_type: EventType, tz: ZoneInfo, start: datetime, end: datetime, exclude: int | None
) -> set[date]:
    """Host-local days of [start, end) closed by the daily, weekly or monthly limit: bookings
    and live holds of the event type count."""
    limits = Limits(
        event_type.max_bookings_per_day,
        event_type.max_bookings_per_week,
        event_type.max_bookings_per_month,
    )
    if not limits.any:
        return set()
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    low, high = counting_span(first, last)
    since = local_to_utc(low, time(0), tz)
    until = local_to_utc(high + timedelta(days=1), time(0), tz)
    query = Booking.filter(
        event_type_id=event_type.id, start__gte=since, start__lt=until, status__not=CANCELLED
    )
    if exclude is not None:
        query = query.exclude(id=exclude)
    starts = await query.values_list("start", flat=True)
    starts += await SlotHold.filter(
        event_type_id=event_type.id, start__gte=since, start__lt=until, expires_at__gt=utcnow()
    ).values_list("start", flat=True)
    counts = Counter(s.astimezone(tz).date() for s in starts)
    return closed_days(counts, limits, first, last)


async def inputs(
    event_type: EventType,
    host_zone: str,
    start: datetime,
    end: datetime,
    *,
    exclude_booking: int | None = None,
) -> SlotInputs:
    tz = ZoneInfo(host_zone)
    now = utcnow()
    wide_start, wide_end = start - MARGIN, end + MARGIN
    occupants = await _occupants(event_type.host_id, wide_start, wide_end, exclude_booking, now)
    seated = seating(occupants, event_type.id, event_type.seats_per_slot)
    return SlotInputs(
        working=await availability.working_time(event_type.host_id, tz, start, end),
        busy=seated.blocking + await calendar_busy(event_type.host_id, wide_start, wide_end),
        seating=seated,
        rules=rules_for(event_type),
        tz=tz,
        closed_days=await _closed_days(event_type, tz, start, end, exclude_booking),
        now=now,
    )


def too_many_slots(count: int, left: int) -> BadUserInput:
    return BadUserInput(
        "end",
        f"the window holds up to {count} slots, more than the {left} this request may still "
        "return (MAX_SLOTS): ask for a shorter window",
    )


def _most_slots(working: list[Interval], start: datetime, end: datetime, step: timedelta) -> int:
    """At most how many slots the window can offer: its working time over the slot interval."""
    total = 0
    for w_start, w_end in working:
        span = min(w_end, end) - max(w_start, start)
        if span > timedelta(0):
            total += -(-span // step)
    return total


def offered(data: SlotInputs, start: datetime, end: datetime) -> list[Seated]:
    """(start, end, seats left) of every slot in [start, end)."""
    slots = compute_slots(
        working=data.working,
        busy=data.busy,
        rules=data.rules,
        now=data.now,
        window_start=start,
        window_end=end,
        tz=data.tz,
        closed_days=data.closed_days,
    )
    return offer(slots, data.seating, data.rules.buffer_before, data.rules.buffer_after)


async def available(
    event_type_id: int,
    start: datetime,
    end: datetime,
    time_zone: str | None,
    *,
    limit: int | None = None,
    viewer_id: int | None = None,
) -> tuple[list[Seated], ZoneInfo]:
    """Free slots in [start, end) with their seats left, and the zone to show them in (asked
    for, else the host's). A window that could hold more than `limit` slots is refused before
    they are computed."""
    if end <= start:
        raise BadUserInput("end", "must be after start")
    if end - start > MAX_WINDOW:
        raise BadUserInput("end", f"the window may span at most {MAX_WINDOW.days} days")
    shown_in = validation.time_zone(time_zone) if time_zone is not None else None
    # A suspended host's booking pages are closed: no slots either.
    event_type = await EventType.get_or_none(
        id=event_type_id, active=True, host__suspended_at=None
    ).select_related("host")
    if event_type is None or not event_types.shown_to(event_type, viewer_id):
        raise NotFound("Event type")
    data = await inputs(event_type, event_type.host.time_zone, start, end)
    if limit is not None:
        most = _most_slots(data.working, start, end, data.rules.interval)
        if most > limit:
            raise too_many_slots(most, limit)
    return offered(data, start, end), shown_in or data.tz


def seats_left(start: datetime, data: SlotInputs) -> int:
    """The seats left at exactly `start` (0: not offered), judged over its host-local day."""
    day = start.astimezone(data.tz).date()
    window = (
        local_to_utc(day, time(0), data.tz),
        local_to_utc(day + timedelta(days=1), time(0), data.tz),
    )
    return next((left for s, _, left in offered(data, *window) if s == start), 0)


def bookable(start: datetime, data: SlotInputs) -> bool:
    return seats_left(start, data) > 0
