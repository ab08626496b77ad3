from datetime import date
from enum import Enum

import strawberry

from domain.availability import format_hhmm
from models.user import User
from services import availability


@strawberry.enum
class Weekday(Enum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


@strawberry.input(
    description='Wall-clock times in the schedule\'s zone: "09:00", "17:30", "24:00".'
)
class WeeklyRuleInput:
    weekday: Weekday
    start: str
    end: str


@strawberry.input
class TimeRangeInput:
    start: str
    end: str


@strawberry.type(name="WeeklyRule")
class WeeklyRuleType:
    weekday: Weekday
    start: str
    end: str


@strawberry.type(name="TimeRange")
class TimeRangeType:
    start: str
    end: str


@strawberry.type(name="DateOverride")
class DateOverrideType:
    date: date
    intervals: list[TimeRangeType]


@strawberry.type(name="Schedule")
class ScheduleType:
    host: strawberry.Private[User]
    time_zone: str

    @classmethod
    def from_model(cls, host: User) -> "ScheduleType":
        return cls(host=host, time_zone=host.time_zone)

    @strawberry.field
    async def rules(self) -> list[WeeklyRuleType]:
        return [
            WeeklyRuleType(
                weekday=Weekday(availability.WEEKDAYS[r.weekday]),
                start=format_hhmm(r.start),
                end=format_hhmm(r.end),
            )
            for r in await availability.weekly_rules(self.host.id)
        ]

    @strawberry.field(description="The date overrides setDateOverride wrote, by date.")
    async def overrides(self) -> list[DateOverrideType]:
        return [
            DateOverrideType(
                date=day, intervals=[TimeRangeType(start=s, end=e) for s, e in intervals]
            )
            for day, intervals in await availability.all_overrides(self.host.id)
        ]
