"""WebSockets end with their session: a socket signed in with a token that is revoked, expires, or
whose account is suspended or erased is closed with 4401, on every worker.

Each process's `SessionWatch` listens on the bus's "sessions" channel (services/sessions.py
publishes there after the commit that ends a session) and re-checks, in the database, the tokens
of the sockets a message names; every `check_seconds` it re-checks all of them (expiry, and any
message lost while the bus was down). The handlers also re-check the token before each operation.

Order that leaves no gap: the watch is subscribed before a socket's token is read, and a message
that arrives before the socket is registered is remembered for a while (`REMEMBER_SECONDS`), so
a revocation committed after that read always reaches the socket.
"""

import asyncio
import logging
import time
from collections.abc import Coroutine, Iterable
from typing import Any, Protocol

from events.bus import EventBus
from events.messages import SESSIONS_CHANNEL, Payload, SessionsEnded, decode
from schema.context import Context
from services import sessions
from services.accounts import LAST_USED_RESOLUTION
from services.sessions import SessionLimits

log = logging.getLogger(__name__)

REMEMBER_SECONDS = 120.0
READY_TIMEOUT = 5.0

Key = tuple[str, int]  # ("s", token id) or ("u", user id)


class SessionSocket(Protocol):
    context: Context

    async def end_session(self) -> None: ...


class SessionWatch:
    def __init__(self, bus: EventBus, limits: SessionLimits, check_seconds: float) -> None:
        self.bus = bus
        self.limits = limits
        self.check_seconds = check_seconds
        self.sockets: dict[SessionSocket, tuple[Key, Key]] = {}
        self.by_key: dict[Key, set[SessionSocket]] = {}
        self.recent: dict[Key, float] = {}  # keys named by messages lately (monotonic time)
        self._listener: asyncio.Task[None] | None = None
        self._checker: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._failed = False  # the last attempt to subscribe failed
        self._tasks: set[asyncio.Task[None]] = set()

    async def ready(self) -> None:
        """Subscribed to the channel (started on first use). When the bus cannot subscribe (Redis
        down), this logs it and returns, and later sockets do not wait while it retries: the
        periodic check still closes ended sessions, and once subscribed the bus keeps the
        subscription across reconnections."""
        if self._listener is None or self._listener.done():
            self._ready = asyncio.get_running_loop().create_future()
            self._listener = asyncio.create_task(self._listen(self._ready), name="session watch")
        if self._failed:
            return
        assert self._ready is not None  # noqa: S101 (set with the listener)
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await asyncio.shield(self._ready)
        except TimeoutError:
            log.warning("session watch: not subscribed to the event bus yet")

    def watch(self, socket: SessionSocket) -> None:
        """Registers a signed-in socket (again after a new connection_init)."""
        self.forget(socket)
        context = socket.context
        if context.session_id is None or context.user is None:
            return
        keys = (("s", context.session_id), ("u", context.user.id))
        self.sockets[socket] = keys
        for key in keys:
            self.by_key.setdefault(key, set()).add(socket)
        if any(key in self.recent for key in keys):  # ended between its check and now?
            self._spawn(self._recheck([socket]))
        if self._checker is None or self._checker.done():
            self._checker = asyncio.create_task(self._check_forever(), name="session check")

    def forget(self, socket: SessionSocket) -> None:
        for key in self.sockets.pop(socket, ()):
            members = self.by_key.get(key)
            if members is not None:
                members.discard(socket)
                if not members:
                    del self.by_key[key]
        if not self.sockets and self._checker is not None:
            self._checker.cancel()  # nothing to check until the next signed-in socket
            self._checker = None

    async def _listen(self, ready: asyncio.Future[None]) -> None:
        try:
            async with self.bus.subscribe(SESSIONS_CHANNEL) as messages:
                self._failed = False
                ready.set_result(None)
                async for payload in messages:
                    try:
                        self._hint(payload)
                    except (TypeError, ValueError, AttributeError):  # not one of ours
                        log.warning("session watch: ignored a malformed message %r", payload)
        except Exception as exc:
            self._failed = True
            log.warning("session watch: not listening on the event bus (%s)", exc)
        finally:
            if not ready.done():
                ready.set_result(None)  # waiters go on; the periodic check remains

    def _hint(self, payload: Payload) -> None:
        message = decode(payload)
        if not isinstance(message, SessionsEnded):
            raise ValueError(f"not a SessionsEnded message: {message.type}")
        now = time.monotonic()
        self.recent = {k: t for k, t in self.recent.items() if now - t < REMEMBER_SECONDS}
        keys = [("s", i) for i in message.sessions] + [("u", i) for i in message.users]
        named: set[SessionSocket] = set()
        for key in keys:
            self.recent[key] = now
            named |= self.by_key.get(key, set())
        if named:
            self._spawn(self._recheck(named))

    async def _recheck(self, sockets: Iterable[SessionSocket]) -> None:
        """Ends the sockets whose token is no longer live."""
        watched = {s: self.sockets[s][0][1] for s in sockets if s in self.sockets}
        if not watched:
            return
        live = await sessions.still_live(watched.values(), self.limits)
        for socket, session_id in watched.items():
            if session_id not in live and socket in self.sockets:
                self.forget(socket)
                self._spawn(socket.end_session())

    async def _check_forever(self) -> None:
        """Every `check_seconds` while sockets are watched: expiry, missed messages, and the
        open sockets' tokens marked used (an open dashboard is use)."""
        while self.sockets:
            await asyncio.sleep(self.check_seconds)
            try:
                await self._recheck(list(self.sockets))
                ids = [keys[0][1] for keys in self.sockets.values()]
                await sessions.touch(ids, self.limits, LAST_USED_RESOLUTION)
            except Exception:
                log.exception("session watch: periodic check failed; retrying")

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("session watch: a check failed", exc_info=task.exception())
