"""Gathers what the pure slot computation needs from the database, for queries and bookings."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain, groupby
from zoneinfo import ZoneInfo

from domain import validation
from domain.availability import local_to_utc, working_intervals
from domain.errors import BadUserInput, NotFound
from domain.limits import Limits, closed_days, counting_span
from domain.seats import Occupant, Seating, offer, seating
from domain.slots import Interval, SlotRules, compute_slots
from models.event_type import EventType
from models.user import User
from services import event_types, slot_read
from services.clock import utcnow

Seated = tuple[datetime, datetime, int]  # a slot and its seats left

MAX_WINDOW = timedelta(days=62)
# Bookings this far either side of a window can still take time inside it (buffers, long meetings).
MARGIN = timedelta(days=2)
_TICK = timedelta(microseconds=1)


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


def day_window(start: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The span a booking of `start` is judged over: its host-local day, widened."""
    local = start.astimezone(tz)
    midnight = datetime.combine(local.date(), datetime.min.time(), tz)
    return midnight - timedelta(hours=3), midnight + timedelta(hours=27)


@dataclass(frozen=True, slots=True)
class SlotInputs:
    working: list[Interval]
    busy: list[Interval]  # busy for every slot: calendars, other event types, full seat groups
    seating: Seating
    rules: SlotRules
    tz: ZoneInfo
    closed_days: set[date]
    now: datetime


def limits_of(event_type: EventType) -> Limits:
    return Limits(
        event_type.max_bookings_per_day,
        event_type.max_bookings_per_week,
        event_type.max_bookings_per_month,
    )


def counting_window(tz: ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The instants whose bookings of an event type decide its limits for [start, end)."""
    low, high = counting_span(start.astimezone(tz).date(), end.astimezone(tz).date())
    return local_to_utc(low, time(0), tz), local_to_utc(high + timedelta(days=1), time(0), tz)


def closed_by(
    starts: list[datetime], limits: Limits, tz: ZoneInfo, start: datetime, end: datetime
) -> set[date]:
    """Host-local days of [start, end) closed by the limits, given the starts of the event
    type's bookings and live holds in `counting_window`."""
    counts = Counter(s.astimezone(tz).date() for s in starts)
    return closed_days(counts, limits, start.astimezone(tz).date(), end.astimezone(tz).date())


async def inputs(
    event_type: EventType,
    host_zone: str,
    start: datetime,
    end: datetime,
    *,
    exclude_booking: int | None = None,
    host_id: int | None = None,
) -> SlotInputs:
    """`host_id`: whose time (a host of a team event type); by default the event type's host."""
    host_id = event_type.host_id if host_id is None else host_id
    found = await inputs_of(
        event_type, start, end, hosts={host_id: host_zone}, exclude_booking=exclude_booking
    )
    return found[host_id]


def assemble(
    event_type: EventType,
    tz: ZoneInfo,
    now: datetime,
    *,
    occupants: list[Occupant],
    working: list[Interval],
    calendar: list[Interval],
    closed: set[date],
) -> SlotInputs:
    """What the slot computation needs, from what was read (the occupants and calendar busy
    time of [start - MARGIN, end + MARGIN), the working time and closed days of [start, end))."""
    seated = seating(occupants, event_type.id, event_type.seats_per_slot)
    return SlotInputs(
        working=working,
        busy=seated.blocking + calendar,
        seating=seated,
        rules=rules_for(event_type),
        tz=tz,
        closed_days=closed,
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
    before, after = data.rules.buffer_before, data.rules.buffer_after
    return offer(free_slots(data, start, end), data.seating, before, after)


def free_slots(data: SlotInputs, start: datetime, end: datetime) -> list[Interval]:
    """The slots of [start, end) with busy time (full seat groups included) kept out; those an
    open seat group overlaps are still among them (`offer` decides those)."""
    return compute_slots(
        working=data.working,
        busy=data.busy,
        rules=data.rules,
        now=data.now,
        window_start=start,
        window_end=end,
        tz=data.tz,
        closed_days=data.closed_days,
    )


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
    event_type = await event_types.public(event_type_id, viewer_id)
    if event_type is None:
        raise NotFound("Event type")
    if event_type.team_id is not None:
        found = await _team_offered(event_type, start, end, limit)
        return found, shown_in or ZoneInfo(event_type.host.time_zone)
    data = await inputs(event_type, event_type.host.time_zone, start, end)
    if limit is not None:
        most = _most_slots(data.working, start, end, data.rules.interval)
        if most > limit:
            raise too_many_slots(most, limit)
    return offered(data, start, end), shown_in or data.tz


async def team_hosts(event_type: EventType) -> list[User]:
    """The hosts of a team event type who can take bookings (not suspended), by id."""
    return await User.filter(
        hosted_team_event_types__event_type_id=event_type.id, suspended_at=None
    ).order_by("id")


async def team_inputs(
    event_type: EventType,
    start: datetime,
    end: datetime,
    *,
    hosts: list[User] | None = None,
    exclude_booking: int | None = None,
) -> dict[int, SlotInputs]:
    """`inputs` of each host of a team event type (the given ones, else its unsuspended hosts,
    by id)."""
    given = None if hosts is None else {h.id: h.time_zone for h in hosts}
    return await inputs_of(event_type, start, end, hosts=given, exclude_booking=exclude_booking)


async def inputs_of(
    event_type: EventType,
    start: datetime,
    end: datetime,
    *,
    hosts: dict[int, str] | None = None,
    exclude_booking: int | None = None,
) -> dict[int, SlotInputs]:
    """What the slot computation needs for each host (id -> zone; by default a team event
    type's unsuspended hosts), read for them all in one statement (services/slot_read.py)."""
    now = utcnow()
    limits = limits_of(event_type)
    found = await slot_read.read(
        event_type.id,
        start,
        end,
        now=now,
        margin=MARGIN,
        limits=limits.any,
        hosts=hosts,
        exclude_booking=exclude_booking,
    )
    working: dict[tuple[object, ...], list[Interval]] = {}
    inputs = {}
    for host_id, rows in found.items():
        tz = ZoneInfo(rows.time_zone)
        # Hosts of a team often keep the same hours in the same zone: computed once for them.
        key = (
            rows.time_zone,
            tuple(rows.weekly),
            tuple((day, tuple(spans)) for day, spans in sorted(rows.overrides.items())),
        )
        if key not in working:
            working[key] = working_intervals(tz, rows.weekly, rows.overrides, start, end)
        inputs[host_id] = assemble(
            event_type,
            tz,
            now,
            occupants=rows.occupants,
            working=working[key],
            calendar=rows.calendar,
            closed=closed_by(rows.counted, limits, tz, start, end) if limits.any else set(),
        )
    return inputs


async def _team_offered(
    event_type: EventType, start: datetime, end: datetime, limit: int | None
) -> list[Seated]:
    """ROUND_ROBIN: a slot at least one host can take, with how many can; COLLECTIVE: a slot
    every host can take (one seat). Each host's own hours, bookings, calendars and limits."""
    inputs = await team_inputs(event_type, start, end)
    offers = []
    for data in inputs.values():
        if limit is not None:
            most = _most_slots(data.working, start, end, data.rules.interval)
            if most > limit:
                raise too_many_slots(most, limit)
        if data.seating.open_groups:
            offers.append([(s, e) for s, e, _ in offered(data, start, end)])
        else:  # one seat a host, as every team event type has: no seats to count
            offers.append(free_slots(data, start, end))
    # Each host's slots are sorted: one sort of them all merges the runs in C, and equal slots
    # become neighbours (no hashing of aware datetimes, which asks their zone for every one).
    free = [(slot, len(list(same))) for slot, same in groupby(sorted(chain(*offers)))]
    if event_type.assignment == "COLLECTIVE":
        return [(s, e, 1) for (s, e), n in free if n == len(inputs)]
    return [(s, e, n) for (s, e), n in free]


def seats_left(start: datetime, data: SlotInputs) -> int:
    """The seats left at exactly `start` (0: not offered). Each slot is judged on its own (the
    grid comes from the working time, the limits from the closed days), so the window is `start`
    alone: computing the whole day to pick one slot out of it gave the same answer."""
    return next((left for s, _, left in offered(data, start, start + _TICK) if s == start), 0)


def bookable(start: datetime, data: SlotInputs) -> bool:
    return seats_left(start, data) > 0
