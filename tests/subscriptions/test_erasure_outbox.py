"""An account erased while Redis is unreachable: the events about it that wait in the outbox are
redacted in the erasing transaction, so what the host's subscriber receives once Redis is back
names nobody."""

import asyncio
import json
import uuid
from urllib.parse import urlsplit

from models.notification import OutboxEvent
from tests.conftest import PASSWORD, REDIS_URL, SIGN_UP, start_server
from tests.subscriptions.test_cross_process import Link, needs_redis, outbox_drained, redis_through
from tests.subscriptions.test_live import BOOK, Client, host_with_type, slot

EVENTS = """subscription { bookingEvents { kind
  booking { id status attendeeName attendeeEmail notes } } }"""
DELETE_ACCOUNT = "mutation($p: String!) { deleteAccount(password: $p) }"


@needs_redis
async def test_events_about_an_account_erased_while_redis_is_down_arrive_redacted(
    server, settings, tmp_path
):
    """`server` subscribes on the working Redis; `worker` loses Redis, takes the booking and the
    erasure, and stops; a worker started on the working Redis publishes what waited."""
    marker = f"rd{uuid.uuid4().hex[:10]}"
    name, email, notes = f"Carl {marker}", f"{marker}@example.com", f"knee {marker}"
    redis = urlsplit(REDIS_URL)
    link = await Link(redis.hostname, redis.port or 6379).open()
    # In a thread: this event loop carries the link while the worker connects to Redis.
    worker = await asyncio.to_thread(
        start_server, settings, tmp_path, env={"REDIS_URL": redis_through(link)}
    )
    restarted = None
    received = []
    try:
        host, type_id = await host_with_type(server, "host@example.com")
        variables = {"input": {"email": email, "password": PASSWORD, "name": name}}
        carl = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
        await server.verify_email(email)
        client = await Client.connect(server.ws, "graphql-transport-ws", host)
        try:
            await client.subscribe(EVENTS)
            link.cut()
            booking = {"eventTypeId": type_id, "start": slot(), "name": name, "email": email,
                       "notes": notes}  # fmt: skip
            booked = (await worker.post(BOOK, {"i": booking}, token=carl)).ok()["bookMeeting"]
            waiting = json.dumps([e.payload for e in await OutboxEvent.all()])
            (await worker.post(DELETE_ACCOUNT, {"p": PASSWORD}, token=carl)).ok()
            pending = json.dumps([e.payload for e in await OutboxEvent.all()])
            worker.stop()

            restarted = await asyncio.to_thread(start_server, settings, tmp_path)
            received = [(await client.next_data())["bookingEvents"] for _ in range(2)]
        finally:
            await client.close()
    finally:
        link.cut()
        worker.stop()
        if restarted is not None:
            restarted.stop()
    assert "event bus unavailable" in worker.log()
    assert marker in waiting  # the booking's events really waited, with the details
    assert marker not in json.dumps(received), "the host's subscriber received erased details"
    assert marker not in pending, "the erased details wait in the outbox"
    assert [(e["kind"], e["booking"]["id"]) for e in received] == [
        ("CREATED", booked["id"]),
        ("CANCELLED", booked["id"]),
    ]
    created = received[0]["booking"]
    assert (created["attendeeName"], created["attendeeEmail"], created["notes"]) == (
        "[erased]", "[erased]", None,
    )  # fmt: skip
    assert await outbox_drained()
