"""Gathers what the pure slot computation needs from the database, for queries and bookings."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain import validation
from domain.errors import BadUserInput, NotFound
from domain.slots import Interval, SlotRules, compute_slots, is_bookable
from models.booking import CANCELLED, Booking
from models.event_type import EventType
from services import availability
from services.busy import calendar_busy
from services.clock import utcnow

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
    busy: list[Interval]
    rules: SlotRules
    tz: ZoneInfo
    bookings_per_day: dict[date, int]
    now: datetime


async def host_busy(
    host_id: int, start: datetime, end: datetime, *, exclude_booking: int | None = None
) -> list[Interval]:
    """Time the host is taken: non-cancelled bookings of any of their event types (widened by
    their buffers), and the busy times of their linked calendars."""
    query = Booking.filter(
        host_id=host_id, busy_end__gt=start, busy_start__lt=end, status__not=CANCELLED
    )
    if exclude_booking is not None:
        query = query.exclude(id=exclude_booking)
    rows = await query.values_list("busy_start", "busy_end")
    return [(s, e) for s, e in rows] + await calendar_busy(host_id, start, end)


async def _bookings_per_day(
    event_type: EventType, tz: ZoneInfo, start: datetime, end: datetime, exclude: int | None
) -> dict[date, int]:
    query = Booking.filter(
        event_type_id=event_type.id, start__gte=start, start__lt=end, status__not=CANCELLED
    )
    if exclude is not None:
        query = query.exclude(id=exclude)
    starts = await query.values_list("start", flat=True)
    return dict(Counter(s.astimezone(tz).date() for s in starts))


async def inputs(
    event_type: EventType,
    host_zone: str,
    start: datetime,
    end: datetime,
    *,
    exclude_booking: int | None = None,
) -> SlotInputs:
    tz = ZoneInfo(host_zone)
    wide_start, wide_end = start - MARGIN, end + MARGIN
    return SlotInputs(
        working=await availability.working_time(event_type.host_id, tz, start, end),
        busy=await host_busy(
            event_type.host_id, wide_start, wide_end, exclude_booking=exclude_booking
        ),
        rules=rules_for(event_type),
        tz=tz,
        bookings_per_day=await _bookings_per_day(
            event_type, tz, wide_start, wide_end, exclude_booking
        ),
        now=utcnow(),
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


async def available(
    event_type_id: int,
    start: datetime,
    end: datetime,
    time_zone: str | None,
    *,
    limit: int | None = None,
) -> tuple[list[Interval], ZoneInfo]:
    """Free slots in [start, end), and the zone to show them in (asked for, else the host's).
    A window that could hold more than `limit` slots is refused before they are computed."""
    if end <= start:
        raise BadUserInput("end", "must be after start")
    if end - start > MAX_WINDOW:
        raise BadUserInput("end", f"the window may span at most {MAX_WINDOW.days} days")
    shown_in = validation.time_zone(time_zone) if time_zone is not None else None
    # A suspended host's booking pages are closed: no slots either.
    event_type = await EventType.get_or_none(
        id=event_type_id, active=True, host__suspended_at=None
    ).select_related("host")
    if event_type is None:
        raise NotFound("Event type")
    data = await inputs(event_type, event_type.host.time_zone, start, end)
    if limit is not None:
        most = _most_slots(data.working, start, end, data.rules.interval)
        if most > limit:
            raise too_many_slots(most, limit)
    slots = compute_slots(
        working=data.working,
        busy=data.busy,
        rules=data.rules,
        now=data.now,
        window_start=start,
        window_end=end,
        tz=data.tz,
        bookings_per_day=data.bookings_per_day,
    )
    return slots, shown_in or data.tz


def bookable(start: datetime, data: SlotInputs) -> bool:
    return is_bookable(
        start,
        working=data.working,
        busy=data.busy,
        rules=data.rules,
        now=data.now,
        tz=data.tz,
        bookings_per_day=data.bookings_per_day,
    )
