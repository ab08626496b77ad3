"""GraphQL types of live updates: booking events, availability changes and notifications."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum

import strawberry

from events.messages import BookingChanged
from models.notification import Notification
from schema.booking import BookingType
from schema.pagination import PageInfoType


@strawberry.enum
class BookingEventKind(Enum):
    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    RESCHEDULED = "RESCHEDULED"
    CANCELLED = "CANCELLED"


@strawberry.type(name="BookingEvent")
class BookingEventType:
    kind: BookingEventKind
    booking: BookingType
    occurred_at: datetime

    @classmethod
    def from_message(cls, message: BookingChanged) -> "BookingEventType":
        return cls(
            kind=BookingEventKind(message.kind),
            booking=BookingType.from_model(message.booking_row()),
            occurred_at=message.occurred_at,
        )


@strawberry.type(name="AvailabilityChange")
class AvailabilityChangeType:
    event_type_id: strawberry.ID
    occurred_at: datetime


@strawberry.type(name="Notification")
class NotificationType:
    id: strawberry.ID
    kind: str
    message: str
    created_at: datetime
    read_at: datetime | None
    booking_id: strawberry.ID | None = strawberry.field(
        description="The booking this is about, if any: names and e-mails live there, current."
    )

    @classmethod
    def from_model(cls, row: Notification) -> "NotificationType":
        booking_id = (row.data or {}).get("bookingId")
        return cls(
            id=strawberry.ID(str(row.id)),
            booking_id=strawberry.ID(str(booking_id)) if booking_id else None,
            kind=row.kind,
            message=row.message,
            created_at=row.created_at,
            read_at=row.read_at,
        )


@strawberry.type(name="NotificationEdge")
class NotificationEdgeType:
    node: NotificationType
    cursor: str


@strawberry.type(name="NotificationConnection")
class NotificationConnectionType:
    edges: list[NotificationEdgeType]
    page_info: PageInfoType
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()
