"""What a committed change tells people: notifications, live messages and webhooks, all written
inside the transaction of the change (so a rollback tells nobody) and published after it commits
by the outbox unit around the operation or job (events/outbox.py)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from events import outbox
from events.messages import (
    AvailabilityChanged,
    BookingChanged,
    CalendarChanged,
    CalendarSummary,
    NotificationCreated,
    PublicDataChanged,
    snapshot,
)
from models.booking import Booking
from models.calendar import CalendarBusy, LinkedCalendar
from models.event_type import EventType
from models.notification import Notification
from services import calendar_writes, webhooks
from services.clock import utcnow
from services.mail import booking as booking_mail

MESSAGES = {
    "CREATED": "New booking",
    "CONFIRMED": "Booking confirmed",
    "RESCHEDULED": "Booking moved",
    "CANCELLED": "Booking cancelled",
}


def _describe(booking: Booking, event_type: EventType, zone: str) -> str:
    # No attendee name or e-mail here: notifications outlive corrections and erasures of the
    # people they are about; the booking (bookingId) is where those details live, current.
    local = booking.start.astimezone(ZoneInfo(zone))
    return f"{event_type.title} on {local:%Y-%m-%d %H:%M} ({zone})"


async def booking_changed(
    booking: Booking,
    event_type: EventType,
    host_zone: str,
    kind: str,
    manage_token: str | None = None,
) -> None:
    """Call inside the transaction that changed `booking`. `manage_token`: the clear token, known
    only to the request that created the booking (its e-mail to the invitee carries it)."""
    now = utcnow()
    message = f"{MESSAGES[kind]}: {_describe(booking, event_type, host_zone)}"
    data = {"bookingId": booking.id, "eventTypeId": event_type.id, "bookingEvent": kind}
    recipients = {booking.host_id} | ({booking.booker_id} if booking.booker_id else set())
    await notify(sorted(recipients), f"BOOKING_{kind}", message, data)
    await outbox.write(
        BookingChanged(
            kind=kind, booking=snapshot(booking), event_type=snapshot(event_type), occurred_at=now
        )
    )
    await availability_changed(booking.host_id, now)
    await calendar_writes.enqueue(booking)
    await webhooks.enqueue(
        booking.host_id, f"BOOKING_{kind}", webhooks.booking_payload(booking, kind, now.isoformat())
    )
    await booking_mail.booking_changed(booking, event_type, kind, manage_token)


async def notify(user_ids: list[int], kind: str, message: str, data: dict[str, Any]) -> None:
    """Inside the caller's transaction: a notification each, pushed live after commit."""
    now = utcnow()
    for user_id in user_ids:
        notification = await Notification.create(
            user_id=user_id, kind=kind, message=message, data=data
        )
        await outbox.write(
            NotificationCreated(notification=snapshot(notification), occurred_at=now)
        )


async def availability_changed(host_id: int, occurred_at: datetime | None = None) -> None:
    """Slots of every event type of the host may have changed. No personal data in the payload."""
    occurred_at = occurred_at or utcnow()
    ids = await EventType.filter(host_id=host_id, active=True).values_list("id", flat=True)
    await outbox.write(
        *(AvailabilityChanged(event_type_id=i, occurred_at=occurred_at) for i in ids)
    )


async def event_type_availability_changed(event_type_id: int) -> None:
    """Slots of this one event type may have changed (e.g. it was hidden or shown again)."""
    await outbox.write(AvailabilityChanged(event_type_id=event_type_id, occurred_at=utcnow()))


async def public_data_changed() -> None:
    """Inside the transaction that changes an event type, or a host's public profile, status or
    existence: public caches in every process drop what they hold once it is committed."""
    await outbox.write(PublicDataChanged(occurred_at=utcnow()))


async def calendar_changed(
    owner_id: int, calendar: LinkedCalendar, occurred_at: datetime | None = None
) -> None:
    """The owner's linked calendar changed (busy times or sync status). Inside the transaction of
    the change; the message carries what `LinkedCalendar` shows, never the feed URL."""
    busy_count = await CalendarBusy.filter(calendar_id=calendar.id).count()
    summary = CalendarSummary.of(calendar, busy_count)
    await outbox.write(
        CalendarChanged(owner_id=owner_id, calendar=summary, occurred_at=occurred_at or utcnow())
    )
