"""web/websocket_protocol.py: uvicorn's WebSocket protocol with less kept per connection, still
exchanging messages, pinging idle clients, honouring the size limit and waiting while the
transport is paused."""

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
import websockets
from starlette.types import Receive, Scope, Send

from web.websocket_protocol import Flag, Inbox, LeanWebSocketsProtocol


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Accepts, echoes text until the client leaves or sends "bye" (then closes 4000)."""
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept", "subprotocol": "echo"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "bye":
            await send({"type": "websocket.close", "code": 4000})
            return
        await send({"type": "websocket.send", "text": message.get("text")})


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, uvicorn.Server]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        echo,
        ws=LeanWebSocketsProtocol,
        ws_ping_interval=0.1,
        ws_ping_timeout=5,
        ws_max_size=1000,
        lifespan="off",
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):  # listening within 10 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{sock.getsockname()[1]}/", server
    finally:
        server.should_exit = True
        await task
        sock.close()


def only_connection(server: uvicorn.Server) -> LeanWebSocketsProtocol:
    (connection,) = server.server_state.connections
    assert isinstance(connection, LeanWebSocketsProtocol)
    return connection


async def test_messages_pings_and_close(served: tuple[str, uvicorn.Server]) -> None:
    url, server = served
    async with websockets.connect(url, subprotocols=["echo"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "echo"
        for text in ("one", "two", "three"):
            await ws.send(text)
            assert await ws.recv() == text
        connection = only_connection(server)
        # The handshake is not kept once accepted, and the attributes stay few in the dict.
        assert "request" not in vars(connection) and "response" not in vars(connection)
        assert len(vars(connection)) <= 5
        await asyncio.sleep(0.35)  # ping_interval 0.1: answered pings measure a round trip
        assert connection.ping_sent_at > 0 and connection.pending_ping_payload is None
        await ws.send("bye")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000


async def test_a_message_over_ws_max_size_closes_with_1009(
    served: tuple[str, uvicorn.Server],
) -> None:
    url, _ = served
    async with websockets.connect(url, subprotocols=["echo"]) as ws:  # type: ignore[list-item]
        await ws.send("x" * 2000)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_inbox_hands_items_over_in_order() -> None:
    inbox = Inbox()
    assert inbox.empty()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert await reader == 1
    assert not inbox.empty()
    assert await inbox.get() == 2
    assert inbox.empty()


async def test_flag_holds_writers_while_cleared() -> None:
    flag = Flag()
    flag.set()
    await flag.wait()  # set: no wait
    flag.clear()
    writers = [asyncio.create_task(flag.wait()) for _ in range(2)]
    await asyncio.sleep(0.01)
    assert not any(w.done() for w in writers)
    flag.set()
    await asyncio.gather(*writers)
    assert flag.is_set()
