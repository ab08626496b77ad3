"""Shared fan-out: subscribers of the same events and operation share one execution per event.

The schema runs in-process as our WebSocket handlers run it (subscriptions/handlers.py puts the
operation in `CURRENT`), with a recording `send` in place of the socket; tests/subscriptions/
test_live.py covers the same path through a real server and real clients."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config import Settings
from events.bus import MemoryBus
from events.messages import AvailabilityChanged, availability_channel, booking_channel, encode
from observability import SHARED_EXECUTIONS
from resolvers.ids import parse_id
from schema.context import Context
from services import accounts
from subscriptions.fanout import CURRENT, FanOut, LiveOperation
from subscriptions.handlers import _prefix
from tests.graphql_ops import BOOK

EVENTS = """subscription { bookingEvents { kind occurredAt
  booking { id status attendeeName eventType { title host { name } } } } }"""
AVAILABILITY = """subscription($id: ID!) {
  availabilityChanged(eventTypeId: $id) { eventTypeId occurredAt } }"""
WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation($slug: String!) { createEventType(input: {title: "Chat", slug: $slug,
  durationMinutes: 30}) { id } }"""
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


class Member:
    """One subscription operation as a WebSocket handler runs it, its frames recorded."""

    def __init__(
        self,
        schema: Any,
        context: Context,
        fanout: FanOut,
        query: str,
        variables: dict[str, Any] | None = None,
        op_id: str = "1",
        send: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.frames: list[dict[str, Any]] = []
        self.results: list[Any] = []  # what reached strawberry: only errors, on this path
        self.live = LiveOperation(
            fanout=fanout,
            id=op_id,
            query=query,
            variables=variables,
            operation_name=None,
            frame_prefix=_prefix("next", op_id),
            send=send or self.record,
        )
        self.task = asyncio.create_task(self._run(schema, context))

    async def record(self, text: str) -> None:
        self.frames.append(json.loads(text))

    async def _run(self, schema: Any, context: Context) -> None:
        CURRENT.set(self.live)
        stream = await schema.subscribe(
            self.live.query, variable_values=self.live.variables, context_value=context
        )
        async for result in stream:
            self.results.append(result)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


@pytest.fixture
async def host(gql, sign_up) -> dict[str, Any]:
    token, user = await sign_up()
    rules = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in EVERY_DAY]
    (await gql(WEEKLY, {"rules": rules}, token=token)).ok()
    type_id = (await gql(CREATE_TYPE, {"slug": "chat"}, token=token)).ok()["createEventType"]["id"]
    return {"token": token, "user": user, "type_id": type_id}


async def context_for(settings: Settings, bus: MemoryBus, token: str | None) -> Context:
    context = Context(settings=settings, bus=bus)
    context.user = await accounts.authenticate(token) if token else None
    return context


async def book(schema: Any, settings: Settings, bus: MemoryBus, type_id: str, days: int) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=UTC).isoformat()
    variables = {"i": {"eventTypeId": type_id, "start": start, "name": "Ivy", "email": "i@x.org"}}
    result = await schema.execute(BOOK, variables, context_value=Context(settings, bus=bus))
    assert not result.errors, result.errors
    return result.data["bookMeeting"]["id"]


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - polls state that no event announces
            await asyncio.sleep(0.01)


async def subscribed(fanout: FanOut) -> None:
    """Every group has subscribed to the bus, so a published event reaches it."""
    ready = [asyncio.shield(group.ready) for group in fanout.groups.values()]
    await asyncio.wait_for(asyncio.gather(*ready), 5)


def now() -> str:
    return datetime.now(UTC).isoformat()


def executions(name: str) -> float:
    return SHARED_EXECUTIONS.labels(name)._value.get()


async def test_subscribers_of_one_operation_share_one_execution_per_event(schema, settings, host):
    bus, token = MemoryBus(), host["token"]
    fanout = FanOut(bus)
    members = [
        Member(schema, await context_for(settings, bus, token), fanout, EVENTS, op_id=str(n))
        for n in range(3)
    ]
    channel = booking_channel(parse_id(host["user"]["id"], "User"))
    await until(lambda: sum(len(g.members) for g in fanout.groups.values()) == 3)
    assert len(fanout.groups) == 1 and bus.subscriber_count(channel) == 1
    before = executions("bookingEvents")
    booking_id = await book(schema, settings, bus, host["type_id"], days=3)
    await until(lambda: all(m.frames for m in members))
    assert executions("bookingEvents") - before == 1
    payloads = [m.frames[0].pop("payload") for m in members]
    assert [m.frames[0] for m in members] == [{"type": "next", "id": str(n)} for n in range(3)]
    assert payloads[0] == payloads[1] == payloads[2]
    event = payloads[0]["data"]["bookingEvents"]
    assert (event["kind"], event["booking"]["id"]) == ("CREATED", booking_id)
    assert event["booking"]["eventType"] == {"title": "Chat", "host": {"name": "Hanna Host"}}
    for member in members:
        await member.stop()
    assert fanout.groups == {} and bus.subscriber_count(channel) == 0
    assert all(not m.results for m in members)


async def test_the_shared_payload_is_what_each_subscriber_would_have_got_alone(
    schema, settings, host
):
    bus = MemoryBus()
    fanout = FanOut(bus)
    context = await context_for(settings, bus, host["token"])
    shared = Member(schema, context, fanout, EVENTS)

    alone: list[Any] = []

    async def unshared() -> None:  # no CURRENT: strawberry executes per subscriber
        stream = await schema.subscribe(EVENTS, context_value=context)
        async for result in stream:
            alone.append(result)

    task = asyncio.create_task(unshared())
    channel = booking_channel(parse_id(host["user"]["id"], "User"))
    await until(lambda: bus.subscriber_count(channel) == 2)  # the group and the unshared one
    await book(schema, settings, bus, host["type_id"], days=4)
    await until(lambda: bool(shared.frames) and bool(alone))
    assert shared.frames[0]["payload"] == {"data": alone[0].data}
    task.cancel()
    await shared.stop()


async def test_groups_are_per_viewer_operation_and_variables(schema, settings, host, sign_up):
    bus = MemoryBus()
    fanout = FanOut(bus)
    other_token, _ = await sign_up("other@example.com", "Otto")
    anonymous = await context_for(settings, bus, None)
    variables = {"id": host["type_id"]}
    members = [
        Member(schema, await context_for(settings, bus, host["token"]), fanout, EVENTS),
        Member(schema, await context_for(settings, bus, other_token), fanout, EVENTS),
        Member(schema, anonymous, fanout, AVAILABILITY, variables),
        Member(schema, anonymous, fanout, AVAILABILITY, variables, op_id="2"),
        Member(
            schema,
            anonymous,
            fanout,
            AVAILABILITY.replace("occurredAt", ""),
            {"id": host["type_id"]},
        ),
    ]
    await until(lambda: sum(len(g.members) for g in fanout.groups.values()) == 5)
    assert len(fanout.groups) == 4  # the two identical availability operations share a group
    await subscribed(fanout)
    await book(schema, settings, bus, host["type_id"], days=5)
    await until(lambda: all(m.frames for i, m in enumerate(members) if i != 1))
    await asyncio.sleep(0.1)
    assert members[1].frames == []  # another host's bookings are not Otto's
    assert members[4].frames[0]["payload"] == {
        "data": {"availabilityChanged": {"eventTypeId": host["type_id"]}}
    }
    for member in members:
        await member.stop()
    assert fanout.groups == {}
    assert bus.subscriber_count(availability_channel(int(host["type_id"]))) == 0


async def two_watchers(
    schema: Any,
    settings: Settings,
    bus: MemoryBus,
    fanout: FanOut,
    host: dict[str, Any],
    first_send: Callable[[str], Awaitable[None]],
) -> tuple[Member, Member, Callable[[], Awaitable[None]]]:
    """Two anonymous watchers of the host's availability (the first sending with `first_send`),
    joined, and a function that publishes one change."""
    context = await context_for(settings, bus, None)
    variables = {"id": host["type_id"]}
    first = Member(schema, context, fanout, AVAILABILITY, variables, send=first_send)
    second = Member(schema, context, fanout, AVAILABILITY, variables, op_id="2")
    await until(lambda: sum(len(g.members) for g in fanout.groups.values()) == 2)
    await subscribed(fanout)
    type_id = int(host["type_id"])

    async def publish() -> None:
        message = AvailabilityChanged(event_type_id=type_id, occurred_at=datetime.now(UTC))
        await bus.publish(message.channel, encode(message))

    return first, second, publish


async def test_a_slow_client_loses_its_oldest_frames_and_delays_nobody(schema, settings, host):
    bus = MemoryBus()
    fanout = FanOut(bus, mailbox_size=2)
    stuck = asyncio.Event()

    async def never_done(text: str) -> None:
        await stuck.wait()  # a client whose socket does not drain

    slow, fast, publish = await two_watchers(schema, settings, bus, fanout, host, never_done)
    for n in range(1, 7):
        await publish()
        await until(lambda: len(fast.frames) == n)  # noqa: B023 - awaited before n changes
    (group,) = fanout.groups.values()
    (slow_mailbox,) = [box for box, prefix in group.members.items() if '"id": "1"' in prefix]
    # One frame is being sent (stuck), two wait; the three older waiting ones were dropped.
    assert (slow_mailbox.pending, slow_mailbox.dropped) == (2, 3)
    await slow.stop()
    await fast.stop()
    assert fanout.groups == {}


async def test_a_client_that_has_gone_leaves_the_group(schema, settings, host):
    bus = MemoryBus()
    fanout = FanOut(bus)

    async def closed(text: str) -> None:
        raise ConnectionResetError

    gone, staying, publish = await two_watchers(schema, settings, bus, fanout, host, closed)
    await publish()
    await until(lambda: sum(len(g.members) for g in fanout.groups.values()) == 1)
    await publish()
    await until(lambda: len(staying.frames) == 2)
    assert not gone.task.done()  # waits for strawberry to cancel it when the socket closes
    await gone.stop()
    await staying.stop()
    channel = availability_channel(int(host["type_id"]))
    assert fanout.groups == {} and bus.subscriber_count(channel) == 0


async def test_stopping_the_bus_completes_every_shared_subscription(schema, settings, host):
    bus = MemoryBus()
    fanout = FanOut(bus)
    context = await context_for(settings, bus, None)
    member = Member(schema, context, fanout, AVAILABILITY, {"id": host["type_id"]})
    await until(lambda: bool(fanout.groups))
    await subscribed(fanout)
    await bus.stop()
    await asyncio.wait_for(member.task, 5)  # the stream ends: strawberry sends "complete"
    assert fanout.groups == {}


async def test_an_anonymous_booking_events_subscription_is_refused_before_joining(
    schema, settings, host
):
    bus = MemoryBus()
    fanout = FanOut(bus)
    member = Member(schema, await context_for(settings, bus, None), fanout, EVENTS)
    await asyncio.wait_for(member.task, 5)
    assert [e.extensions["code"] for e in member.results[0].errors] == ["UNAUTHENTICATED"]
    assert fanout.groups == {} and member.frames == []


async def join_only(
    schema: Any, context: Context, fanout: FanOut, query: str, variables: dict[str, Any]
) -> tuple[LiveOperation, list[str], list[Any]]:
    """Runs a subscription as our graphql-transport-ws handler does (`joined` set): its
    LiveOperation, the frames `relay` sends for it, and what its stream gave strawberry."""
    frames: list[str] = []

    async def record(text: str) -> None:
        frames.append(text)

    joins: list[bool] = []
    live = LiveOperation(
        fanout=fanout,
        id="7",
        query=query,
        variables=variables,
        operation_name=None,
        frame_prefix=_prefix("next", "7"),
        send=record,
        joined=lambda: joins.append(True),
    )

    async def run() -> list[Any]:
        CURRENT.set(live)
        stream = await schema.subscribe(query, variable_values=variables, context_value=context)
        return [result async for result in stream]

    results = await asyncio.wait_for(asyncio.create_task(run()), 5)  # ends once joined
    assert joins == [True] and live.membership is not None
    return live, frames, results


async def test_a_member_that_relays_itself_keeps_no_execution(schema, settings, host):
    """With `joined` set, the execution ends once the member has joined (its stream closes
    without a result) and `relay` sends the frames; cancelling it leaves the group."""
    bus = MemoryBus()
    fanout = FanOut(bus)
    context = await context_for(settings, bus, None)
    variables = {"id": host["type_id"]}
    live, frames, results = await join_only(schema, context, fanout, AVAILABILITY, variables)
    assert results == []
    assert live.membership is not None
    relaying = asyncio.create_task(fanout.relay(live.membership))
    message = AvailabilityChanged(event_type_id=int(host["type_id"]), occurred_at=datetime.now(UTC))
    await bus.publish(message.channel, encode(message))
    await until(lambda: len(frames) == 1)
    frame = json.loads(frames[0])
    assert (frame["id"], frame["type"]) == ("7", "next")
    assert frame["payload"]["data"]["availabilityChanged"]["eventTypeId"] == host["type_id"]
    relaying.cancel()  # the client completed it, or left
    await asyncio.gather(relaying, return_exceptions=True)
    assert fanout.groups == {} and bus.subscriber_count(message.channel) == 0


async def test_relay_returns_when_the_bus_stops(schema, settings, host):
    bus = MemoryBus()
    fanout = FanOut(bus)
    context = await context_for(settings, bus, None)
    variables = {"id": host["type_id"]}
    live, _, _ = await join_only(schema, context, fanout, AVAILABILITY, variables)
    assert live.membership is not None
    relaying = asyncio.create_task(fanout.relay(live.membership))
    await bus.stop()
    await asyncio.wait_for(relaying, 5)  # the handler then completes the operation
    assert fanout.groups == {}
