"""A host's working hours: weekly wall-clock rules and per-date overrides, in their zone."""

import contextlib
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain import validation
from domain.availability import (
    WeeklyRule,
    format_hhmm,
    parse_hhmm,
    validate_intervals,
)
from domain.errors import BadUserInput
from models.schedule import DateOverride, Schedule
from models.user import User
from services import changes

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
Span = tuple[str, str]


def _parse_spans(spans: list[Span], field: str) -> list[tuple[time, time]]:
    parsed = [
        (
            parse_hhmm(start, field=f"{field}.start"),
            parse_hhmm(end, field=f"{field}.end", allow_24=True),
        )
        for start, end in spans
    ]
    validate_intervals(parsed, field=field)
    return parsed


def _canonical(parsed: list[tuple[time, time]]) -> list[list[str]]:
    return [[format_hhmm(s), format_hhmm(e)] for s, e in sorted(parsed)]


@contextlib.asynccontextmanager
async def _changing_hours(host_id: int) -> AsyncIterator[None]:
    """The transaction of a change to a host's hours; announcing the change is part of it, so no
    writer of hours can forget to tell the booking pages."""
    async with in_transaction():
        yield
        await changes.availability_changed(host_id)


async def set_weekly(host: User, time_zone: str, rules: list[tuple[str, str, str]]) -> User:
    """rules: (WEEKDAY, "HH:MM", "HH:MM"); replaces every weekly rule and sets the host's zone."""
    validation.time_zone(time_zone)
    stored: list[dict[str, object]] = []
    for index, weekday in enumerate(WEEKDAYS):
        spans = [(start, end) for day, start, end in rules if day == weekday]
        for start, end in _canonical(_parse_spans(spans, f"rules[{weekday}]")):
            stored.append({"weekday": index, "start": start, "end": end})
    unknown = {day for day, _, _ in rules} - set(WEEKDAYS)
    if unknown:
        raise BadUserInput("rules.weekday", f"unknown weekday {sorted(unknown)[0]}")
    async with _changing_hours(host.id):
        await User.filter(id=host.id).update(time_zone=time_zone)
        await changes.public_data_changed()  # the zone is part of the host's public profile
        schedule, created = await Schedule.get_or_create(
            host_id=host.id, defaults={"weekly_rules": stored}
        )
        if not created:
            schedule.weekly_rules = stored
            await schedule.save(update_fields=["weekly_rules", "updated_at"])
    host.time_zone = time_zone
    return host


async def set_override(host: User, day: date, spans: list[Span]) -> User:
    intervals = _canonical(_parse_spans(spans, "intervals"))
    async with _changing_hours(host.id):
        override, created = await DateOverride.get_or_create(
            host_id=host.id, date=day, defaults={"intervals": intervals}
        )
        if not created:
            override.intervals = intervals
            await override.save(update_fields=["intervals"])
    return host


async def clear_override(host: User, day: date) -> bool:
    async with _changing_hours(host.id):
        return await DateOverride.filter(host_id=host.id, date=day).delete() > 0


async def weekly_rules(host_id: int) -> list[WeeklyRule]:
    schedule = await Schedule.get_or_none(host_id=host_id)
    return parse_weekly(schedule.weekly_rules if schedule else [])


def parse_weekly(stored: list[dict[str, Any]]) -> list[WeeklyRule]:
    """`Schedule.weekly_rules` as stored, as rules."""
    return [
        WeeklyRule(
            rule["weekday"],
            parse_hhmm(rule["start"], field="start"),
            parse_hhmm(rule["end"], field="end", allow_24=True),
        )
        for rule in stored
    ]


async def overrides(host_id: int, first: date, last: date) -> dict[date, list[tuple[time, time]]]:
    rows = await DateOverride.filter(host_id=host_id, date__gte=first, date__lte=last)
    return parse_overrides((row.date, row.intervals) for row in rows)


def parse_overrides(
    stored: Iterable[tuple[date, list[list[str]]]],
) -> dict[date, list[tuple[time, time]]]:
    """(date, `DateOverride.intervals` as stored) pairs, as intervals per date."""
    return {
        day: [
            (parse_hhmm(s, field="start"), parse_hhmm(e, field="end", allow_24=True))
            for s, e in intervals
        ]
        for day, intervals in stored
    }


def override_span(tz: ZoneInfo, start: datetime, end: datetime) -> tuple[date, date]:
    """The dates whose overrides can shape working time in [start, end)."""
    return start.astimezone(tz).date() - timedelta(days=1), end.astimezone(tz).date() + timedelta(
        days=1
    )


async def all_overrides(host_id: int) -> list[tuple[date, list[tuple[str, str]]]]:
    """Every date override of the host as written ("HH:MM" pairs; [] = day off), by date."""
    rows = await DateOverride.filter(host_id=host_id).order_by("date")
    return [(row.date, [(s, e) for s, e in row.intervals]) for row in rows]
