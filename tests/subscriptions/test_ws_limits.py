"""WebSocket limits (WS_INIT_TIMEOUT_SECONDS, WS_MAX_SUBSCRIPTIONS) against a real server started
with small values, with real WebSocket clients."""

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
import websockets

from tests.conftest import LiveServer, live_subscriptions, start_server
from tests.subscriptions.test_live import (
    BOOK,
    EVENTS,
    Client,
    booking_input,
    host_with_type,
    slot,
)

INIT_TIMEOUT = 1.0
MAX_SUBSCRIPTIONS = 3


@pytest.fixture(scope="module")
def limited_server(
    database: None, settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    env = {
        "WS_INIT_TIMEOUT_SECONDS": str(INIT_TIMEOUT),
        "WS_MAX_SUBSCRIPTIONS": str(MAX_SUBSCRIPTIONS),
        "OUTBOX_POLL_SECONDS": "3600",  # its mutations publish at once; no background flushes
    }
    server = start_server(settings, tmp_path_factory.mktemp("ws-limits"), env=env)
    yield server
    server.stop()


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_socket_that_never_sends_connection_init_is_closed_with_4408(
    limited_server, protocol
):
    opened = time.monotonic()  # before the server can start its timer
    silent = await websockets.connect(limited_server.ws, subprotocols=[protocol])
    initialised = await Client.connect(limited_server.ws, protocol)
    try:
        await asyncio.wait_for(silent.wait_closed(), INIT_TIMEOUT + 5)
        waited = time.monotonic() - opened
        # The initialised socket outlives the timeout and still answers (here: who may listen).
        await asyncio.sleep(0.5)
        await initialised.subscribe(EVENTS)
        answer = await initialised.receive(5)
    finally:
        await silent.close()
        await initialised.close()
    assert (silent.close_code, silent.close_reason) == (4408, "Connection initialisation timeout")
    assert INIT_TIMEOUT * 0.9 <= waited < INIT_TIMEOUT + 4, waited  # the setting, not 30 s
    assert answer["id"] == "1" and "UNAUTHENTICATED" in json.dumps(answer["payload"])


@pytest.mark.parametrize(
    ("protocol", "refusal"),
    [
        ("graphql-transport-ws", [{"message": "Subscription limit reached"}]),
        ("graphql-ws", {"message": "Subscription limit reached"}),
    ],
)
async def test_one_subscription_beyond_the_limit_is_refused_and_the_others_keep_working(
    limited_server, clean_db, protocol, refusal
):
    token, type_id = await host_with_type(limited_server, "host@example.com")
    client = await Client.connect(limited_server.ws, protocol, token)
    try:
        for number in range(MAX_SUBSCRIPTIONS + 1):
            await client.subscribe(EVENTS, id=f"op{number}")
        refused = await client.receive(5)
        await limited_server.until_metric(live_subscriptions("bookingEvents"), MAX_SUBSCRIPTIONS)
        booked = (await limited_server.post(BOOK, booking_input(type_id, slot()))).ok()
        delivered = {}
        for _ in range(MAX_SUBSCRIPTIONS):
            message = await client.receive(10)
            delivered[message["id"]] = message["payload"]["data"]["bookingEvents"]
        with pytest.raises(TimeoutError):
            await client.receive(1.0)  # nothing for the refused one
        still_open = client.ws.close_code is None
    finally:
        await client.close()
    assert (refused["type"], refused["id"], refused["payload"]) == ("error", "op3", refusal)
    assert sorted(delivered) == [f"op{n}" for n in range(MAX_SUBSCRIPTIONS)]
    for event in delivered.values():
        assert (event["kind"], event["booking"]["id"]) == ("CREATED", booked["bookMeeting"]["id"])
    assert still_open
