"""WebSocket messages within bounds (issue #14, point 4), on both protocols, against the real
server with a real websockets client: oversize messages and connection_init payloads, messages
nested too deeply or that are no JSON object close the socket with a code, never an unhandled
exception, and the server goes on serving."""

import asyncio
import json

import pytest
import websockets

from tests.subscriptions.test_live import Client

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
MAX_BODY_BYTES = 256 * 1024  # the default, for HTTP bodies and WebSocket messages alike


async def closed_with(ws: websockets.ClientConnection) -> tuple[int | None, str | None]:
    """The close code and reason once the server has closed the socket (messages before it,
    such as a connection_ack, are read and dropped)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except websockets.ConnectionClosed:
        pass
    return ws.close_code, ws.close_reason


async def assert_still_serving(server, protocol: str) -> None:
    client = await Client.connect(server.ws, protocol)
    try:
        await client.subscribe("subscription { bookingEvents { kind } }")
        answer = await client.receive(5)
    finally:
        await client.close()
    assert "UNAUTHENTICATED" in json.dumps(answer["payload"])


def init(payload: dict) -> str:
    return json.dumps({"type": "connection_init", "payload": payload})


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_large_connection_init_payload_closes_the_socket_with_4400(server, protocol):
    async with websockets.connect(server.ws, subprotocols=[protocol]) as ws:
        await ws.send(init({"authorization": "Bearer x", "padding": "a" * 100_000}))
        assert await closed_with(ws) == (4400, "Connection init payload larger than 8192 bytes")
    await assert_still_serving(server, protocol)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_message_over_the_body_cap_closes_the_socket_with_1009(server, protocol):
    async with websockets.connect(server.ws, subprotocols=[protocol], max_size=None) as ws:
        await ws.send(init({}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        kind = "subscribe" if protocol == "graphql-transport-ws" else "start"
        query = "subscription { bookingEvents { kind } }" + " " * (MAX_BODY_BYTES + 1)
        await ws.send(json.dumps({"id": "1", "type": kind, "payload": {"query": query}}))
        code, _ = await closed_with(ws)
    assert code == 1009
    await assert_still_serving(server, protocol)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("[" * 5000 + "]" * 5000, "Message nested too deeply"),
        ('{"type": "connection_init", "payload": ' + "[" * 2000 + "]" * 2000 + "}", None),
        ("[1, 2]", "Message must be a JSON object"),
        ("5", "Message must be a JSON object"),
        ('"connection_init"', "Message must be a JSON object"),
    ],
    ids=["deep array", "deep payload", "array", "number", "string"],
)
async def test_a_deep_or_non_object_frame_closes_the_socket_with_4400(
    server, protocol, frame, reason
):
    logged = len(server.log())
    async with websockets.connect(server.ws, subprotocols=[protocol]) as ws:
        await ws.send(frame)
        code, why = await closed_with(ws)
    assert code == 4400 and why == (reason or "Message nested too deeply")
    await assert_still_serving(server, protocol)
    assert "Traceback" not in server.log()[logged:]
