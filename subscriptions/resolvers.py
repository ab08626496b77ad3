"""Subscription resolvers: each listens on one bus channel, after checking who may listen."""

from collections.abc import AsyncGenerator, Callable
from typing import TypeVar

import strawberry

from domain.errors import NotFound
from events.messages import (
    AvailabilityChanged,
    BookingChanged,
    CalendarChanged,
    Message,
    NotificationCreated,
    availability_channel,
    booking_channel,
    calendar_channel,
    decode,
    notification_channel,
)
from observability import LiveSubscription, observe_delivery
from resolvers.ids import parse_id
from schema.calendar import CalendarChangeType, LinkedCalendarType
from schema.context import Info
from schema.live import AvailabilityChangeType, BookingEventType, NotificationType
from schema.loaders import Loaders
from services import bookings, event_types
from subscriptions.fanout import CURRENT

T = TypeVar("T")
M = TypeVar("M", bound=Message)


async def listen(
    info: Info,
    channel: str,
    name: str,
    build: Callable[[M], T],
    keep: Callable[[M], bool] | None = None,
) -> AsyncGenerator[T, None]:
    """The channel's events, built from its messages, for as long as the client stays.

    On our WebSocket handlers the subscribers of the same events share one execution and the
    frames are sent from here (subscriptions/fanout.py): nothing is yielded to graphql-core.
    """
    live = CURRENT.get()
    if live is not None:
        await live.fanout.serve(info, live, channel, name, build, keep)  # type: ignore[arg-type]
        return
    with LiveSubscription(name):
        async with info.context.bus.subscribe(channel) as messages:
            async for payload in messages:
                message = decode(payload)
                if keep is not None and not keep(message):  # type: ignore[arg-type]
                    continue
                observe_delivery(message.occurred_at)
                info.context.loaders = Loaders()  # never serve one event from another's cache
                yield build(message)  # type: ignore[arg-type]


async def booking_events(info: Info) -> AsyncGenerator[BookingEventType, None]:
    """The signed-in host's bookings, as they change."""
    host = info.context.require_user()
    channel = booking_channel(host.id)
    async for event in listen(info, channel, "bookingEvents", _booking_event):
        yield event


def _booking_event(message: BookingChanged) -> BookingEventType:
    return BookingEventType.from_message(message)


async def notifications(info: Info) -> AsyncGenerator[NotificationType, None]:
    user = info.context.require_user()
    channel = notification_channel(user.id)
    async for event in listen(info, channel, "notifications", _notification):
        yield event


async def managed_booking_events(
    info: Info, manage_token: str
) -> AsyncGenerator[BookingEventType, None]:
    """Public: one booking's changes, for whoever holds its manage token (the invitee)."""
    booking = await bookings.by_manage_token(manage_token)
    if booking is None:
        raise NotFound("Booking")
    booking_id = booking.id

    def ours(message: BookingChanged) -> bool:
        return message.booking.get("id") == booking_id

    channel = booking_channel(booking.host_id)
    async for event in listen(info, channel, "managedBookingEvents", _booking_event, ours):
        yield event


def _notification(message: NotificationCreated) -> NotificationType:
    return NotificationType.from_model(message.row())


async def availability_changed(
    info: Info, event_type_id: strawberry.ID
) -> AsyncGenerator[AvailabilityChangeType, None]:
    """Public: slots of this event type may have changed; ask availableSlots again."""
    number = parse_id(event_type_id, "Event type")
    if await event_types.public(number, info.context.user_id) is None:
        raise NotFound("Event type")
    channel = availability_channel(number)
    async for event in listen(info, channel, "availabilityChanged", _availability_change):
        yield event


def _availability_change(message: AvailabilityChanged) -> AvailabilityChangeType:
    return AvailabilityChangeType(
        event_type_id=strawberry.ID(str(message.event_type_id)), occurred_at=message.occurred_at
    )


async def calendar_changed(info: Info) -> AsyncGenerator[CalendarChangeType, None]:
    """The signed-in user's linked calendars: busy times or sync status changed. No feed URL."""
    owner = info.context.require_user()
    channel = calendar_channel(owner.id)
    async for event in listen(info, channel, "calendarChanged", _calendar_change):
        yield event


def _calendar_change(message: CalendarChanged) -> CalendarChangeType:
    return CalendarChangeType(
        calendar=LinkedCalendarType.from_summary(message.calendar), occurred_at=message.occurred_at
    )
