"""The typed messages of the live-events layer: what the outbox stores and the bus carries.

Each message knows its channel and has one `encode` (to a JSON-ready dict, tagged with its type)
and one `decode`; nothing else reads or writes their keys. Rows travel as their stored columns
(`snapshot`) and come back as unsaved model instances (`restore`), for read-only use.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar, TypeVar

from tortoise import fields
from tortoise.models import Model

from models.booking import Booking
from models.calendar import LinkedCalendar
from models.event_type import EventType
from models.notification import Notification

M = TypeVar("M", bound=Model)
Payload = dict[str, Any]

# What anonymous queries can read (event types and their hosts' public profile) changed.
PUBLIC_DATA_CHANNEL = "public-data"


def booking_channel(host_id: int) -> str:
    return f"booking:{host_id}"


def notification_channel(user_id: int) -> str:
    return f"notify:{user_id}"


def availability_channel(event_type_id: int) -> str:
    return f"availability:{event_type_id}"


# Sessions that ended (logOut, revokeSession, suspension, erasure): every worker closes the
# WebSockets signed in with them.
SESSIONS_CHANNEL = "sessions"


def calendar_channel(owner_id: int) -> str:
    return f"calendar:{owner_id}"


def snapshot(row: Model) -> Payload:
    """A row's stored columns as JSON values (datetimes as ISO 8601)."""
    values: Payload = {}
    for column, attribute in _columns(type(row)):
        value = getattr(row, attribute, None)
        # A datetime is a date too.
        values[column] = value.isoformat() if isinstance(value, date) else value
    return values


@cache
def _columns(model: type[Model]) -> tuple[tuple[str, str], ...]:
    """(column, attribute) of each stored column: worked out once per model, not per message."""
    reverse = model._meta.fields_db_projection_reverse
    return tuple((name, reverse.get(name, name)) for name in model._meta.db_fields)


def restore(model: type[M], values: Payload) -> M:
    """An unsaved instance from `snapshot` output (read-only use in subscriptions)."""
    kwargs: dict[str, Any] = {}
    for column, value in values.items():
        name = model._meta.fields_db_projection_reverse.get(column, column)
        field = model._meta.fields_map.get(name)
        if isinstance(field, fields.DatetimeField) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        elif isinstance(field, fields.DateField) and isinstance(value, str):
            value = date.fromisoformat(value)
        kwargs[name] = value
    return model(**kwargs)


class Message:
    """Base of every message: `type` tags its encoding, `occurred_at` feeds the lag metric."""

    type: ClassVar[str]
    occurred_at: datetime

    @property
    def channel(self) -> str:
        raise NotImplementedError

    def encode(self) -> Payload:
        raise NotImplementedError

    @classmethod
    def decode(cls, payload: Payload) -> "Message":
        raise NotImplementedError


_TYPES: dict[str, type[Message]] = {}
T = TypeVar("T", bound=Message)


def message(cls: type[T]) -> type[T]:
    """Registers a message class for `decode`."""
    _TYPES[cls.type] = cls
    return cls


def encode(item: Message) -> Payload:
    return {"type": item.type, "occurredAt": item.occurred_at.isoformat(), **item.encode()}


def decode(payload: Payload) -> Message:
    """The message a payload encodes; ValueError for anything else."""
    cls = _TYPES.get(payload.get("type", ""))
    if cls is None:
        raise ValueError(f"not an event message: {str(payload.get('type'))[:40]!r}")
    try:
        return cls.decode(payload)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed {cls.type} message: {exc!r}") from None


def occurred_at(payload: Payload) -> datetime:
    return datetime.fromisoformat(payload["occurredAt"])


@message
@dataclass(frozen=True, slots=True)
class BookingChanged(Message):
    type: ClassVar[str] = "BookingChanged"
    kind: str  # CREATED, CONFIRMED, RESCHEDULED, CANCELLED
    booking: Payload  # the booking row's columns
    event_type: Payload
    occurred_at: datetime
    # Another host of a team booking, whose channel this copy goes to; None: the booking's host.
    recipient: int | None = None

    @property
    def host_id(self) -> int:
        return int(self.booking["host_id"]) if self.recipient is None else self.recipient

    @property
    def channel(self) -> str:
        return booking_channel(self.host_id)

    def booking_row(self) -> Booking:
        row = restore(Booking, self.booking)
        row.event_type = restore(EventType, self.event_type)
        return row

    def encode(self) -> Payload:
        encoded = {"kind": self.kind, "booking": self.booking, "eventType": self.event_type}
        if self.recipient is not None:
            encoded["recipient"] = self.recipient
        return encoded

    @classmethod
    def decode(cls, payload: Payload) -> "BookingChanged":
        return cls(
            kind=payload["kind"],
            booking=payload["booking"],
            event_type=payload["eventType"],
            occurred_at=occurred_at(payload),
            recipient=payload.get("recipient"),
        )


@message
@dataclass(frozen=True, slots=True)
class NotificationCreated(Message):
    type: ClassVar[str] = "NotificationCreated"
    notification: Payload  # the notification row's columns
    occurred_at: datetime

    @property
    def channel(self) -> str:
        return notification_channel(int(self.notification["user_id"]))

    def row(self) -> Notification:
        return restore(Notification, self.notification)

    def encode(self) -> Payload:
        return {"notification": self.notification}

    @classmethod
    def decode(cls, payload: Payload) -> "NotificationCreated":
        return cls(notification=payload["notification"], occurred_at=occurred_at(payload))


@message
@dataclass(frozen=True, slots=True)
class AvailabilityChanged(Message):
    """Slots of an event type may have changed. No personal data: anyone may watch."""

    type: ClassVar[str] = "AvailabilityChanged"
    event_type_id: int
    occurred_at: datetime

    @property
    def channel(self) -> str:
        return availability_channel(self.event_type_id)

    def encode(self) -> Payload:
        return {"eventTypeId": self.event_type_id}

    @classmethod
    def decode(cls, payload: Payload) -> "AvailabilityChanged":
        return cls(event_type_id=int(payload["eventTypeId"]), occurred_at=occurred_at(payload))


@dataclass(frozen=True, slots=True)
class CalendarSummary:
    """What `LinkedCalendar` shows of a linked calendar; never its feed URL or credentials."""

    id: int
    name: str
    status: str
    last_synced_at: datetime | None
    last_error: str | None
    busy_count: int
    kind: str = "ICS_FEED"
    writes_bookings: bool = False

    @classmethod
    def of(cls, row: LinkedCalendar, busy_count: int) -> "CalendarSummary":
        return cls(
            id=row.id,
            name=row.name,
            status=row.status,
            last_synced_at=row.last_synced_at,
            last_error=row.last_error,
            busy_count=busy_count,
            kind=row.kind,
            writes_bookings=row.writes_bookings,
        )

    def encode(self) -> Payload:
        synced = self.last_synced_at
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "lastSyncedAt": synced.isoformat() if synced else None,
            "lastError": self.last_error,
            "busyCount": self.busy_count,
            "kind": self.kind,
            "writesBookings": self.writes_bookings,
        }

    @classmethod
    def decode(cls, values: Payload) -> "CalendarSummary":
        synced = values.get("lastSyncedAt")
        return cls(
            id=int(values["id"]),
            name=values["name"],
            status=values["status"],
            last_synced_at=datetime.fromisoformat(synced) if synced else None,
            last_error=values.get("lastError"),
            busy_count=int(values.get("busyCount", 0)),
            kind=values.get("kind", "ICS_FEED"),
            writes_bookings=bool(values.get("writesBookings", False)),
        )


@message
@dataclass(frozen=True, slots=True)
class CalendarChanged(Message):
    type: ClassVar[str] = "CalendarChanged"
    owner_id: int
    calendar: CalendarSummary
    occurred_at: datetime

    @property
    def channel(self) -> str:
        return calendar_channel(self.owner_id)

    def encode(self) -> Payload:
        return {"ownerId": self.owner_id, "calendar": self.calendar.encode()}

    @classmethod
    def decode(cls, payload: Payload) -> "CalendarChanged":
        return cls(
            owner_id=int(payload["ownerId"]),
            calendar=CalendarSummary.decode(payload["calendar"]),
            occurred_at=occurred_at(payload),
        )


@message
@dataclass(frozen=True, slots=True)
class PublicDataChanged(Message):
    """Event types or a host's public profile changed: public caches drop what they hold."""

    type: ClassVar[str] = "PublicDataChanged"
    occurred_at: datetime

    @property
    def channel(self) -> str:
        return PUBLIC_DATA_CHANNEL

    def encode(self) -> Payload:
        return {}

    @classmethod
    def decode(cls, payload: Payload) -> "PublicDataChanged":
        return cls(occurred_at=occurred_at(payload))


@message
@dataclass(frozen=True, slots=True)
class SessionsEnded(Message):
    """Tokens by id, or every token of some accounts, that ended. Only a hint: each worker asks
    the database which of its sockets' tokens still live."""

    type: ClassVar[str] = "SessionsEnded"
    sessions: tuple[int, ...]
    users: tuple[int, ...]
    occurred_at: datetime

    @property
    def channel(self) -> str:
        return SESSIONS_CHANNEL

    def encode(self) -> Payload:
        return {"sessions": list(self.sessions), "users": list(self.users)}

    @classmethod
    def decode(cls, payload: Payload) -> "SessionsEnded":
        return cls(
            sessions=tuple(int(i) for i in payload["sessions"]),
            users=tuple(int(i) for i in payload["users"]),
            occurred_at=occurred_at(payload),
        )
