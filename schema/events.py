from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from models.booking import Booking as BookingRow
from models.event_type import EventType as EventTypeRow
from models.notification import Notification as NotificationRow
from schema.booking import Booking
from schema.pagination import PageInfo
from services.events import restore


@strawberry.enum
class BookingEventKind(Enum):
    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    RESCHEDULED = "RESCHEDULED"
    CANCELLED = "CANCELLED"


@strawberry.type
class BookingEvent:
    kind: BookingEventKind
    booking: Booking
    occurred_at: datetime

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "BookingEvent":
        row = restore(BookingRow, message["booking"])
        row.event_type = restore(EventTypeRow, message["eventType"])
        return cls(
            kind=BookingEventKind(message["kind"]),
            booking=Booking.from_model(row),
            occurred_at=datetime.fromisoformat(message["occurredAt"]),
        )


@strawberry.type
class AvailabilityChange:
    event_type_id: strawberry.ID
    occurred_at: datetime


@strawberry.type
class Notification:
    id: strawberry.ID
    kind: str
    message: str
    created_at: datetime
    read_at: datetime | None
    booking_id: strawberry.ID | None = strawberry.field(
        description="The booking this is about, if any: names and e-mails live there, current."
    )

    @classmethod
    def from_model(cls, row: NotificationRow) -> "Notification":
        booking_id = (row.data or {}).get("bookingId")
        return cls(
            id=strawberry.ID(str(row.id)),
            booking_id=strawberry.ID(str(booking_id)) if booking_id else None,
            kind=row.kind,
            message=row.message,
            created_at=row.created_at,
            read_at=row.read_at,
        )


@strawberry.type
class NotificationEdge:
    node: Notification
    cursor: str


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
    count_query: strawberry.Private[Any]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count_query.count()
