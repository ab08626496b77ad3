"""Subscription resolvers: each listens on one bus channel, after checking who may listen."""

from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry

from domain.errors import NotFound
from models.notification import Notification as NotificationRow
from observability import LiveSubscription, observe_delivery
from resolvers.ids import parse_id
from schema.calendar import CalendarChange, LinkedCalendar
from schema.context import Info
from schema.events import AvailabilityChange, BookingEvent, Notification
from schema.loaders import Loaders
from services import event_types
from services.events import (
    availability_channel,
    booking_channel,
    calendar_channel,
    notification_channel,
    restore,
)


async def listen(info: Info, channel: str, name: str) -> AsyncGenerator[dict[str, Any], None]:
    """The channel's messages for as long as the client stays; counted live, lag measured."""
    with LiveSubscription(name):
        async with info.context.bus.subscribe(channel) as messages:
            async for message in messages:
                observe_delivery(message)
                yield message


T = TypeVar("T")


def shared(message: dict[str, Any], key: str, build: Callable[[dict[str, Any]], T]) -> T:
    """Every local subscriber of a channel receives the same decoded message object (see
    subscriptions/bus.py), so the event is built once per process, not once per subscriber."""
    cache = message.setdefault("__built__", {})
    if key not in cache:
        cache[key] = build(message)
    return cache[key]


async def booking_events(info: Info) -> AsyncGenerator[BookingEvent, None]:
    """The signed-in host's bookings, as they change."""
    host = info.context.require_user()
    async for message in listen(info, booking_channel(host.id), "bookingEvents"):
        info.context.loaders = Loaders()  # never serve one event from another's cache
        yield shared(message, "bookingEvent", BookingEvent.from_message)


async def notifications(info: Info) -> AsyncGenerator[Notification, None]:
    user = info.context.require_user()
    async for message in listen(info, notification_channel(user.id), "notifications"):
        yield Notification.from_model(restore(NotificationRow, message["notification"]))


async def availability_changed(
    info: Info, event_type_id: strawberry.ID
) -> AsyncGenerator[AvailabilityChange, None]:
    """Public: slots of this event type may have changed; ask availableSlots again."""
    number = parse_id(event_type_id, "Event type")
    if await event_types.public(number) is None:
        raise NotFound("Event type")
    async for message in listen(info, availability_channel(number), "availabilityChanged"):
        yield AvailabilityChange(
            event_type_id=strawberry.ID(str(message["eventTypeId"])),
            occurred_at=datetime.fromisoformat(message["occurredAt"]),
        )


async def calendar_changed(info: Info) -> AsyncGenerator[CalendarChange, None]:
    """The signed-in user's linked calendars: busy times or sync status changed. No feed URL."""
    owner = info.context.require_user()
    async for message in listen(info, calendar_channel(owner.id), "calendarChanged"):
        yield CalendarChange(
            calendar=LinkedCalendar.from_message(message["calendar"]),
            occurred_at=datetime.fromisoformat(message["occurredAt"]),
        )
