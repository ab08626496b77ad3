"""The outbox publishes what an operation wrote once the operation is over, from one place: no
resolver publishes, so a new one cannot forget to."""

import contextlib
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig
from tortoise.transactions import in_transaction

from config import Settings
from events import outbox
from events.bus import MemoryBus
from events.messages import (
    AvailabilityChanged,
    BookingChanged,
    PublicDataChanged,
    booking_channel,
    decode,
    encode,
)
from events.outbox import Outbox
from models.booking import Booking
from models.event_type import EventType
from models.notification import OutboxEvent
from models.user import User
from schema.context import Context
from schema.pipeline import pipeline
from schema.root import Query
from services import availability, bookings
from tests.subscriptions.test_live import Client, host_with_type

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)


async def booked() -> Booking:
    host = await User.create(email="host@example.com", name="Hanna", password_hash="x")
    await availability.set_weekly(host, "UTC", [("MONDAY", "08:00", "18:00")])
    event_type = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    request = bookings.BookingRequest(event_type.id, MONDAY_10, "Ivy", "ivy@example.com")
    return (await bookings.book(request)).booking


def schema_with_a_new_mutation(settings: Settings) -> strawberry.Schema:
    """A mutation written today by someone who never heard of the outbox or the bus."""

    @strawberry.type
    class Mutation:
        @strawberry.mutation
        async def cancel_quietly(self, id: int) -> bool:
            booking = await Booking.get(id=id).select_related("event_type__host")
            await bookings.cancel(booking, "changed my mind")
            return True

    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[pipeline(settings)],
        config=StrawberryConfig(),
    )


async def test_a_mutation_that_never_publishes_is_published_when_it_ends(
    clean_db: None, settings: Settings
) -> None:
    booking = await booked()
    await OutboxEvent.all().delete()  # the booking's own events: not what is shown here
    bus = MemoryBus()
    schema = schema_with_a_new_mutation(settings)
    async with bus.subscribe(booking_channel(booking.host_id)) as events:
        result = await schema.execute(
            f"mutation {{ cancelQuietly(id: {booking.id}) }}",
            context_value=Context(settings=settings, bus=bus),
        )
        assert result.errors is None
        # Already published when the operation returned: no dispatcher ran in between.
        assert events.pending == 1
        message = decode(await events.get(0))
    assert isinstance(message, BookingChanged)
    assert (message.kind, message.booking["id"]) == ("CANCELLED", booking.id)
    assert await OutboxEvent.all().count() == 0


async def test_a_rolled_back_unit_publishes_nothing_and_a_later_one_publishes_its_own(
    clean_db: None,
) -> None:
    bus = MemoryBus()
    box = Outbox(bus)
    now = datetime.now(UTC)
    async with bus.subscribe("availability:7") as events:
        try:
            async with box.unit(), in_transaction():
                await outbox.write(AvailabilityChanged(event_type_id=7, occurred_at=now))
                raise RuntimeError("the change fails after writing")
        except RuntimeError:
            pass
        assert events.pending == 0 and await OutboxEvent.all().count() == 0
        async with box.unit() as unit:
            await outbox.write(AvailabilityChanged(event_type_id=7, occurred_at=now))
            assert unit.written == 1 and events.pending == 0  # not before the unit ends
        assert decode(await events.get(0)) == AvailabilityChanged(event_type_id=7, occurred_at=now)


async def test_nested_units_publish_once_when_the_outermost_ends(clean_db: None) -> None:
    bus = MemoryBus()
    box = Outbox(bus)
    heard: list[str] = []
    box.on_publish("public-data", lambda: heard.append("told"))
    async with bus.subscribe("public-data") as events:
        async with box.unit():
            async with box.unit():
                await outbox.write(PublicDataChanged(occurred_at=datetime.now(UTC)))
            assert events.pending == 0 and heard == []
        assert events.pending == 1 and heard == ["told"]


def test_every_message_decodes_to_itself() -> None:
    now = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    for message in (
        AvailabilityChanged(event_type_id=3, occurred_at=now),
        PublicDataChanged(occurred_at=now),
        BookingChanged(
            kind="CREATED",
            booking={"id": 1, "host_id": 2, "start": now.isoformat()},
            event_type={"id": 4, "title": "Intro"},
            occurred_at=now,
        ),
    ):
        assert decode(encode(message)) == message


def test_what_is_not_a_message_is_refused() -> None:
    for payload in ({}, {"type": "Nope"}, {"type": "AvailabilityChanged"}, {"type": None}):
        try:
            decode(payload)
        except ValueError:
            continue
        raise AssertionError(f"decoded {payload!r}")


async def until_watching(
    server: Any, watcher: Client, change: str, variables: dict[str, Any], token: str
) -> None:
    """Repeats a change that publishes until the watcher hears one: then it is subscribed."""
    for _ in range(20):
        (await server.post(change, variables, token=token)).ok()
        with contextlib.suppress(TimeoutError):
            await watcher.next_data(0.25)
            return
    raise AssertionError("the subscription never started")


async def test_clearing_a_date_override_reaches_availability_watchers(server: Any) -> None:
    token, type_id = await host_with_type(server, "host@example.com")
    day = "2031-01-06"
    set_override = """mutation($d: Date!) { setDateOverride(date: $d,
      intervals: [{start: "09:00", end: "10:00"}]) { __typename } }"""
    (await server.post(set_override, {"d": day}, token=token)).ok()
    watcher = await Client.connect(server.ws, "graphql-transport-ws")
    try:
        await watcher.subscribe(
            "subscription($id: ID!) { availabilityChanged(eventTypeId: $id) { eventTypeId } }",
            {"id": type_id},
        )
        await until_watching(server, watcher, set_override, {"d": day}, token)
        cleared = "mutation($d: Date!) { clearDateOverride(date: $d) }"
        assert (await server.post(cleared, {"d": day}, token=token)).ok() == {
            "clearDateOverride": True
        }
        change = (await watcher.next_data(5))["availabilityChanged"]
        assert change == {"eventTypeId": type_id}
    finally:
        await watcher.close()
