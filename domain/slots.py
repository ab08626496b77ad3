"""Bookable slots: working time minus busy time, under an event type's rules.

All arithmetic is on real elapsed time: instants are handled as exact `timedelta`s since the Unix
epoch (no floats), so the zone a datetime is given in does not matter and DST cannot bend it; slots
come back as UTC datetimes. The host zone only decides which local day a slot belongs to for
`max_per_day`, and which day `is_bookable` looks at. Intervals are half-open [start, end): touching
intervals do not overlap, and an empty interval overlaps nothing.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import compress
from operator import lt
from zoneinfo import ZoneInfo

from domain.availability import local_to_utc

Interval = tuple[datetime, datetime]  # UTC-aware, half-open [start, end)

_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Open ends of the free time before all busy time and after it (only ever compared or nudged).
_BEFORE_ALL, _AFTER_ALL = timedelta.min, timedelta.max


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


def _naive() -> ValueError:
    # Subtracting the aware epoch from a naive datetime raises TypeError: reported as this.
    return ValueError("datetimes must be timezone-aware")


def _instant(value: datetime) -> timedelta:
    """Exact real time since the epoch, whatever the zone (and fold) of an aware datetime."""
    try:
        return value - _EPOCH
    except TypeError:
        raise _naive() from None


def _spans(intervals: list[Interval]) -> list[tuple[timedelta, timedelta]]:
    try:
        return sorted([(start - _EPOCH, end - _EPOCH) for start, end in intervals])
    except TypeError:
        raise _naive() from None


def _free_time(busy: list[Interval]) -> tuple[list[timedelta], list[timedelta]]:
    """The time no busy interval covers, as (lows, highs): for each p, [lows[p], highs[p]) is a
    maximal free gap when lows[p] < highs[p], and busy time follows it when it is not.

    Starts s_0 <= s_1 <= ... and ends e_0 <= e_1 <= ... of the non-empty intervals are sorted
    independently: two flat C-level sorts, no per-interval merge loop. Since e_i >= s_i and exactly
    i intervals start before s_i, nothing is busy on [e_(i-1), s_i) when e_(i-1) < s_i, and
    something is busy everywhere else in [s_0, e_last). So lows = [-inf, e_0, e_1, ...] and
    highs = [s_0, s_1, ..., +inf], both ascending.
    """
    try:
        # Comprehensions, not a helper: converting is a good part of the cost for a large list.
        starts = [start - _EPOCH for start, _ in busy]
        ends = [end - _EPOCH for _, end in busy]
    except TypeError:
        raise _naive() from None
    if not all(map(lt, starts, ends)):
        keep = list(map(lt, starts, ends))  # empty (or reversed) intervals overlap nothing
        starts, ends = list(compress(starts, keep)), list(compress(ends, keep))
    starts.sort()
    ends.sort()
    ends.insert(0, _BEFORE_ALL)  # lows[p] = e_(p-1)
    starts.append(_AFTER_ALL)  # highs[p] = s_p
    return ends, starts


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
    closed_days: set[date] | None = None,
) -> list[Interval]:
    """Slots [s, s + duration), sorted and unique, with s on the grid `w_start + k * interval`.

    Offered iff the slot lies inside that working interval w; [s - buffer_before, s + duration +
    buffer_after) overlaps no busy interval (busy: already widened, any order, may overlap);
    now + minimum_notice <= s < now + horizon_days; the host-local day of s has fewer than
    max_per_day bookings and is not one of `closed_days` (weekly and monthly limits, see
    domain/limits.py); window_start <= s < window_end.

    Busy time is turned once into its free gaps (two sorts); each working interval bisects once
    into them, walks forward over the gaps (and busy starts) it overlaps and emits the grid starts
    that fit in each gap, so the cost is O((n + m) log n + n + slots) with no per-candidate work.
    """
    now_at = _instant(now)
    lo = max(_instant(window_start), now_at + rules.minimum_notice)
    hi = _instant(window_end)
    if rules.horizon_days is not None:
        hi = min(hi, now_at + timedelta(days=rules.horizon_days))
    if lo >= hi:
        return []

    spans = _spans(working)
    lows, highs = _free_time(busy)
    n_gaps = len(highs)
    per_day = bookings_per_day or {}
    limit = rules.max_per_day
    if limit and all(n < limit for n in per_day.values()):
        limit = None  # no day is full: skip the per-slot local-date lookup
    closed_lows, closed_highs = _closed_spans(closed_days, tz)
    duration, step, before = rules.duration, rules.interval, rules.buffer_before
    reach = duration + rules.buffer_after  # from a slot's start to the end of its widened range
    latest = hi - _TICK  # the last instant a slot may start

    out: list[Interval] = []
    append = out.append
    ordered, emitted_up_to = True, _BEFORE_ALL
    for w_start, w_end in spans:
        # Grid starts first, first + step, ... up to last; `x + (g - x) % step` is the first
        # grid point at or after x (timedelta % is floor-mod, so it is never negative).
        first = w_start if w_start >= lo else lo + (w_start - lo) % step
        last = w_end - duration
        if last > latest:
            last = latest
        if first > last:
            continue
        # From the first gap that ends late enough to hold a slot starting at `first` or later,
        # up to the first one that opens too late for this working interval.
        last_low = last - before
        for p in range(bisect_left(highs, first + reach), n_gaps):
            low = lows[p]
            if low > last_low:
                break
            high = highs[p]
            if low >= high:
                continue  # no gap before s_p
            earliest = low + before
            stop = high - reach
            if stop > last:
                stop = last
            if earliest > stop:
                continue  # too short for one slot
            start = first if earliest <= first else earliest + (first - earliest) % step
            if start > stop:
                continue
            if start <= emitted_up_to:
                ordered = False  # working intervals overlap: sort and dedupe below
            emitted_up_to = stop
            slot = _EPOCH + start
            stop_at = _EPOCH + stop
            while slot <= stop_at:
                if (limit is None or per_day.get(slot.astimezone(tz).date(), 0) < limit) and (
                    not closed_lows or not _inside(slot, closed_lows, closed_highs)
                ):
                    append((slot, slot + duration))
                slot += step
    return out if ordered else sorted(set(out))


def _closed_spans(
    closed_days: set[date] | None, tz: ZoneInfo
) -> tuple[list[datetime], list[datetime]]:
    """The closed host-local days as sorted UTC spans [midnight, next midnight): an instant's
    local date is a closed day iff it lies in one (a bisect, not a zone conversion per slot)."""
    days = sorted(closed_days or ())
    return (
        [local_to_utc(d, time(0), tz) for d in days],
        [local_to_utc(d + timedelta(days=1), time(0), tz) for d in days],
    )


def _inside(instant: datetime, lows: list[datetime], highs: list[datetime]) -> bool:
    i = bisect_right(lows, instant) - 1
    return i >= 0 and instant < highs[i]


def is_bookable(
    start: datetime,
    *,
    working: list[Interval],
    busy: list[Interval],
    rules: SlotRules,
    now: datetime,
    tz: ZoneInfo,
    bookings_per_day: dict[date, int] | None = None,
    closed_days: set[date] | None = None,
) -> bool:
    """Whether compute_slots would offer exactly `start`, judged over its host-local day."""
    start = _EPOCH + _instant(start)  # in UTC; refuses a naive datetime
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
        closed_days=closed_days,
    )
    return any(slot_start == start for slot_start, _ in slots)
