"""uvicorn's sans-I/O WebSocket protocol (websockets), lighter for thousands of idle sockets.

An idle subscribed dashboard holds its connection for hours, so what each one keeps matters more
than how it is built (issue #22 goal 5: <= 20 KiB per connection). uvicorn's own protocol keeps,
per connection, an `asyncio.Queue` and an `asyncio.Event` (five deques of ~760 bytes between
them, though a socket has at most a message or two waiting), the handshake's request and response
with their headers (~4 KiB, never read again once accepted), and an instance dict that outgrows
CPython's shared-key layout (more than 30 attributes: ~1.5 KiB). Here the queue and the event are
small single-waiter objects, the handshake is dropped once accepted, and the attributes live in
slots. Frames, keep-alive pings, limits and closing are uvicorn's, unchanged.
"""

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class Inbox:
    """What uvicorn uses of `asyncio.Queue` (put_nowait, get, empty), for one reader: the ASGI
    app's `receive`."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Flag:
    """What uvicorn uses of `asyncio.Event` (set, clear, wait) for "the transport is writable":
    the waiters' futures exist only while writing is paused."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        while not self._set:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter


class LeanWebSocketsProtocol(WebSocketsSansIOProtocol):
    """`uvicorn.run(ws=LeanWebSocketsProtocol)`."""

    # Slots for the attributes uvicorn sets on every connection: the instance dict keeps the
    # rest, few enough to stay in CPython's compact shared-key form.
    __slots__ = (
        "app",
        "app_state",
        "asgi_version",
        "client",
        "close_sent",
        "close_timeout",
        "close_timer",
        "config",
        "conn",
        "connections",
        "curr_msg_data_type",
        "default_headers",
        "disconnected",
        "frames",
        "handshake_complete",
        "handshake_initiated",
        "initial_response",
        "last_ping_rtt",
        "logger",
        "loop",
        "pending_ping_payload",
        "ping_interval",
        "ping_sent_at",
        "ping_timeout",
        "ping_timer",
        "pong_timer",
        "queue",
        "read_paused",
        "root_path",
        "scheme",
        "scope",
        "server",
        "tasks",
        "transport",
        "writable",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag()  # type: ignore[assignment]
        self.writable.set()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # Read only before the handshake completes (the scope built, the 101 sent). The
            # request stays referenced by websockets' parser generator for the connection's
            # life, so its headers are emptied in place.
            request = self.__dict__.pop("request", None)
            if request is not None:
                request.headers.clear()
            self.__dict__.pop("response", None)
