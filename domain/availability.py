"""Host availability: wall-clock rules in the host's zone -> UTC working intervals.

Rules are wall-clock times ("09:00"-"17:00" every Monday) in the host's IANA zone, so the UTC
instant of "09:00" moves with DST. Two wall times need a deliberate choice:

* A wall time that does not exist (spring-forward gap, e.g. 01:30 in London on 2027-03-28) maps to
  the first valid instant after the gap, i.e. the transition instant (01:00Z there).
* An ambiguous wall time (autumn repeat, e.g. 01:30 in London on 2027-10-31) maps to its FIRST
  occurrence (fold=0, 00:30Z there).

Consequently a rule spanning a gap is shorter in real time than on the wall (00:30-03:30 on the
London spring day lasts 2 h) and one spanning a repeat is longer (00:30-03:30 on the autumn day
lasts 4 h).

End of day: "24:00" (accepted only where `allow_24=True`) parses to the sentinel `END_OF_DAY`
(== `time.max`), which `local_to_utc` reads as 00:00 of the next local day. `time(0, 0)` is never a
valid end (an interval needs end > start); `format_hhmm` turns the sentinel back into "24:00".
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from domain.errors import BadUserInput

END_OF_DAY = time.max
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    weekday: int  # 0 = Monday … 6 = Sunday
    start: time
    end: time  # > start; END_OF_DAY for "24:00"

    def __post_init__(self) -> None:
        # Invariants only: user input is validated earlier with parse_hhmm/validate_intervals.
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if self.end <= self.start:
            raise ValueError("end must be after start")


def parse_hhmm(value: str, *, field: str, allow_24: bool = False) -> time:
    """Parse "HH:MM" (two-digit 24-hour clock). "24:00" -> END_OF_DAY if allow_24."""
    if not isinstance(value, str):
        raise BadUserInput(field, "expected a time as HH:MM")
    if allow_24 and value == "24:00":
        return END_OF_DAY
    match = _HHMM.fullmatch(value)
    if match is None:
        allowed = "00:00-24:00" if allow_24 else "00:00-23:59"
        raise BadUserInput(field, f"expected a time as HH:MM ({allowed}), got {value!r}")
    return time(int(match[1]), int(match[2]))


def format_hhmm(value: time) -> str:
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


def validate_intervals(intervals: list[tuple[time, time]], *, field: str) -> None:
    """Each interval must have end > start; intervals may touch but not overlap."""
    for start, end in intervals:
        if end <= start:
            raise BadUserInput(
                field, f"end ({format_hhmm(end)}) must be after start ({format_hhmm(start)})"
            )
    ordered = sorted(intervals)
    for (_, prev_end), (start, end) in pairwise(ordered):
        if start < prev_end:
            raise BadUserInput(
                field, f"{format_hhmm(start)}-{format_hhmm(end)} overlaps another interval"
            )


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """UTC instant of wall-clock `wall` on local `day` in `tz` (see module docstring for DST)."""
    if wall == END_OF_DAY:
        day, wall = day + timedelta(days=1), time(0)
    naive = datetime.combine(day, wall).replace(fold=0)
    first = naive.replace(tzinfo=tz)  # fold=0: the first occurrence of an ambiguous time
    utc = first.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) == naive:
        return utc
    # In a gap, fold=1 uses the post-transition offset and lands before the transition, fold=0
    # lands after it; bisect on whole seconds (tzdata transitions are whole seconds).
    lo = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    hi = int(utc.timestamp()) + 1
    after = utc.astimezone(tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def working_intervals(
    tz: ZoneInfo,
    weekly: list[WeeklyRule],
    overrides: dict[date, list[tuple[time, time]]],
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    """Sorted UTC working intervals that intersect [start, end), one per rule per local day.

    Each local day in `tz` touching the window uses its override if present ([] = day off),
    else the weekly rules for its weekday. Intervals are neither clipped to the window nor
    merged across rules or days: the slot grid starts at each interval's start, so it must not
    depend on where a query's window begins (what is offered must be what can be booked).
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for rule in weekly:
        by_weekday.setdefault(rule.weekday, []).append((rule.start, rule.end))

    # A day's rule can reach past its own midnight only via "24:00"; one day of margin suffices.
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    out: list[tuple[datetime, datetime]] = []
    while day <= last:
        rules = overrides[day] if day in overrides else by_weekday.get(day.weekday(), [])
        for wall_start, wall_end in sorted(rules):
            lo = local_to_utc(day, wall_start, tz)
            hi = local_to_utc(day, wall_end, tz)
            if lo < hi and hi > start and lo < end:  # empty: wholly inside a DST gap
                out.append((lo, hi))
        day += timedelta(days=1)
    return out
