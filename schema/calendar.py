from datetime import datetime
from typing import Any

import strawberry

from models.calendar import LinkedCalendar as LinkedCalendarRow


@strawberry.type(description="A linked iCalendar feed. The feed URL is a secret: never returned.")
class LinkedCalendar:
    id: strawberry.ID
    name: str
    status: str = strawberry.field(description="OK, or ERROR when the last sync failed.")
    last_synced_at: datetime | None = strawberry.field(
        description="The last successful sync (a 304 Not Modified counts)."
    )
    last_error: str | None = strawberry.field(description="Why the last sync failed; null if OK.")
    busy_count: int = strawberry.field(description="Busy intervals stored from the feed.")

    @classmethod
    def from_model(cls, row: LinkedCalendarRow, busy_count: int) -> "LinkedCalendar":
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            status=row.status,
            last_synced_at=row.last_synced_at,
            last_error=row.last_error,
            busy_count=busy_count,
        )

    @classmethod
    def from_message(cls, values: dict[str, Any]) -> "LinkedCalendar":
        synced = values.get("lastSyncedAt")
        return cls(
            id=strawberry.ID(str(values["id"])),
            name=values["name"],
            status=values["status"],
            last_synced_at=datetime.fromisoformat(synced) if synced else None,
            last_error=values.get("lastError"),
            busy_count=int(values.get("busyCount", 0)),
        )


@strawberry.type
class CalendarChange:
    calendar: LinkedCalendar
    occurred_at: datetime
