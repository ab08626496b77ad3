"""The event path: a change writes its notifications and outbox rows in its own transaction;
`flush` publishes committed outbox rows to the bus and deletes them. Nothing is published for a
change that rolled back, and what was committed but not yet published (a crash, a bus outage) is
published by the next flush, which the server runs on start and then every few seconds."""

import logging
import weakref
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.booking import Booking
from models.calendar import CalendarBusy, LinkedCalendar
from models.event_type import EventType
from models.notification import Notification, OutboxEvent
from services import webhooks
from services.clock import utcnow
from subscriptions.bus import BusUnavailable, EventBus

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

FLUSH_BATCH = 200

MESSAGES = {
    "CREATED": "New booking",
    "CONFIRMED": "Booking confirmed",
    "RESCHEDULED": "Booking moved",
    "CANCELLED": "Booking cancelled",
}


def booking_channel(host_id: int) -> str:
    return f"booking:{host_id}"


def notification_channel(user_id: int) -> str:
    return f"notify:{user_id}"


def availability_channel(event_type_id: int) -> str:
    return f"availability:{event_type_id}"


def calendar_channel(owner_id: int) -> str:
    return f"calendar:{owner_id}"


# What anonymous queries can read (event types and their hosts' public profile) changed.
PUBLIC_DATA_CHANNEL = "public-data"


class PublicDataListener(Protocol):
    def invalidate(self) -> None: ...


# Caches of public answers in this process: told by `flush` as soon as a committed change is
# published, without waiting for the bus to bring it back (other processes hear it there).
_public_data_listeners: "weakref.WeakSet[PublicDataListener]" = weakref.WeakSet()


def on_public_data_change(listener: PublicDataListener) -> None:
    _public_data_listeners.add(listener)


def snapshot(row: Model) -> dict[str, Any]:
    """A row's stored columns as JSON values (datetimes as ISO 8601)."""
    values: dict[str, Any] = {}
    for name in row._meta.db_fields:
        value = getattr(row, row._meta.fields_db_projection_reverse.get(name, name), None)
        values[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return values


def restore(model: type[M], values: dict[str, Any]) -> M:
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


def _describe(booking: Booking, event_type: EventType, zone: str) -> str:
    # No attendee name or e-mail here: notifications outlive corrections and erasures of the
    # people they are about; the booking (bookingId) is where those details live, current.
    local = booking.start.astimezone(ZoneInfo(zone))
    return f"{event_type.title} on {local:%Y-%m-%d %H:%M} ({zone})"


async def booking_changed(
    booking: Booking, event_type: EventType, host_zone: str, kind: str
) -> None:
    """Call inside the transaction that changed `booking`."""
    now = utcnow().isoformat()
    message = f"{MESSAGES[kind]}: {_describe(booking, event_type, host_zone)}"
    data = {"bookingId": booking.id, "eventTypeId": event_type.id, "bookingEvent": kind}
    recipients = {booking.host_id} | ({booking.booker_id} if booking.booker_id else set())
    await notify(sorted(recipients), f"BOOKING_{kind}", message, data)
    await OutboxEvent.create(
        channel=booking_channel(booking.host_id),
        payload={
            "kind": kind,
            "occurredAt": now,
            "booking": snapshot(booking),
            "eventType": snapshot(event_type),
        },
    )
    await availability_changed(booking.host_id, now)
    await webhooks.enqueue(
        booking.host_id, f"BOOKING_{kind}", webhooks.booking_payload(booking, kind, now)
    )


async def notify(user_ids: list[int], kind: str, message: str, data: dict[str, Any]) -> None:
    """Inside the caller's transaction: a notification each, pushed live after commit."""
    for user_id in user_ids:
        notification = await Notification.create(
            user_id=user_id, kind=kind, message=message, data=data
        )
        await OutboxEvent.create(
            channel=notification_channel(user_id),
            payload={"notification": snapshot(notification)},
        )


async def availability_changed(host_id: int, occurred_at: str | None = None) -> None:
    """Slots of every event type of the host may have changed. No personal data in the payload."""
    occurred_at = occurred_at or utcnow().isoformat()
    for event_type_id in await EventType.filter(host_id=host_id, active=True).values_list(
        "id", flat=True
    ):
        await OutboxEvent.create(
            channel=availability_channel(event_type_id),
            payload={"eventTypeId": event_type_id, "occurredAt": occurred_at},
        )


async def public_data_changed() -> None:
    """Inside the transaction that changes an event type, or a host's public profile, status or
    existence: public caches in every process drop what they hold once it is committed."""
    await OutboxEvent.create(
        channel=PUBLIC_DATA_CHANNEL, payload={"occurredAt": utcnow().isoformat()}
    )


async def calendar_changed(
    owner_id: int, calendar: LinkedCalendar, occurred_at: str | None = None
) -> None:
    """The owner's linked calendar changed (busy times or sync status). Inside the transaction of
    the change; the payload is what `LinkedCalendar` shows, never the feed URL."""
    busy_count = await CalendarBusy.filter(calendar_id=calendar.id).count()
    await OutboxEvent.create(
        channel=calendar_channel(owner_id),
        payload={
            "calendar": {
                "id": calendar.id,
                "name": calendar.name,
                "status": calendar.status,
                "lastSyncedAt": calendar.last_synced_at.isoformat()
                if calendar.last_synced_at
                else None,
                "lastError": calendar.last_error,
                "busyCount": busy_count,
            },
            "occurredAt": occurred_at or utcnow().isoformat(),
        },
    )


async def flush(bus: EventBus) -> int:
    """Publishes committed outbox rows in order; several workers never publish one row twice.

    When the bus cannot take them (Redis unreachable) the rows stay for a later flush and this
    returns: the changes they describe are committed, so the mutation that flushes after its
    commit still succeeds, and the dispatcher publishes them once the bus is back."""
    published = 0
    while True:
        try:
            async with in_transaction():
                rows = (
                    await OutboxEvent.select_for_update(skip_locked=True)
                    .order_by("id")
                    .limit(FLUSH_BATCH)
                )
                for row in rows:
                    if row.channel == PUBLIC_DATA_CHANNEL:
                        for listener in list(_public_data_listeners):
                            listener.invalidate()
                    await bus.publish(row.channel, row.payload)
                if rows:
                    await OutboxEvent.filter(id__in=[r.id for r in rows]).delete()
        except BusUnavailable as exc:
            log.warning("event bus unavailable (%s); committed events wait in the outbox", exc)
            return published
        published += len(rows)
        if len(rows) < FLUSH_BATCH:
            return published
