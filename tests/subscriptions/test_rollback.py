"""A change that rolls back publishes nothing: its notification and outbox rows were written in
its transaction and vanish with it. Watched by real WebSocket clients on a live server."""

from datetime import datetime

import pytest
from tortoise.transactions import in_transaction

from models.booking import Booking
from models.notification import Notification, OutboxEvent
from services import bookings
from tests.conftest import live_subscriptions
from tests.subscriptions.test_live import (
    BOOK,
    EVENTS,
    Client,
    booking_input,
    host_with_type,
    slot,
)

NOTIFICATIONS = "subscription { notifications { kind bookingId } }"


class RolledBack(Exception):
    """Raised by the test to roll back a transaction after the booking wrote its rows."""


async def book_and_roll_back(type_id: str, start: str) -> dict[str, int]:
    """Runs the booking service inside a transaction that fails after the booking has written
    its notification and outbox rows; returns what it had written (seen inside it)."""
    request = bookings.BookingRequest(
        int(type_id), datetime.fromisoformat(start), "Rolf", "rolf@example.com"
    )
    with pytest.raises(RolledBack):
        async with in_transaction():
            await bookings.book(request)
            written = {
                "bookings": await Booking.all().count(),
                "notifications": await Notification.all().count(),
                "outbox": await OutboxEvent.filter(channel__startswith="booking:").count(),
            }
            raise RolledBack
    return written


async def test_a_rolled_back_booking_leaves_no_rows_and_reaches_no_subscriber(server):
    token, type_id = await host_with_type(server, "host@example.com")
    client = await Client.connect(server.ws, "graphql-transport-ws", token)
    try:
        await client.subscribe(EVENTS, id="events")
        await client.subscribe(NOTIFICATIONS, id="notifications")
        await server.until_metric(live_subscriptions("bookingEvents"), 1)  # before the changes
        await server.until_metric(live_subscriptions("notifications"), 1)

        written = await book_and_roll_back(type_id, slot())
        left = {
            "bookings": await Booking.all().count(),
            "notifications": await Notification.all().count(),
            "outbox": await OutboxEvent.all().count(),
        }
        # The same slot, booked for real through the server, which then publishes the outbox.
        booked = (await server.post(BOOK, booking_input(type_id, slot()))).ok()["bookMeeting"]
        received = {}
        for _ in range(2):
            message = await client.receive(10)
            received[message["id"]] = message["payload"]["data"]
        with pytest.raises(TimeoutError):
            await client.receive(1.0)  # nothing else: nothing for the rolled-back booking
    finally:
        await client.close()
    assert written == {"bookings": 1, "notifications": 1, "outbox": 1}
    assert left == {"bookings": 0, "notifications": 0, "outbox": 0}
    event = received["events"]["bookingEvents"]
    assert (event["kind"], event["booking"]["id"]) == ("CREATED", booked["id"])
    assert received["notifications"]["notifications"] == {
        "kind": "BOOKING_CREATED",
        "bookingId": booked["id"],
    }
    notified = await Notification.all().values_list("data", flat=True)
    assert [n["bookingId"] for n in notified] == [int(booked["id"])]
    assert await OutboxEvent.all().count() == 0
