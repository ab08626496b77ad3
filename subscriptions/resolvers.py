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
from subscriptions.fanout import CURRENT

T = TypeVar("T")


async def listen(
    info: Info, channel: str, name: str, build: Callable[[dict[str, Any]], T]
) -> AsyncGenerator[T, None]:
    """The channel's events, built from its messages, for as long as the client stays.

    On our WebSocket handlers the subscribers of the same events share one execution and the
    frames are sent from here (subscriptions/fanout.py): nothing is yielded to graphql-core.
    """
    live = CURRENT.get()
    if live is not None:
        await live.fanout.serve(info, live, channel, name, build)
        return
    with LiveSubscription(name):
        async with info.context.bus.subscribe(channel) as messages:
            async for message in messages:
                observe_delivery(message)
                info.context.loaders = Loaders()  # never serve one event from another's cache
                yield build(message)


async def booking_events(info: Info) -> AsyncGenerator[BookingEvent, None]:
    """The signed-in host's bookings, as they change."""
    host = info.context.require_user()
    channel = booking_channel(host.id)
    async for event in listen(info, channel, "bookingEvents", BookingEvent.from_message):
        yield event


async def notifications(info: Info) -> AsyncGenerator[Notification, None]:
    user = info.context.require_user()
    channel = notification_channel(user.id)
    async for event in listen(info, channel, "notifications", _notification):
        yield event


def _notification(message: dict[str, Any]) -> Notification:
    return Notification.from_model(restore(NotificationRow, message["notification"]))


async def availability_changed(
    info: Info, event_type_id: strawberry.ID
) -> AsyncGenerator[AvailabilityChange, None]:
    """Public: slots of this event type may have changed; ask availableSlots again."""
    number = parse_id(event_type_id, "Event type")
    if await event_types.public(number) is None:
        raise NotFound("Event type")
    channel = availability_channel(number)
    async for event in listen(info, channel, "availabilityChanged", _availability_change):
        yield event


def _availability_change(message: dict[str, Any]) -> AvailabilityChange:
    return AvailabilityChange(
        event_type_id=strawberry.ID(str(message["eventTypeId"])),
        occurred_at=datetime.fromisoformat(message["occurredAt"]),
    )


async def calendar_changed(info: Info) -> AsyncGenerator[CalendarChange, None]:
    """The signed-in user's linked calendars: busy times or sync status changed. No feed URL."""
    owner = info.context.require_user()
    channel = calendar_channel(owner.id)
    async for event in listen(info, channel, "calendarChanged", _calendar_change):
        yield event


def _calendar_change(message: dict[str, Any]) -> CalendarChange:
    return CalendarChange(
        calendar=LinkedCalendar.from_message(message["calendar"]),
        occurred_at=datetime.fromisoformat(message["occurredAt"]),
    )
