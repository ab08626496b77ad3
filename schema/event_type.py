from enum import Enum

import strawberry

from domain import questions
from domain.errors import NotFound
from models.event_type import EventType
from models.user import User
from schema.context import Info
from schema.scheduling import BookingQuestionInput, BookingQuestionType
from schema.team import Assignment
from services import teams

# Kinds whose meeting details are for the host and the booker only (Booking.location).
PRIVATE_LOCATION_KINDS = ("VIDEO", "PHONE")


@strawberry.enum
class LocationKind(Enum):
    IN_PERSON = "IN_PERSON"
    PHONE = "PHONE"
    VIDEO = "VIDEO"
    OTHER = "OTHER"


@strawberry.type(
    name="PublicHost",
    description="What a booker may know of a host: never e-mail or calendar details.",
)
class PublicHostType:
    name: str
    time_zone: str

    @classmethod
    def from_model(cls, row: User) -> "PublicHostType":
        return cls(name=row.name, time_zone=row.time_zone)


@strawberry.type(name="EventType")
class EventTypeType:
    row: strawberry.Private[EventType]
    id: strawberry.ID
    title: str
    slug: str
    description: str | None
    duration_minutes: int
    location_kind: LocationKind
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    slot_interval_minutes: int | None
    max_bookings_per_day: int | None
    requires_confirmation: bool
    horizon_days: int | None
    reminder_offsets_minutes: list[int]
    seats_per_slot: int
    max_bookings_per_week: int | None
    max_bookings_per_month: int | None
    minimum_cancel_notice_minutes: int
    hidden: bool

    @classmethod
    def from_model(cls, row: EventType) -> "EventTypeType":
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            title=row.title,
            slug=row.slug,
            description=row.description,
            duration_minutes=row.duration_minutes,
            location_kind=LocationKind(row.location_kind),
            buffer_before_minutes=row.buffer_before_minutes,
            buffer_after_minutes=row.buffer_after_minutes,
            minimum_notice_minutes=row.minimum_notice_minutes,
            slot_interval_minutes=row.slot_interval_minutes,
            max_bookings_per_day=row.max_bookings_per_day,
            requires_confirmation=row.requires_confirmation,
            horizon_days=row.horizon_days,
            reminder_offsets_minutes=list(row.reminder_offsets_minutes or []),
            seats_per_slot=row.seats_per_slot,
            max_bookings_per_week=row.max_bookings_per_week,
            max_bookings_per_month=row.max_bookings_per_month,
            minimum_cancel_notice_minutes=row.minimum_cancel_notice_minutes,
            hidden=row.hidden,
        )

    @strawberry.field(
        description="Null for VIDEO and PHONE kinds except to the host: the meeting details "
        "are in Booking.location, for the host and the booker."
    )
    def location(self, info: Info) -> str | None:
        if self.row.location_kind in PRIVATE_LOCATION_KINDS:
            user = info.context.user
            return self.row.location if user is not None and user.id == self.row.host_id else None
        return self.row.location

    @strawberry.field
    def questions(self) -> list[BookingQuestionType]:
        return [
            BookingQuestionType.from_domain(q) for q in questions.from_stored(self.row.questions)
        ]

    @strawberry.field
    def host(self, info: Info) -> PublicHostType:
        # Attached to the row (select_related, or a page of bookings): no await per event type.
        attached = getattr(self.row, "_host", None)
        if isinstance(attached, User) and self.row.team_id is None:
            return PublicHostType.from_model(attached)
        return self._load_host(info)  # type: ignore[return-value] (graphql-core awaits it)

    async def _load_host(self, info: Info) -> PublicHostType:
        user = await info.context.loaders.user.load(self.row.host_id)
        if user is None:  # the foreign key makes this impossible; never a silent None
            raise NotFound("Host")
        if self.row.team_id is not None:  # the team by name, in its owner's zone
            team = await teams.team_of(self.row)
            return PublicHostType(name=team.name if team else user.name, time_zone=user.time_zone)
        return PublicHostType.from_model(user)

    @strawberry.field
    def assignment(self) -> Assignment | None:
        return Assignment(self.row.assignment) if self.row.assignment else None

    @strawberry.field
    async def hosts(self) -> list[PublicHostType]:
        return [PublicHostType.from_model(u) for u in await teams.hosts_of_event_type(self.row)]


@strawberry.input
class EventTypeInput:
    title: str
    slug: str
    duration_minutes: int
    location: str | None = None
    buffer_before_minutes: int | None = 0
    buffer_after_minutes: int | None = 0
    minimum_notice_minutes: int | None = 0
    slot_interval_minutes: int | None = None
    max_bookings_per_day: int | None = None
    requires_confirmation: bool | None = False
    location_kind: LocationKind | None = LocationKind.OTHER
    description: str | None = None
    horizon_days: int | None = None
    reminder_offsets_minutes: list[int] | None = strawberry.field(
        default=None, description="Minutes before the meeting; default [1440, 60]."
    )
    questions: list[BookingQuestionInput] | None = None
    seats_per_slot: int | None = 1
    max_bookings_per_week: int | None = None
    max_bookings_per_month: int | None = None
    minimum_cancel_notice_minutes: int | None = 0
    hidden: bool | None = False


@strawberry.input(description="Only the fields given are changed.")
class EventTypeUpdateInput:
    title: str | None = None
    slug: str | None = None
    duration_minutes: int | None = None
    location: str | None = None
    buffer_before_minutes: int | None = None
    buffer_after_minutes: int | None = None
    minimum_notice_minutes: int | None = None
    slot_interval_minutes: int | None = None
    max_bookings_per_day: int | None = None
    requires_confirmation: bool | None = None
    location_kind: LocationKind | None = None
    description: str | None = None
    horizon_days: int | None = None
    reminder_offsets_minutes: list[int] | None = strawberry.field(
        default=None, description="Minutes before the meeting; default [1440, 60]."
    )
    questions: list[BookingQuestionInput] | None = None
    seats_per_slot: int | None = None
    max_bookings_per_week: int | None = None
    max_bookings_per_month: int | None = None
    minimum_cancel_notice_minutes: int | None = None
    hidden: bool | None = None
