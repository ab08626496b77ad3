"""Reminders before confirmed meetings, claimed exactly once even with several workers.

The claim is one atomic UPDATE (claim_token and sent_at set only where still unclaimed): on
PostgreSQL a concurrent claimer blocks on the row and then finds it taken; SQLite runs one writer
at a time. A cancelled or moved booking has its unsent reminders replaced, so nothing stale fires.
"""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.booking import CANCELLED, CONFIRMED, Booking
from models.event_type import EventType
from models.fresh import fresh
from models.reminder import Reminder
from services import changes
from services.clock import utcnow
from services.mail import booking as booking_mail

CLAIM_BATCH = 100


async def sync(booking: Booking, event_type: EventType) -> None:
    """Inside the booking's transaction: the unsent reminders match its current time and state."""
    await Reminder.filter(booking_id=booking.id, sent_at=None).delete()
    for reminder in due(booking, event_type, utcnow()):
        await reminder.save()


def due(booking: Booking, event_type: EventType, now: datetime) -> list[Reminder]:
    """The reminders a booking in its current state and time has ahead, not yet written."""
    if booking.status != CONFIRMED:
        return []
    return [
        fresh(Reminder, booking_id=booking.id, offset_minutes=offset, due_at=booking.start - ahead)
        for offset in sorted(set(event_type.reminder_offsets_minutes or []))
        if booking.start - (ahead := timedelta(minutes=offset)) > now
    ]


def _when(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day{'s' if days > 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{minutes} minutes"


async def fire_due(*, now: datetime | None = None) -> int:
    """Claims and sends every due reminder; returns how many this worker sent."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    sent = 0
    async with in_transaction():
        due = await (
            Reminder.filter(claim_token=None, due_at__lte=now)
            .order_by("due_at")
            .limit(CLAIM_BATCH)
            .values_list("id", flat=True)
        )
        if due:
            await Reminder.filter(id__in=list(due), claim_token=None).update(
                claim_token=token, sent_at=now
            )
        for reminder in await Reminder.filter(claim_token=token).select_related(
            "booking__event_type__host"
        ):
            booking = reminder.booking
            if (
                booking.status == CANCELLED
                or booking.start - timedelta(minutes=reminder.offset_minutes) != reminder.due_at
            ):
                continue  # stale: its booking was cancelled or moved
            host = booking.event_type.host
            local = booking.start.astimezone(ZoneInfo(host.time_zone))
            message = (
                f"Reminder: {booking.event_type.title} starts in "
                f"{_when(reminder.offset_minutes)} ({local:%Y-%m-%d %H:%M} {host.time_zone})"
            )
            recipients = {booking.host_id} | ({booking.booker_id} if booking.booker_id else set())
            data = {"bookingId": booking.id, "offsetMinutes": reminder.offset_minutes}
            await changes.notify(sorted(recipients), "REMINDER", message, data)
            await booking_mail.reminder(booking, _when(reminder.offset_minutes))
            sent += 1
    return sent
