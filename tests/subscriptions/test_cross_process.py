"""Events cross process boundaries: through Redis between workers, and through the outbox when
the process that committed a change died before publishing it, or could not reach Redis."""

import asyncio
import time
from contextlib import suppress
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from models.booking import Booking
from models.event_type import EventType
from models.notification import OutboxEvent
from services import bookings
from tests.conftest import REDIS_URL, live_subscriptions, start_server
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
            await server.until_metric(live_subscriptions("bookingEvents"), 1)
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
            await listener.until_metric(live_subscriptions("bookingEvents"), 1)
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
            await server.until_metric(live_subscriptions("bookingEvents"), 1)
            booking_id = await commit_without_publishing(type_id)
            event = (await client.next_data())["bookingEvents"]
        finally:
            await client.close()
    finally:
        server.stop()
    assert (event["kind"], event["booking"]["id"]) == ("CREATED", booking_id)


class Link:
    """A TCP link on a free loopback port to a real server (here Redis), which the test can cut
    like a network failure: open connections are reset and new ones refused."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def open(self) -> "Link":
        self.server = await asyncio.start_server(self._carry, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    async def _carry(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, upstream_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))

    def cut(self) -> None:
        if self.server is not None:
            self.server.close()  # new connections: refused
        for writer in self.writers:
            writer.transport.abort()  # open connections: reset


def redis_through(link: Link) -> str:
    """REDIS_URL, reaching Redis through `link`."""
    url = urlsplit(REDIS_URL)
    return url._replace(netloc=f"127.0.0.1:{link.port}").geturl()


async def outbox_drained(seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while await OutboxEvent.all().count():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


@needs_redis
async def test_a_booking_committed_while_redis_was_unreachable_is_delivered_after_kill_and_restart(
    server, settings, tmp_path
):
    """`server` subscribes on the working Redis. `worker` loses Redis after it started, books,
    is killed with SIGKILL (no shutdown code runs) and is started again on the working Redis."""
    redis = urlsplit(REDIS_URL)
    link = await Link(redis.hostname, redis.port or 6379).open()
    # In a thread: this event loop carries the link while the worker connects to Redis.
    worker = await asyncio.to_thread(
        start_server, settings, tmp_path, env={"REDIS_URL": redis_through(link)}
    )
    restarted = None
    try:
        token, type_id = await host_with_type(server, "host@example.com")
        client = await Client.connect(server.ws, "graphql-transport-ws", token)
        try:
            await client.subscribe(EVENTS)
            await server.until_metric(live_subscriptions("bookingEvents"), 1)  # before the change
            link.cut()
            booked = (await worker.post(BOOK, booking_input(type_id, slot()))).ok()
            committed = await Booking.exists(id=int(booked["bookMeeting"]["id"]))
            waiting = await OutboxEvent.filter(channel__startswith="booking:").count()
            with pytest.raises(TimeoutError):
                await client.receive(1.0)  # committed, not published

            worker.process.kill()
            worker.process.wait()
            restarted = await asyncio.to_thread(start_server, settings, tmp_path)
            event = (await client.next_data())["bookingEvents"]
        finally:
            await client.close()
    finally:
        link.cut()
        worker.stop()
        if restarted is not None:
            restarted.stop()
    assert committed and waiting == 1
    assert "event bus unavailable" in worker.log()
    assert (event["kind"], event["booking"]["id"]) == ("CREATED", booked["bookMeeting"]["id"])
    assert await outbox_drained()
