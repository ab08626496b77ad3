"""Book N Meet meetings as iCalendar: a host's private feed, and one booking for its booker.

UIDs are stable per booking and SEQUENCE grows with every move or cancellation, so Google,
Outlook and Apple update the event in place; cancelled bookings stay in the feed as CANCELLED.
"""

from datetime import timedelta

from tortoise.transactions import in_transaction

from domain.ical import ExportEvent, export_calendar
from models.booking import CANCELLED, PENDING, Booking
from models.calendar import CalendarFeed
from models.user import User
from services.clock import utcnow
from services.tokens import new_token, token_hash

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=400)
FEED_LIMIT = 5000
STATUS = {PENDING: "TENTATIVE", CANCELLED: "CANCELLED"}


def _event(booking: Booking, *, summary: str, description: str | None) -> ExportEvent:
    event_type = booking.event_type
    return ExportEvent(
        uid=booking.calendar_uid(),
        start=booking.start,
        end=booking.end,
        summary=summary,
        sequence=booking.sequence,
        status=STATUS.get(booking.status, "CONFIRMED"),
        location=booking.location or event_type.location,
        description=description,
        last_modified=booking.updated_at,
    )


async def rotate_feed(host: User) -> str:
    """A new secret feed token; the previous feed URL stops working at once."""
    token = new_token("bnm_f")
    async with in_transaction():
        feed, created = await CalendarFeed.get_or_create(
            owner_id=host.id, defaults={"token_hash": token_hash(token)}
        )
        if not created:
            feed.token_hash = token_hash(token)
            await feed.save(update_fields=["token_hash"])
    return token


async def host_feed(token: str) -> bytes | None:
    feed = await CalendarFeed.get_or_none(token_hash=token_hash(token)).select_related("owner")
    if feed is None:
        return None
    now = utcnow()
    rows = (
        await Booking.filter(
            host_id=feed.owner_id, start__gte=now - FEED_PAST, start__lt=now + FEED_FUTURE
        )
        .order_by("start")
        .limit(FEED_LIMIT)
        .select_related("event_type")
    )
    events = [
        _event(
            row,
            summary=f"{row.event_type.title} with {row.attendee_name}",
            description=row.notes,
        )
        for row in rows
    ]
    return export_calendar(events, name=f"Book N Meet: {feed.owner.name}")


async def booking_file(booking_id: int, manage_token: str) -> bytes | None:
    booking = await Booking.get_or_none(
        id=booking_id, manage_token_hash=token_hash(manage_token)
    ).select_related("event_type__host")
    if booking is None:
        return None
    host = booking.event_type.host
    event = _event(
        booking, summary=f"{booking.event_type.title} with {host.name}", description=None
    )
    return export_calendar([event], name=booking.event_type.title)
