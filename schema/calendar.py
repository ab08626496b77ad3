from datetime import datetime

import strawberry

from events.messages import CalendarSummary
from models.calendar import LinkedCalendar


@strawberry.type(
    name="LinkedCalendar",
    description="A linked iCalendar feed. The feed URL is a secret: never returned.",
)
class LinkedCalendarType:
    id: strawberry.ID
    name: str
    status: str = strawberry.field(description="OK, or ERROR when the last sync failed.")
    last_synced_at: datetime | None = strawberry.field(
        description="The last successful sync (a 304 Not Modified counts)."
    )
    last_error: str | None = strawberry.field(description="Why the last sync failed; null if OK.")
    busy_count: int = strawberry.field(description="Busy intervals stored from the feed.")

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
        )


@strawberry.type(name="CalendarChange")
class CalendarChangeType:
    calendar: LinkedCalendarType
    occurred_at: datetime
