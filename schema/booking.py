from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum

import strawberry

from domain.errors import NotFound
from models.booking import Booking
from models.event_type import EventType
from schema.context import Info
from schema.event_type import EventTypeType, PublicHostType
from schema.pagination import PageInfoType, encode_cursor
from schema.scheduling import AnswerInput, AnswerType
from services import booking_hosts


@strawberry.enum
class BookingStatus(Enum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class BookingOrder(Enum):
    NEWEST_FIRST = "NEWEST_FIRST"
    START_ASC = "START_ASC"


@strawberry.type(name="Slot")
class SlotType:
    start: datetime
    end: datetime
    seats_left: int


@strawberry.type(name="Booking")
class BookingType:
    row: strawberry.Private[Booking]
    id: strawberry.ID
    start: datetime
    end: datetime
    status: BookingStatus
    attendee_name: str
    attendee_email: str
    attendee_time_zone: str | None
    notes: str | None
    cancel_reason: str | None
    created_at: datetime
    location: str | None = strawberry.field(
        description="Where the meeting happens (for the host and the booker only)."
    )
    answers: list[AnswerType]
    manage_token: str | None = strawberry.field(
        default=None, description="Returned once, to the booker, by bookMeeting; null elsewhere."
    )

    @classmethod
    def from_model(cls, row: Booking, manage_token: str | None = None) -> "BookingType":
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            start=row.start,
            end=row.end,
            status=BookingStatus(row.status),
            attendee_name=row.attendee_name,
            attendee_email=row.attendee_email,
            attendee_time_zone=row.attendee_time_zone,
            notes=row.notes,
            cancel_reason=row.cancel_reason,
            created_at=row.created_at,
            location=row.location,
            answers=[
                AnswerType(key=a["key"], label=a["label"], value=a["value"])
                for a in (row.answers if isinstance(row.answers, list) else [])
            ],
            manage_token=manage_token,
        )

    @strawberry.field
    async def hosts(self) -> list[PublicHostType]:
        found = await booking_hosts.hosts_of([self.row.id])
        return [PublicHostType.from_model(u) for u in found.get(self.row.id, [])]

    @strawberry.field(description="The UID of its calendar entries and e-mail invitations.")
    def ical_uid(self) -> str:
        return self.row.calendar_uid()

    @strawberry.field
    def event_type(self, info: Info) -> EventTypeType:
        # Attached to the row (a page of bookings, services/bookings.py; a subscription event):
        # answered at once, one EventTypeType per event type, without an await per booking.
        attached = getattr(self.row, "_event_type", None)
        if attached is not None:
            return shared_event_type(attached)
        return self._load_event_type(info)  # type: ignore[return-value] (graphql-core awaits)

    async def _load_event_type(self, info: Info) -> EventTypeType:
        row = await info.context.loaders.event_type.load(self.row.event_type_id)
        if row is None:  # the foreign key makes this impossible; never a silent None
            raise NotFound("Event type")
        return EventTypeType.from_model(row)


def shared_event_type(row: EventType) -> EventTypeType:
    """The EventTypeType of `row`, built once for all the bookings it is attached to."""
    shown = row.__dict__.get("_shown")
    if shown is None:
        shown = EventTypeType.from_model(row)
        object.__setattr__(row, "_shown", shown)
    return shown


@strawberry.type(name="BookingEdge")
class BookingEdgeType:
    node: BookingType
    key: strawberry.Private[list[object]]

    @strawberry.field
    def cursor(self) -> str:
        # Encoded when asked for: most pages show their nodes, not 50 cursors.
        return encode_cursor(*self.key)


@strawberry.type(name="BookingConnection")
class BookingConnectionType:
    edges: list[BookingEdgeType]
    page_info: PageInfoType
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()


@strawberry.input
class BookMeetingInput:
    event_type_id: strawberry.ID
    start: datetime
    name: str
    email: str
    time_zone: str | None = None
    notes: str | None = None
    idempotency_key: str | None = None
    answers: list[AnswerInput] | None = None
    hold_token: str | None = None


@strawberry.type(name="Client")
class ClientType:
    name: str
    email: str
    booking_count: int
    last_booking_at: datetime


@strawberry.type(name="ClientEdge")
class ClientEdgeType:
    node: ClientType
    cursor: str


@strawberry.type(name="ClientConnection")
class ClientConnectionType:
    edges: list[ClientEdgeType]
    page_info: PageInfoType
    total_count: int
