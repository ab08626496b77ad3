"""Events cross process boundaries: through Redis between workers, and through the outbox when
the process that committed a change died before publishing it."""

from datetime import datetime

import pytest

from models.event_type import EventType
from services import bookings
from tests.conftest import REDIS_URL, start_server
from tests.subscriptions.test_live import (
    BOOK,
    EVENTS,
    Client,
    booking_input,
    host_with_type,
    slot,
)

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (CI's second pass)")


@needs_redis
async def test_a_booking_made_through_one_worker_reaches_a_subscriber_on_another(
    server, settings, tmp_path
):
    other = start_server(settings, tmp_path)
    try:
        token, type_id = await host_with_type(server, "host@example.com")
        client = await Client.connect(server.ws, "graphql-transport-ws", token)
        try:
            await client.subscribe(EVENTS)
            booked = await other.post(BOOK, booking_input(type_id, slot()))
            event = (await client.next_data())["bookingEvents"]
        finally:
            await client.close()
    finally:
        other.stop()
    assert event["kind"] == "CREATED"
    assert event["booking"]["id"] == booked.ok()["bookMeeting"]["id"]


async def commit_without_publishing(type_id: str) -> str:
    """What a worker that crashed right after its commit leaves behind: outbox rows only."""
    event_type = await EventType.get(id=int(type_id))
    request = bookings.BookingRequest(event_type.id, _start(), "Ida", "ida@example.com")
    return str((await bookings.book(request)).booking.id)


def _start() -> datetime:
    return datetime.fromisoformat(slot(hour=14))


@needs_redis
async def test_an_event_committed_by_a_dead_worker_is_published_when_a_worker_starts(
    settings, tmp_path, clean_db
):
    # The subscriber's worker never polls the outbox on its own during this test.
    listener = start_server(settings, tmp_path, env={"OUTBOX_POLL_SECONDS": "3600"})
    try:
        token, type_id = await host_with_type(listener, "host@example.com")
        client = await Client.connect(listener.ws, "graphql-transport-ws", token)
        try:
            await client.subscribe(EVENTS)
            booking_id = await commit_without_publishing(type_id)
            with pytest.raises(TimeoutError):
                await client.receive(1.0)  # committed, not yet published
            restarted = start_server(settings, tmp_path)  # publishes pending events on start
            try:
                event = (await client.next_data())["bookingEvents"]
            finally:
                restarted.stop()
        finally:
            await client.close()
    finally:
        listener.stop()
    assert (event["kind"], event["booking"]["id"]) == ("CREATED", booking_id)


async def test_the_dispatcher_publishes_what_another_process_committed(
    settings, tmp_path, clean_db
):
    server = start_server(settings, tmp_path, env={"OUTBOX_POLL_SECONDS": "0.5"})
    try:
        token, type_id = await host_with_type(server, "host@example.com")
        client = await Client.connect(server.ws, "graphql-transport-ws", token)
        try:
            await client.subscribe(EVENTS)
            booking_id = await commit_without_publishing(type_id)
            event = (await client.next_data())["bookingEvents"]
        finally:
            await client.close()
    finally:
        server.stop()
    assert (event["kind"], event["booking"]["id"]) == ("CREATED", booking_id)
