"""Bookable slots: working time minus busy time, under an event type's rules.

All arithmetic is on UTC instants (real elapsed time); the host zone only decides which local day a
slot belongs to for `max_per_day`, and which day `is_bookable` looks at. Intervals are half-open
[start, end): touching intervals do not overlap, and an empty interval overlaps nothing.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from domain.availability import local_to_utc

Interval = tuple[datetime, datetime]  # UTC-aware, half-open [start, end)

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class SlotRules:
    duration: timedelta
    interval: timedelta  # step between slot starts (caller passes duration when unset)
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO
    minimum_notice: timedelta = _ZERO
    max_per_day: int | None = None
    horizon_days: int | None = None

    def __post_init__(self) -> None:
        # Invariants only (a zero step would never terminate); user input is validated upstream.
        if self.duration <= _ZERO or self.interval <= _ZERO:
            raise ValueError("duration and interval must be positive")
        if min(self.buffer_before, self.buffer_after, self.minimum_notice) < _ZERO:
            raise ValueError("buffers and minimum notice must not be negative")
        if (self.max_per_day or 0) < 0 or (self.horizon_days or 0) < 0:
            raise ValueError("max_per_day and horizon_days must not be negative")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    # Same-tzinfo arithmetic in Python is wall-clock arithmetic; UTC makes it real time.
    return value.astimezone(UTC)


def _utc_spans(intervals: list[Interval]) -> list[Interval]:
    """Non-empty intervals in UTC, sorted by start (an empty interval overlaps nothing)."""
    if any(s.tzinfo is None or e.tzinfo is None for s, e in intervals):
        raise ValueError("datetimes must be timezone-aware")
    spans = [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in intervals if s < e]
    spans.sort(key=itemgetter(0))
    return spans


def _merge(intervals: list[Interval]) -> tuple[list[datetime], list[datetime]]:
    """Starts and ends of the disjoint UTC intervals covering the same instants, ascending."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    # Inlined rather than via _utc: this loop is most of the cost for a large busy list.
    for start, end in sorted(intervals, key=itemgetter(0)):
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        if start >= end:
            continue  # empty: overlaps nothing
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _ceil_steps(distance: timedelta, step: timedelta) -> int:
    whole, rest = divmod(distance, step)
    return whole + (rest > _ZERO)


def compute_slots(
    *,
    working: list[Interval],
    busy: list[Interval],
    rules: SlotRules,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
    tz: ZoneInfo,
    bookings_per_day: dict[date, int] | None = None,
) -> list[Interval]:
    """Slots [s, s + duration), sorted and unique, with s on the grid `w_start + k * interval`.

    Offered iff the slot lies inside that working interval w; [s - buffer_before, s + duration +
    buffer_after) overlaps no busy interval (busy: already widened, any order, may overlap);
    now + minimum_notice <= s < now + horizon_days; the host-local day of s has fewer than
    max_per_day bookings; window_start <= s < window_end.

    Busy time is merged once; each working interval bisects once into it and then sweeps a pointer
    forward as candidates ascend, so the cost is O((n + m) log n + candidates).
    """
    now = _utc(now)
    lo = max(_utc(window_start), now + rules.minimum_notice)
    hi = _utc(window_end)
    if rules.horizon_days is not None:
        hi = min(hi, now + timedelta(days=rules.horizon_days))
    if lo >= hi:
        return []

    busy_starts, busy_ends = _merge(busy)
    n_busy = len(busy_ends)
    per_day = bookings_per_day or {}
    limit = rules.max_per_day
    if limit and all(n < limit for n in per_day.values()):
        limit = None  # no day is full: skip the per-candidate local-date lookup
    duration, step = rules.duration, rules.interval
    before, after = rules.buffer_before, rules.buffer_after

    out: list[Interval] = []
    ordered = True
    for w_start, w_end in _utc_spans(working):
        start = w_start
        if start < lo:
            start += step * _ceil_steps(lo - start, step)
        last_start = min(w_end - duration, hi - timedelta(microseconds=1))
        j = bisect_right(busy_ends, start - before)
        while start <= last_start:
            widened_start = start - before
            while j < n_busy and busy_ends[j] <= widened_start:
                j += 1
            if j < n_busy and busy_starts[j] < start + duration + after:
                # Jump to the first candidate whose widened range starts at or after this block.
                start += step * _ceil_steps(busy_ends[j] - widened_start, step)
                continue
            if limit is None or per_day.get(start.astimezone(tz).date(), 0) < limit:
                if out and start <= out[-1][0]:
                    ordered = False
                out.append((start, start + duration))
            start += step
    return out if ordered else sorted(set(out))


def is_bookable(
    start: datetime,
    *,
    working: list[Interval],
    busy: list[Interval],
    rules: SlotRules,
    now: datetime,
    tz: ZoneInfo,
    bookings_per_day: dict[date, int] | None = None,
) -> bool:
    """Whether compute_slots would offer exactly `start`, judged over its host-local day."""
    start = _utc(start)
    day = start.astimezone(tz).date()
    slots = compute_slots(
        working=working,
        busy=busy,
        rules=rules,
        now=now,
        window_start=local_to_utc(day, time(0), tz),
        window_end=local_to_utc(day + timedelta(days=1), time(0), tz),
        tz=tz,
        bookings_per_day=bookings_per_day,
    )
    return any(slot_start == start for slot_start, _ in slots)
