"""The event bus behind live subscriptions: publish a JSON-serialisable dict on a named channel and
every current subscriber of that channel receives it.

`MemoryBus` serves one process (the embedded default). `RedisBus` spans processes and hosts: each
process holds one Redis pub/sub connection, read by one task, subscribed to exactly the channels
that have local subscribers, and fans every message out to them.

Delivery policy: each subscriber has its own bounded buffer (`maxsize`). Publishing never waits
for a consumer. When a subscriber's buffer is full its OLDEST message is discarded and counted in
`Subscription.dropped`, so a slow consumer delays neither the publisher nor other subscribers. A
dashboard that falls behind loses the oldest live events, never the newest, and catches up via
the `notifications` query. Delivery is at most once: Redis does not keep messages published
while this process is reconnecting to it either.

A message is serialised once per publish and decoded once per process. Every local subscriber
receives the same dict object and must treat it as read-only.
"""

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from typing import Any, Generic, Self, TypeVar

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

Message = dict[str, Any]
T = TypeVar("T")


class SubscriptionClosed(Exception):
    """The subscription has ended: it was exited, or its bus was stopped."""


class BusUnavailable(Exception):
    """The bus could not take a message now (Redis unreachable or not answering)."""


# What orjson would write but the standard encoder refuses (a datetime is not JSON): refused.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _encode(message: Message) -> str:
    # orjson: ~30x the standard encoder for a booking's messages (three of ~1.5 kB on every
    # booking); the standard one for what orjson refuses (integers beyond 64 bits, subclasses).
    try:
        return orjson.dumps(message, option=_STRICT | orjson.OPT_PASSTHROUGH_SUBCLASS).decode()
    except TypeError:
        return json.dumps(message, separators=(",", ":"))


class Mailbox(Generic[T]):
    """A bounded buffer read by one task: an async iterator of items. When it is full, adding
    discards the oldest item (counted in `dropped`), so the writer never waits for the reader."""

    __slots__ = ("_buffer", "_closed", "_waiter", "dropped")

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.dropped = 0
        self._buffer: deque[T] = deque(maxlen=maxsize)
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Items received and not read yet."""
        return len(self._buffer)

    def _put(self, item: T) -> None:
        if self._closed:
            return
        if len(self._buffer) == self._buffer.maxlen:
            self.dropped += 1  # appending to a full deque discards its oldest item
        self._buffer.append(item)
        self._wake()

    def _close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self, timeout: float | None = None) -> T:  # noqa: ASYNC109
        """The next item. Raises TimeoutError after `timeout` seconds without one, and
        SubscriptionClosed once the mailbox is closed and drained."""
        if not self._buffer:
            async with asyncio.timeout(timeout):
                while not self._buffer:
                    if self._closed:
                        raise SubscriptionClosed(self._name())
                    if self._waiter is not None:
                        raise RuntimeError("another task is already reading this subscription")
                    self._waiter = asyncio.get_running_loop().create_future()
                    try:
                        await self._waiter
                    finally:
                        self._waiter = None
        return self._buffer.popleft()

    def _name(self) -> str:
        return "mailbox"

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        try:
            return await self.get()
        except SubscriptionClosed:
            raise StopAsyncIteration from None


class Subscription(Mailbox[Message]):
    """One subscriber's bounded buffer on a channel: an async context manager and an async iterator
    of messages. Read it from one task at a time."""

    __slots__ = ("_bus", "channel")

    def __init__(self, bus: "EventBus", channel: str, maxsize: int) -> None:
        super().__init__(maxsize)
        self._bus = bus
        self.channel = channel

    def _name(self) -> str:
        return self.channel

    async def __aenter__(self) -> Self:
        if self._closed:
            raise SubscriptionClosed(self.channel)
        await self._bus._attach(self)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._close()
        self._buffer.clear()
        await self._bus._detach(self)


class EventBus(ABC):
    """Channels of JSON messages. `subscribe()` returns a Subscription to use with `async with`."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._stopped = False

    @abstractmethod
    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Ends every live subscription: iterators finish once their buffer is drained."""
        self._stopped = True
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription._close()

    @abstractmethod
    async def publish(self, channel: str, message: Message) -> None: ...

    async def publish_many(self, messages: Sequence[tuple[str, Message]]) -> None:
        """Each (channel, message) in order, as `publish` would; a bus that can sends them
        together (one round trip to Redis for an operation's messages, not one each)."""
        for channel, message in messages:
            await self.publish(channel, message)

    def subscribe(self, channel: str, *, maxsize: int = 256) -> Subscription:
        return Subscription(self, channel, maxsize)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def total_subscribers(self) -> int:
        return sum(map(len, self._subscribers.values()))

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _deliver(self, channel: str, message: Message) -> None:
        for subscription in self._subscribers.get(channel, ()):
            subscription._put(message)

    async def _attach(self, subscription: Subscription) -> None:
        if self._stopped:
            raise SubscriptionClosed("the event bus is stopped")
        self._subscribers.setdefault(subscription.channel, set()).add(subscription)

    async def _detach(self, subscription: Subscription) -> None:
        self._forget(subscription)

    def _forget(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.channel]


class MemoryBus(EventBus):
    """Fans out within this process; usable without start()."""

    async def start(self) -> None:
        self._stopped = False

    async def publish(self, channel: str, message: Message) -> None:
        # Encoded even without subscribers, so a message Redis would refuse fails here too.
        payload = _encode(message)
        if channel in self._subscribers:
            self._deliver(channel, json.loads(payload))


class RedisBus(EventBus):
    """Fans out across processes through Redis pub/sub, channel names prefixed with `prefix`."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "bnm:",
        ping_interval: float = 30.0,
        timeout: float = 5.0,
        retry_delay: float = 0.1,
        max_retry_delay: float = 10.0,
    ) -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self._ping_interval = ping_interval
        self._timeout = timeout
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._publisher: Redis | None = None
        self._listener: Redis | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pubsub: PubSub | None = None  # set while the reader is connected
        self._lock = asyncio.Lock()  # orders SUBSCRIBE/UNSUBSCRIBE with (re)connection
        self._requested: set[str] = set()  # last command sent for these channels: SUBSCRIBE
        self._unconfirmed: dict[str, int] = {}  # SUBSCRIBEs sent that Redis has not confirmed
        self._ready: dict[str, asyncio.Future[None]] = {}

    @property
    def subscribed_channels(self) -> frozenset[str]:
        """Channels (without prefix) this process's Redis connection is subscribed to, or is
        subscribing to right now."""
        return frozenset(self._requested)

    async def start(self) -> None:
        if self._reader is not None:
            return
        self._stopped = False
        # No socket_timeout: redis-py would then send through asyncio.wait_for, which on Python
        # 3.11 can swallow a cancellation. Waits are bounded with asyncio.timeout here instead.
        publisher = Redis.from_url(self.url, socket_connect_timeout=self._timeout)
        try:
            async with asyncio.timeout(self._timeout):
                await publisher.ping()  # a wrong REDIS_URL fails at start, not at the first event
        except BaseException:
            await publisher.aclose()
            raise
        self._publisher = publisher
        # The reader owns reconnection, so redis-py's own retries are off for this connection.
        self._listener = Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=self._timeout,
            socket_keepalive=True,
            client_name=f"{self.prefix}listener".replace(" ", "_"),
        )
        self._reader = asyncio.create_task(self._read_forever(), name="event-bus-reader")

    async def stop(self) -> None:
        await super().stop()
        reader, self._reader = self._reader, None
        while reader is not None and not reader.done():
            reader.cancel()  # repeated: a cancel swallowed by library code must not hang stop()
            await asyncio.wait([reader], timeout=0.1)
        for future in self._ready.values():
            if not future.done():
                future.set_result(None)  # wakes joiners, who then see the bus stopped
        self._ready.clear()
        for client in (self._publisher, self._listener):
            if client is not None:
                await client.aclose()
        self._publisher = self._listener = None

    async def publish(self, channel: str, message: Message) -> None:
        payload = _encode(message)
        if self._publisher is None:
            raise RuntimeError("RedisBus.publish() before start()")
        try:
            async with asyncio.timeout(self._timeout):
                await self._publisher.publish(self.prefix + channel, payload)
        except (RedisError, OSError, TimeoutError) as exc:
            raise BusUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def publish_many(self, messages: Sequence[tuple[str, Message]]) -> None:
        if len(messages) < 2:
            return await super().publish_many(messages)
        payloads = [(self.prefix + channel, _encode(message)) for channel, message in messages]
        if self._publisher is None:
            raise RuntimeError("RedisBus.publish() before start()")
        try:
            async with asyncio.timeout(self._timeout):
                # A pipeline, not a MULTI: Redis runs the PUBLISHes in order, in one round trip.
                async with self._publisher.pipeline(transaction=False) as pipe:
                    for channel, payload in payloads:
                        pipe.publish(channel, payload)
                    await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            raise BusUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def _attach(self, subscription: Subscription) -> None:
        if self._reader is None and not self._stopped:
            raise RuntimeError("RedisBus.subscribe() before start()")
        await super()._attach(subscription)
        try:
            await asyncio.shield(self._sync(subscription.channel))
            await self._until_subscribed(subscription.channel)
        except BaseException:
            await self._detach(subscription)
            raise

    async def _detach(self, subscription: Subscription) -> None:
        self._forget(subscription)
        # Shielded here and in _attach: a cancelled consumer must not leave the state half-changed.
        await asyncio.shield(self._sync(subscription.channel))

    async def _sync(self, channel: str) -> None:
        """Subscribes the Redis connection to `channel` iff it has local subscribers."""
        async with self._lock:
            pubsub = self._pubsub
            wanted = channel in self._subscribers
            if pubsub is None or wanted == (channel in self._requested):
                return  # when disconnected, the reader subscribes on reconnection
            try:
                if wanted:
                    self._requested.add(channel)
                    self._unconfirmed[channel] = self._unconfirmed.get(channel, 0) + 1
                    await pubsub.subscribe(self.prefix + channel)
                else:
                    self._requested.discard(channel)
                    self._ready.pop(channel, None)
                    await pubsub.unsubscribe(self.prefix + channel)
            except Exception as exc:  # the reader sees the broken connection and reconnects
                log.warning("event bus: could not (un)subscribe %r: %s", channel, exc)

    def _is_subscribed(self, channel: str) -> bool:
        return channel in self._requested and channel not in self._unconfirmed

    async def _until_subscribed(self, channel: str) -> None:
        """Waits until Redis confirms the subscription, so later publishes reach it."""
        if self._is_subscribed(channel):
            return
        future = self._ready.get(channel)
        if future is None:
            future = self._ready[channel] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(self._timeout):
                await asyncio.shield(future)
        except TimeoutError:
            raise TimeoutError(f"Redis did not confirm the subscription to {channel!r}") from None
        if self._stopped:
            raise SubscriptionClosed("the event bus is stopped")

    async def _read_forever(self) -> None:
        delay = self._retry_delay
        while True:
            assert self._listener is not None  # noqa: S101 (set by start() before this task runs)
            pubsub = self._listener.pubsub()
            try:
                async with asyncio.timeout(self._timeout):
                    await self._connect(pubsub)
                delay = self._retry_delay
                await self._listen(pubsub)
            except Exception as exc:
                log.warning("event bus: Redis connection lost (%s); retrying in %.1fs", exc, delay)
            finally:
                await self._disconnect(pubsub)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry_delay)

    async def _connect(self, pubsub: PubSub) -> None:
        await pubsub.connect()
        async with self._lock:
            channels = list(self._subscribers)
            self._pubsub = pubsub
            self._requested = set(channels)
            self._unconfirmed = dict.fromkeys(channels, 1)
            if channels:
                await pubsub.subscribe(*(self.prefix + channel for channel in channels))

    async def _disconnect(self, pubsub: PubSub) -> None:
        self._pubsub = None
        async with self._lock:  # lets an in-flight (un)subscribe finish on the old connection
            self._requested.clear()
            self._unconfirmed.clear()
            await pubsub.aclose()

    async def _listen(self, pubsub: PubSub) -> None:
        """Reads until the connection fails. After a silent interval Redis is pinged; another
        silent interval means the connection is dead (e.g. dropped by a NAT or load balancer)."""
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=self._ping_interval)
            if message is not None:
                pinged = False
                self._handle(message)
            elif pinged:
                raise ConnectionError("Redis did not answer PING")
            else:
                await pubsub.ping()
                pinged = True

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind not in ("message", "subscribe"):
            return
        channel = message["channel"].decode()[len(self.prefix) :]
        if kind == "message":
            if channel in self._subscribers:
                try:
                    decoded = json.loads(message["data"])
                except ValueError:
                    log.warning("event bus: ignored a message on %r that is not JSON", channel)
                    return
                self._deliver(channel, decoded)
            return
        left = self._unconfirmed.pop(channel, 0) - 1
        if left > 0:
            self._unconfirmed[channel] = left
        if self._is_subscribed(channel):
            future = self._ready.pop(channel, None)
            if future is not None and not future.done():
                future.set_result(None)


def bus_from_url(url: str | None, *, prefix: str = "bnm:") -> EventBus:
    """No URL or `memory://`: the in-process bus; `redis://`, `rediss://`, `unix://`: Redis."""
    if not url or url == "memory://":
        return MemoryBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url, prefix=prefix)
    raise ValueError(f"unsupported event bus URL: {url.split('://')[0]}://…")
