"""Event types: what a host offers to be booked for."""

import re
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import questions, validation
from domain.errors import BadUserInput, Conflict, NotFound
from domain.questions import Question
from models.event_type import EventType
from models.team import EventTypeHost
from models.user import User
from services import changes
from services.prepared import Lookup

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?")
HANDLE = re.compile(r"[a-z0-9-]{3,40}")
LOCATION_KINDS = ("IN_PERSON", "PHONE", "VIDEO", "OTHER")
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class EventTypeData:
    title: str | None = None
    slug: str | None = None
    description: str | None = None
    duration_minutes: int | None = None
    location: str | None = None
    location_kind: str | None = None
    buffer_before_minutes: int | None = None
    buffer_after_minutes: int | None = None
    minimum_notice_minutes: int | None = None
    slot_interval_minutes: int | None = None
    max_bookings_per_day: int | None = None
    requires_confirmation: bool | None = None
    horizon_days: int | None = None
    reminder_offsets_minutes: list[int] | None = None
    questions: list[Question] | None = None
    seats_per_slot: int | None = None
    max_bookings_per_week: int | None = None
    max_bookings_per_month: int | None = None
    minimum_cancel_notice_minutes: int | None = None
    hidden: bool | None = None


def _bounded(value: int | None, field: str, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise BadUserInput(field, f"must be between {low} and {high}")


def _validate(data: EventTypeData) -> dict[str, object]:
    """The columns to write; raises BadUserInput naming the first bad field."""
    values: dict[str, object] = {}
    if data.title is not None:
        values["title"] = validation.text(data.title, field="title", max_length=200)
    if data.slug is not None:
        slug = data.slug.strip().lower()
        if not SLUG.fullmatch(slug):
            raise BadUserInput("slug", "use 1-100 lower-case letters, digits and inner hyphens")
        values["slug"] = slug
    if data.description is not None:
        values["description"] = validation.text(
            data.description, field="description", max_length=5000, required=False
        )
    if data.location is not None:
        values["location"] = validation.text(
            data.location, field="location", max_length=500, required=False
        )
    if data.location_kind is not None:
        if data.location_kind not in LOCATION_KINDS:
            raise BadUserInput("locationKind", f"must be one of {', '.join(LOCATION_KINDS)}")
        values["location_kind"] = data.location_kind
    _bounded(data.duration_minutes, "durationMinutes", 1, MINUTES_PER_DAY)
    _bounded(data.buffer_before_minutes, "bufferBeforeMinutes", 0, MINUTES_PER_DAY)
    _bounded(data.buffer_after_minutes, "bufferAfterMinutes", 0, MINUTES_PER_DAY)
    _bounded(data.minimum_notice_minutes, "minimumNoticeMinutes", 0, 365 * MINUTES_PER_DAY)
    _bounded(data.slot_interval_minutes, "slotIntervalMinutes", 1, MINUTES_PER_DAY)
    _bounded(data.max_bookings_per_day, "maxBookingsPerDay", 1, 1000)
    _bounded(data.horizon_days, "horizonDays", 1, 3650)
    _bounded(data.seats_per_slot, "seatsPerSlot", 1, 1000)
    _bounded(data.max_bookings_per_week, "maxBookingsPerWeek", 1, 10000)
    _bounded(data.max_bookings_per_month, "maxBookingsPerMonth", 1, 50000)
    _bounded(
        data.minimum_cancel_notice_minutes, "minimumCancelNoticeMinutes", 0, 365 * MINUTES_PER_DAY
    )
    if data.questions is not None:
        values["questions"] = questions.questions(data.questions)
    if data.reminder_offsets_minutes is not None:
        offsets = data.reminder_offsets_minutes
        if len(offsets) > 5:
            raise BadUserInput("reminderOffsetsMinutes", "at most 5 reminders")
        for offset in offsets:
            _bounded(offset, "reminderOffsetsMinutes", 1, 30 * MINUTES_PER_DAY)
        values["reminder_offsets_minutes"] = sorted(set(offsets), reverse=True)
    for name in (
        "duration_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "minimum_notice_minutes",
        "slot_interval_minutes",
        "max_bookings_per_day",
        "requires_confirmation",
        "horizon_days",
        "seats_per_slot",
        "max_bookings_per_week",
        "max_bookings_per_month",
        "minimum_cancel_notice_minutes",
        "hidden",
    ):
        value = getattr(data, name)
        if value is not None:
            values[name] = value
    return values


async def _save(write: "object") -> EventType:
    try:
        async with in_transaction():
            row = await write()  # type: ignore[operator]
            await changes.public_data_changed()
            return row
    except IntegrityError:
        raise Conflict("You already have an event type with this slug.", field="slug") from None


async def create(
    host: User,
    data: EventTypeData,
    *,
    team_id: int | None = None,
    assignment: str | None = None,
    host_ids: list[int] | None = None,
) -> EventType:
    """A team event type (`team_id`) is the owner's (`host`), hosted by `host_ids`."""
    if data.title is None or data.slug is None or data.duration_minutes is None:
        raise BadUserInput("input", "title, slug and durationMinutes are required")
    values = _validate(data)
    if await EventType.filter(host=host, slug=values["slug"]).exists():
        raise Conflict("You already have an event type with this slug.", field="slug")

    async def write() -> EventType:
        row = await EventType.create(host=host, team_id=team_id, assignment=assignment, **values)
        for user_id in host_ids or []:
            await EventTypeHost.create(event_type_id=row.id, user_id=user_id)
        return row

    return await _save(write)


async def owned(host: User, event_type_id: int) -> EventType:
    row = await EventType.get_or_none(id=event_type_id, host=host, active=True)
    if row is None:
        raise NotFound("Event type")
    return row


async def update(host: User, event_type_id: int, data: EventTypeData) -> EventType:
    row = await owned(host, event_type_id)
    values = _validate(data)
    if row.team_id is not None and values.get("seats_per_slot", 1) != 1:
        raise BadUserInput("seatsPerSlot", "a team event type has one seat per slot")
    slug = values.get("slug")
    if slug and await EventType.filter(host=host, slug=slug).exclude(id=row.id).exists():
        raise Conflict("You already have an event type with this slug.", field="slug")

    async def write() -> EventType:
        await EventType.filter(id=row.id).update(**values)
        if values.get("hidden", row.hidden) != row.hidden:
            # Its booking page closes or opens: open pages and widgets ask for slots again.
            await changes.availability_changed_of(row.id)
        return await EventType.get(id=row.id)

    return await _save(write)


async def delete(host: User, event_type_id: int) -> bool:
    """Retired, not removed: its bookings keep their history. The slug becomes free again."""
    row = await owned(host, event_type_id)
    async with in_transaction():
        await EventType.filter(id=row.id).update(
            active=False, slug=f"{row.slug[:80]}--deleted-{row.id}"
        )
        await changes.public_data_changed()
    return True


async def list_for(host: User) -> list[EventType]:
    return await EventType.filter(host=host, active=True).order_by("id")


def shown_to(row: EventType, viewer_id: int | None) -> bool:
    """A hidden event type is its host's alone: for anyone else it does not exist."""
    return not row.hidden or row.host_id == viewer_id


# A suspended host's booking pages are closed.
_public = Lookup(
    EventType,
    int,
    lambda event_type_id: EventType.get_or_none(
        id=event_type_id, active=True, host__suspended_at=None
    ).select_related("host"),
)


async def public(event_type_id: int, viewer_id: int | None = None) -> EventType | None:
    """The event type as `viewer_id` (None: anonymous) may see it on the public side."""
    row = await _public(event_type_id)
    return row if row is not None and shown_to(row, viewer_id) else None


async def by_slug(handle: str, slug: str, viewer_id: int | None = None) -> EventType | None:
    """The public event type at /book/<handle>/<slug>."""
    handle, slug = handle.lower(), slug.lower()
    if not (HANDLE.fullmatch(handle) and SLUG.fullmatch(slug)):
        return None  # no such page; and nothing odd (NUL) reaches the database
    row = await EventType.get_or_none(
        host__handle=handle,
        slug=slug,
        active=True,
        host__suspended_at=None,
    ).select_related("host")
    return row if row is not None and shown_to(row, viewer_id) else None
