from datetime import date

from schema.availability import ScheduleType, TimeRangeInput, WeeklyRuleInput
from schema.context import Info
from services import availability


async def set_weekly_availability(
    info: Info, time_zone: str, rules: list[WeeklyRuleInput]
) -> ScheduleType:
    host = info.context.require_user()
    spans = [(rule.weekday.value, rule.start, rule.end) for rule in rules]
    schedule = ScheduleType.from_model(await availability.set_weekly(host, time_zone, spans))
    return schedule


async def set_date_override(
    info: Info, date: date, intervals: list[TimeRangeInput]
) -> ScheduleType:
    host = info.context.require_user()
    spans = [(span.start, span.end) for span in intervals]
    schedule = ScheduleType.from_model(await availability.set_override(host, date, spans))
    return schedule


async def clear_date_override(info: Info, date: date) -> bool:
    return await availability.clear_override(info.context.require_user(), date)


def schedule(info: Info) -> ScheduleType:
    return ScheduleType.from_model(info.context.require_user())
