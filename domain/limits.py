"""Booking limits per host-local day, ISO week and calendar month: which days are closed."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Limits:
    per_day: int | None = None
    per_week: int | None = None  # ISO weeks, Monday to Sunday
    per_month: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.per_day or self.per_week or self.per_month)


def week_of(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def counting_span(first: date, last: date) -> tuple[date, date]:
    """The days whose bookings decide whether any day of [first, last] is closed: from the start
    of the earlier of first's ISO week and month to the end of the later of last's."""
    week_start = first - timedelta(days=first.weekday())
    low = min(week_start, first.replace(day=1))
    week_end = last + timedelta(days=6 - last.weekday())
    next_month = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    return low, max(week_end, next_month - timedelta(days=1))


def closed_days(counts: dict[date, int], limits: Limits, first: date, last: date) -> set[date]:
    """Days of [first, last] on which no more bookings may be made: the day, its ISO week or its
    month already holds its limit of bookings (`counts`: bookings per host-local day; it must
    cover `counting_span(first, last)`)."""
    if not limits.any or first > last:
        return set()
    weeks: Counter[tuple[int, int]] = Counter()
    months: Counter[tuple[int, int]] = Counter()
    for day, n in counts.items():
        weeks[week_of(day)] += n
        months[month_of(day)] += n
    closed = set()
    day = first
    while day <= last:
        if (
            (limits.per_day and counts.get(day, 0) >= limits.per_day)
            or (limits.per_week and weeks[week_of(day)] >= limits.per_week)
            or (limits.per_month and months[month_of(day)] >= limits.per_month)
        ):
            closed.add(day)
        day += timedelta(days=1)
    return closed
