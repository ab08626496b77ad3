from datetime import datetime
from enum import Enum

import strawberry

from events.messages import CalendarSummary
from models.calendar import LinkedCalendar


@strawberry.enum(name="CalendarKind")
class CalendarKind(Enum):
    ICS_FEED = "ICS_FEED"
    CALDAV = "CALDAV"
    GOOGLE = "GOOGLE"
    MICROSOFT = "MICROSOFT"


@strawberry.enum(name="CalendarProvider")
class CalendarProvider(Enum):
    GOOGLE = "GOOGLE"
    MICROSOFT = "MICROSOFT"


@strawberry.input(name="CalDavCalendarInput")
class CalDavCalendarInput:
    url: str = strawberry.field(description="The calendar collection.")
    username: str
    password: str = strawberry.field(description="Encrypted at rest; never returned or logged.")
    name: str | None = None
    write_bookings: bool | None = True


@strawberry.type(
    name="LinkedCalendar",
    description="A linked calendar. Its address and credentials are secrets: never returned.",
)
class LinkedCalendarType:
    id: strawberry.ID
    name: str
    status: str = strawberry.field(description="OK, or ERROR when the last sync failed.")
    last_synced_at: datetime | None = strawberry.field(
        description="The last successful sync (a 304 Not Modified counts)."
    )
    last_error: str | None = strawberry.field(description="Why the last sync failed; null if OK.")
    busy_count: int = strawberry.field(description="Busy intervals stored from the calendar.")
    kind: CalendarKind
    writes_bookings: bool = strawberry.field(
        description="Confirmed bookings are written into this calendar."
    )

    @classmethod
    def from_model(cls, row: LinkedCalendar, busy_count: int) -> "LinkedCalendarType":
        return cls.from_summary(CalendarSummary.of(row, busy_count))

    @classmethod
    def from_summary(cls, summary: CalendarSummary) -> "LinkedCalendarType":
        return cls(
            id=strawberry.ID(str(summary.id)),
            name=summary.name,
            status=summary.status,
            last_synced_at=summary.last_synced_at,
            last_error=summary.last_error,
            busy_count=summary.busy_count,
            kind=CalendarKind(summary.kind),
            writes_bookings=summary.writes_bookings,
        )


@strawberry.type(name="CalendarChange")
class CalendarChangeType:
    calendar: LinkedCalendarType
    occurred_at: datetime
