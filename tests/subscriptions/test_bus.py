"""The event bus, on both backends: who receives a message, what a slow subscriber loses, that
subscriptions leave nothing behind, and that Redis carries messages between processes."""

import asyncio
import inspect
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from functools import cache

import pytest
import redis
import redis.asyncio
from redis.asyncio.client import PubSub

from events.bus import (
    BusUnavailable,
    EventBus,
    MemoryBus,
    RedisBus,
    Subscription,
    SubscriptionClosed,
    bus_from_url,
)
from tests.conftest import REDIS_URL, ROOT

LOCAL_REDIS = "redis://127.0.0.1:6379/15"


@cache
def redis_url() -> str | None:
    """TEST_REDIS_URL, else a Redis that answers on the local default port, else None."""
    if REDIS_URL:
        return REDIS_URL
    try:
        with redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=0.5) as client:
            client.ping()
    except (redis.RedisError, OSError):
        return None
    return LOCAL_REDIS


def needs_redis() -> str:
    url = redis_url()
    if url is None:
        pytest.skip(f"no Redis: TEST_REDIS_URL is unset and nothing answers on {LOCAL_REDIS}")
    return url


def fresh_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    backend: EventBus = (
        MemoryBus() if request.param == "memory" else RedisBus(needs_redis(), prefix=fresh_prefix())
    )
    await backend.start()
    yield backend
    await backend.stop()


@pytest.fixture
async def redis_bus() -> AsyncIterator[RedisBus]:
    backend = RedisBus(needs_redis(), prefix=fresh_prefix())
    await backend.start()
    yield backend
    await backend.stop()


@pytest.fixture
async def raw_redis() -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(needs_redis())
    yield client
    await client.aclose()


async def eventually(condition: Callable[[], bool | Awaitable[bool]], seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while True:
            outcome = condition()
            if await outcome if inspect.isawaitable(outcome) else outcome:
                return
            await asyncio.sleep(0.01)


async def drain(subscription: Subscription, count: int) -> list[dict]:
    return [await subscription.get(timeout=5) for _ in range(count)]


async def no_more(subscription: Subscription) -> bool:
    try:
        await subscription.get(timeout=0.1)
    except TimeoutError:
        return True
    return False


async def test_every_subscriber_of_a_channel_gets_every_message_in_order(bus):
    async with (
        bus.subscribe("room") as first,
        bus.subscribe("room") as second,
        bus.subscribe("elsewhere") as other,
    ):
        for n in range(20):
            await bus.publish("room", {"n": n})
        await bus.publish("elsewhere", {"n": "other"})

        expected = [{"n": n} for n in range(20)]
        assert await drain(first, 20) == expected
        assert await drain(second, 20) == expected
        assert await drain(other, 1) == [{"n": "other"}]
        assert await no_more(first) and await no_more(other)
        assert first.dropped == second.dropped == other.dropped == 0


async def test_messages_published_together_arrive_in_order_on_their_channels(bus):
    """publish_many (the outbox's batch: one round trip to Redis) is publish, message by
    message."""
    async with bus.subscribe("room") as room, bus.subscribe("hall") as hall:
        await bus.publish_many([("room", {"n": 0}), ("hall", {"n": 1}), ("room", {"n": 2})])
        await bus.publish_many([("room", {"n": 3})])
        await bus.publish_many([])
        assert await drain(room, 3) == [{"n": 0}, {"n": 2}, {"n": 3}]
        assert await drain(hall, 1) == [{"n": 1}]
        assert await no_more(room) and await no_more(hall)


async def test_an_unreachable_redis_is_bus_unavailable_for_messages_published_together():
    bus = RedisBus("redis://127.0.0.1:1/0", prefix=fresh_prefix(), timeout=1)
    bus._publisher = redis.asyncio.Redis.from_url(bus.url, socket_connect_timeout=0.5)
    try:
        with pytest.raises(BusUnavailable):
            await bus.publish_many([("room", {"n": 0}), ("room", {"n": 1})])
    finally:
        await bus._publisher.aclose()


async def test_a_message_is_decoded_once_and_shared_by_all_local_subscribers(bus):
    published = {"booking": {"id": 7, "tags": ("a", "b")}}
    async with bus.subscribe("room") as first, bus.subscribe("room") as second:
        await bus.publish("room", published)
        published["booking"]["id"] = 8
        [a], [b] = await drain(first, 1), await drain(second, 1)
    assert a is b
    assert a == {"booking": {"id": 7, "tags": ["a", "b"]}}  # a decoded copy, not the original


class Label(str):
    """A str subclass, as a StrEnum member is."""


async def test_any_json_message_arrives_as_sent(bus):
    """Big integers, non-ASCII text and str subclasses too (the encoder's fallbacks)."""
    sent = {"big": 2**70, "text": "Zoë ✓ \u2028", "nested": [{"a": None, "b": 1.5, "c": True}]}
    async with bus.subscribe("room") as room:
        await bus.publish("room", sent)
        await bus.publish("room", {"kind": Label("str subclass")})
        assert await drain(room, 2) == [sent, {"kind": "str subclass"}]


async def test_a_message_that_is_not_json_is_refused_even_without_subscribers(bus):
    with pytest.raises(TypeError):
        await bus.publish("room", {"at": datetime.now(UTC)})


async def test_a_slow_subscriber_keeps_only_the_newest_messages_and_delays_no_one(bus):
    async with bus.subscribe("room", maxsize=5) as slow, bus.subscribe("room") as reader:
        async with asyncio.timeout(5):  # publishing never waits for the one that never reads
            for n in range(50):
                await bus.publish("room", {"n": n})

        assert await drain(reader, 50) == [{"n": n} for n in range(50)]
        assert reader.dropped == 0
        assert slow.dropped == 45
        assert slow.pending == 5
        assert await drain(slow, 5) == [{"n": n} for n in range(45, 50)]


async def test_maxsize_must_be_positive(bus):
    with pytest.raises(ValueError):
        bus.subscribe("room", maxsize=0)


async def test_get_times_out_when_nothing_arrives(bus):
    async with bus.subscribe("quiet") as subscription:
        with pytest.raises(TimeoutError):
            await subscription.get(timeout=0.05)


async def test_leaving_the_context_removes_the_subscriber(bus):
    assert bus.subscriber_count("room") == 0
    async with bus.subscribe("room"):
        async with bus.subscribe("room"):
            assert bus.subscriber_count("room") == 2
        assert bus.subscriber_count("room") == 1
    assert bus.subscriber_count("room") == 0
    assert not bus._subscribers  # no empty per-channel entry lingers either


async def test_a_cancelled_consumer_leaves_nothing_behind(bus):
    received: list[dict] = []

    async def consume() -> None:
        async with bus.subscribe("room") as subscription:
            async for message in subscription:
                received.append(message)

    task = asyncio.create_task(consume())
    await eventually(lambda: bus.subscriber_count("room") == 1)
    if isinstance(bus, RedisBus):
        await eventually(lambda: "room" in bus.subscribed_channels)
    await bus.publish("room", {"n": 1})
    await eventually(lambda: received == [{"n": 1}])

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert bus.subscriber_count("room") == 0
    if isinstance(bus, RedisBus):
        assert bus.subscribed_channels == frozenset()


async def test_a_consumer_cancelled_at_any_point_while_joining_leaves_nothing_behind(bus):
    async def join() -> None:
        async with bus.subscribe("room"):
            await asyncio.Event().wait()

    for steps in range(15):  # for Redis this sweeps SUBSCRIBE and the wait for its confirmation
        task = asyncio.create_task(join())
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.wait([task])
        assert bus.subscriber_count("room") == 0
        if isinstance(bus, RedisBus):
            await eventually(lambda: bus.subscribed_channels == frozenset())


async def test_subscribers_joining_and_leaving_concurrently_keep_the_count_right(bus):
    async def come_and_go() -> None:
        for _ in range(5):
            async with bus.subscribe("room"):
                await asyncio.sleep(0)

    async def cancelled_while_joining() -> None:
        task = asyncio.create_task(come_and_go())
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.wait([task])

    async with bus.subscribe("room") as steady:
        await asyncio.gather(*(come_and_go() for _ in range(20)), cancelled_while_joining())
        assert bus.subscriber_count("room") == 1
        await bus.publish("room", {"n": 1})
        assert await steady.get(timeout=5) == {"n": 1}
    assert bus.subscriber_count("room") == 0
    if isinstance(bus, RedisBus):
        assert bus.subscribed_channels == frozenset()


async def test_stopping_the_bus_ends_live_subscriptions(bus):
    async with bus.subscribe("room") as subscription:
        await bus.publish("room", {"n": 1})
        await eventually(lambda: subscription.pending == 1)
        await bus.stop()
        async with asyncio.timeout(5):
            assert [message async for message in subscription] == [{"n": 1}]
        with pytest.raises(SubscriptionClosed):
            await subscription.get()
    with pytest.raises(SubscriptionClosed):
        async with bus.subscribe("room"):
            pass
    await bus.stop()  # stopping twice is harmless


async def test_redis_subscribes_only_while_a_local_subscriber_exists(redis_bus, raw_redis):
    async def subscribed_on_server() -> int:
        [(_, count)] = await raw_redis.pubsub_numsub(redis_bus.prefix + "room")
        return count

    async def unsubscribed_on_server() -> bool:
        return await subscribed_on_server() == 0

    assert await unsubscribed_on_server()
    async with redis_bus.subscribe("room"), redis_bus.subscribe("room"):
        assert redis_bus.subscribed_channels == {"room"}
        # Confirmed before `async with` returns; one subscription however many local subscribers.
        assert await subscribed_on_server() == 1
    assert redis_bus.subscribed_channels == frozenset()
    await eventually(unsubscribed_on_server)


async def test_a_consumer_cancelled_again_while_leaving_still_unsubscribes(redis_bus, raw_redis):
    async def join() -> None:
        async with redis_bus.subscribe("room"):
            await asyncio.Event().wait()

    task = asyncio.create_task(join())
    await eventually(lambda: "room" in redis_bus.subscribed_channels)
    async with redis_bus._lock:  # the connection is busy, so leaving has to wait
        task.cancel()
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.wait([task])
    assert redis_bus.subscriber_count("room") == 0

    async def unsubscribed_on_server() -> bool:
        return await raw_redis.pubsub_numsub(redis_bus.prefix + "room") == [
            (f"{redis_bus.prefix}room".encode(), 0)
        ]

    await eventually(unsubscribed_on_server)
    assert redis_bus.subscribed_channels == frozenset()


async def test_one_redis_connection_carries_every_channel_of_a_process(redis_bus, raw_redis):
    async with (
        redis_bus.subscribe("a"),
        redis_bus.subscribe("a"),
        redis_bus.subscribe("b"),
        redis_bus.subscribe("c"),
    ):
        listeners = [
            client
            for client in await raw_redis.client_list()
            if client["name"] == f"{redis_bus.prefix}listener"
        ]
        assert [client["sub"] for client in listeners] == ["3"]


async def test_two_redis_buses_share_messages_as_two_processes_would(redis_bus):
    other = RedisBus(redis_bus.url, prefix=redis_bus.prefix)
    async with other, other.subscribe("room") as there, redis_bus.subscribe("room") as here:
        await redis_bus.publish("room", {"from": "here"})
        await other.publish("room", {"from": "there"})
        assert await drain(there, 2) == [{"from": "here"}, {"from": "there"}]
        assert sorted(m["from"] for m in await drain(here, 2)) == ["here", "there"]


async def test_a_message_published_by_another_os_process_arrives(redis_bus):
    snippet = (
        "import asyncio, os, sys\n"
        "from events.bus import RedisBus\n"
        "async def main():\n"
        "    async with RedisBus(sys.argv[1], prefix=sys.argv[2]) as bus:\n"
        "        await bus.publish('room', {'pid': os.getpid()})\n"
        "asyncio.run(main())\n"
    )
    async with redis_bus.subscribe("room") as subscription:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            snippet,
            redis_bus.url,
            redis_bus.prefix,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            assert await asyncio.wait_for(child.wait(), 30) == 0
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
        assert await subscription.get(timeout=5) == {"pid": child.pid}


async def test_redis_reader_reconnects_and_resubscribes_after_the_connection_drops(
    redis_bus, raw_redis
):
    async with redis_bus.subscribe("room") as subscription:
        [listener] = [
            client
            for client in await raw_redis.client_list()
            if client["name"] == f"{redis_bus.prefix}listener"
        ]
        await raw_redis.client_kill_filter(_id=listener["id"])

        payload = json.dumps({"after": "reconnect"})

        async def delivered() -> bool:  # PUBLISH answers how many connections received it
            return await raw_redis.publish(redis_bus.prefix + "room", payload) > 0

        await eventually(delivered)
        assert await subscription.get(timeout=5) == {"after": "reconnect"}
        assert redis_bus.subscribed_channels == {"room"}


async def listener_ids(client: redis.asyncio.Redis, bus: RedisBus) -> list[str]:
    """Server-side ids of the bus's pub/sub connection (named after its prefix)."""
    return [c["id"] for c in await client.client_list() if c["name"] == f"{bus.prefix}listener"]


async def test_an_idle_redis_connection_is_kept_alive_with_pings(raw_redis):
    async with RedisBus(needs_redis(), prefix=fresh_prefix(), ping_interval=0.2) as bus:
        await eventually(lambda: listener_ids(raw_redis, bus))
        first = await listener_ids(raw_redis, bus)
        await asyncio.sleep(0.5)  # idle and unsubscribed: PING answers PONG
        async with bus.subscribe("room") as subscription:
            await asyncio.sleep(0.5)  # idle and subscribed: PING answers a pong message
            await bus.publish("room", {"n": 1})
            assert await subscription.get(timeout=5) == {"n": 1}
        assert await listener_ids(raw_redis, bus) == first  # never judged dead, never replaced


async def test_a_redis_connection_that_stops_answering_is_replaced(raw_redis, monkeypatch):
    async def unanswered_ping(self: PubSub, message: str | None = None) -> None:
        pass  # as if the PING were lost on a dead connection

    async def replaced_and_resubscribed() -> bool:
        clients = await raw_redis.client_list()
        listeners = [c for c in clients if c["name"] == f"{bus.prefix}listener"]
        return [(c["id"] in first, c["sub"]) for c in listeners] == [(False, "1")]

    bus = RedisBus(needs_redis(), prefix=fresh_prefix(), ping_interval=0.1)
    async with bus, bus.subscribe("room") as subscription:
        first = await listener_ids(raw_redis, bus)
        monkeypatch.setattr(PubSub, "ping", unanswered_ping)
        await eventually(replaced_and_resubscribed)
        monkeypatch.undo()
        await bus.publish("room", {"n": 1})
        assert await subscription.get(timeout=5) == {"n": 1}


async def test_stopping_a_redis_bus_that_is_still_connecting_does_not_hang():
    for _ in range(20):
        bus = RedisBus(needs_redis(), prefix=fresh_prefix())
        await bus.start()
        await bus.publish("room", {})  # one round trip: the reader is mid-handshake
        async with asyncio.timeout(5):
            await bus.stop()


async def test_a_garbled_redis_payload_is_skipped(redis_bus, raw_redis):
    async with redis_bus.subscribe("room") as subscription:
        await raw_redis.publish(redis_bus.prefix + "room", b"\xff not json")
        await redis_bus.publish("room", {"n": 1})
        assert await subscription.get(timeout=5) == {"n": 1}


async def test_redis_bus_must_be_started_first():
    idle = RedisBus("redis://127.0.0.1:1/0")
    with pytest.raises(RuntimeError):
        await idle.publish("room", {})
    with pytest.raises(RuntimeError):
        async with idle.subscribe("room"):
            pass


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        (None, MemoryBus),
        ("", MemoryBus),
        ("memory://", MemoryBus),
        ("redis://127.0.0.1:6379/0", RedisBus),
        ("rediss://cache.internal:6380/1", RedisBus),
    ],
)
def test_bus_from_url_picks_the_backend(url, backend):
    assert type(bus_from_url(url)) is backend


def test_bus_from_url_refuses_an_unknown_scheme():
    with pytest.raises(ValueError):
        bus_from_url("kafka://broker:9092")
