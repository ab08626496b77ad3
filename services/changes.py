"""What a committed change tells people: notifications, live messages and webhooks, all written
inside the transaction of the change (so a rollback tells nobody) and published after it commits
by the outbox unit around the operation or job (events/outbox.py)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.models import Model

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
from models.fresh import fresh
from models.notification import Notification
from models.user import User
from services import booking_hosts, calendar_writes, reminders, webhooks
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
    # Every host of a team booking is told like the host of a personal one.
    others = await booking_hosts.other_hosts(booking, event_type)
    people = {booking.host_id, *others} | ({booking.booker_id} if booking.booker_id else set())
    await notify(sorted(people), f"BOOKING_{kind}", message, data)
    booking_row, event_type_row = snapshot(booking), snapshot(event_type)
    await outbox.write(
        *(
            BookingChanged(
                kind=kind,
                booking=booking_row,
                event_type=event_type_row,
                occurred_at=now,
                recipient=host_id,
            )
            for host_id in [None, *others]
        )
    )
    payload = webhooks.booking_payload(booking, kind, now.isoformat())
    await hosts_availability_changed([booking.host_id, *others], now)
    for host_id in [booking.host_id, *others]:
        await calendar_writes.enqueue(booking, host_id)
        await webhooks.enqueue(host_id, f"BOOKING_{kind}", payload)
    await booking_mail.booking_changed(booking, event_type, kind, manage_token, others)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who hears of a change of one of the host's bookings besides the people on it."""

    event_type_ids: list[int]  # the host's active event types: availabilityChanged
    webhook_ids: list[int]  # the host's active webhooks
    calendar_ids: list[int]  # the host's linked calendars that take bookings


def booking_made_rows(
    booking: Booking,
    event_type: EventType,
    host: User,
    manage_token: str,
    audience: Audience,
    notification_ids: list[int],
    now: datetime,
) -> list[Model]:
    """What `booking_changed(..., "CREATED", manage_token)` and `reminders.sync` write for a
    booking just made, as rows not yet written (services/batch.py), the same rows in the same
    order; the notifications take `notification_ids` (one per recipient, in order)."""
    kind = "CREATED"
    message = f"{MESSAGES[kind]}: {_describe(booking, event_type, host.time_zone)}"
    data = {"bookingId": booking.id, "eventTypeId": event_type.id, "bookingEvent": kind}
    notifications = [
        fresh(
            Notification,
            id=notification_id,
            user_id=user_id,
            kind=f"BOOKING_{kind}",
            message=message,
            data=data,
            created_at=now,
        )
        for notification_id, user_id in zip(notification_ids, recipients(booking), strict=True)
    ]
    messages = [
        *(NotificationCreated(notification=snapshot(n), occurred_at=now) for n in notifications),
        BookingChanged(
            kind=kind, booking=snapshot(booking), event_type=snapshot(event_type), occurred_at=now
        ),
        *(AvailabilityChanged(event_type_id=i, occurred_at=now) for i in audience.event_type_ids),
    ]
    payload = webhooks.booking_payload(booking, kind, now.isoformat())
    return [
        *notifications,
        *outbox.rows(*messages),
        *calendar_writes.first_writes(booking, audience.calendar_ids, now),
        *webhooks.new_deliveries(audience.webhook_ids, f"BOOKING_{kind}", payload, now),
        *booking_mail.changed_messages(booking, event_type, host, kind, manage_token),
        *reminders.due(booking, event_type, now),
    ]


def recipients(booking: Booking) -> list[int]:
    """Who is notified of a change of `booking`: its host and its signed-in booker."""
    return sorted({booking.host_id} | ({booking.booker_id} if booking.booker_id else set()))


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
    await hosts_availability_changed([host_id], occurred_at)


async def hosts_availability_changed(
    host_ids: list[int], occurred_at: datetime | None = None
) -> None:
    """Slots of every event type of these hosts may have changed: their own, and the team event
    types they host; each announced once."""
    occurred_at = occurred_at or utcnow()
    ids = (
        await EventType.filter(
            Q(host_id__in=host_ids) | Q(team_hosts__user_id__in=host_ids), active=True
        )
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    await outbox.write(
        *(AvailabilityChanged(event_type_id=i, occurred_at=occurred_at) for i in ids)
    )


async def availability_changed_of(event_type_id: int, occurred_at: datetime | None = None) -> None:
    """Slots of this one event type changed (a team's, whose hosts are not its `host`)."""
    await outbox.write(
        AvailabilityChanged(event_type_id=event_type_id, occurred_at=occurred_at or utcnow())
    )


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
