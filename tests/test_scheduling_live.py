"""Scheduling II against real server processes: a storm on a seated slot (two workers sharing
the database), slot holds seen live by a second watcher over a real WebSocket, expiring on time,
and the booking page at /book/<handle>/<slug>."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from config import Settings
from models.booking import Booking
from models.hold import SlotHold
from tests.conftest import LiveServer, start_server
from tests.subscriptions.test_live import Client, account
from tests.test_booking_storm import outcome, storm

WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation($i: EventTypeInput!) { createEventType(input: $i) { id } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start seatsLeft } }"""
HOLD = """mutation($id: ID!, $s: DateTime!) { holdSlot(eventTypeId: $id, start: $s) {
  token expiresAt } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id } }"""
SLOTS_CHANGED = """subscription($id: ID!) { availabilityChanged(eventTypeId: $id) {
  eventTypeId occurredAt } }"""
PROFILE = """mutation($h: String) { updateProfile(input: {handle: $h}) { handle } }"""
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
HOLD_SECONDS = 3.0


async def publish(server: LiveServer, email: str, **event_type: object) -> tuple[str, str]:
    token = await account(server, email)
    rules = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in EVERY_DAY]
    (await server.post(WEEKLY, {"rules": rules}, token=token)).ok()
    values = {"title": "Workshop", "slug": "workshop", "durationMinutes": 30, **event_type}
    created = (await server.post(CREATE_TYPE, {"i": values}, token=token)).ok()
    return token, created["createEventType"]["id"]


def ten_oclock(days: int = 3) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC).isoformat()


async def seats_at(server: LiveServer, type_id: str, start: str) -> int:
    begin = datetime.fromisoformat(start)
    variables = {"id": type_id, "s": start, "e": (begin + timedelta(hours=1)).isoformat()}
    found = (await server.post(SLOTS, variables)).ok()["availableSlots"]
    return next((s["seatsLeft"] for s in found if s["start"] == start), 0)


@pytest.fixture
def second(server: LiveServer, settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    worker = start_server(settings, tmp_path)
    yield worker
    worker.stop()


async def test_a_storm_of_twenty_on_a_three_seat_slot_books_exactly_three(
    server: LiveServer, second: LiveServer
):
    """Two server processes sharing the database (SQLite file or PostgreSQL)."""
    _, type_id = await publish(server, "storm@example.com", seatsPerSlot=3, bufferAfterMinutes=10)
    start = ten_oclock()
    wins, codes = outcome(await storm([server.graphql, second.graphql], type_id, start, n=20))
    assert (wins, codes) == (3, ["CONFLICT"] * 17)
    assert sorted(await Booking.all().values_list("seat", flat=True)) == [0, 1, 2]
    assert await seats_at(server, type_id, start) == 0
    # The neighbour that overlaps the group (its 10-minute buffer) is refused too.
    neighbour = (datetime.fromisoformat(start) + timedelta(minutes=30)).isoformat()
    assert outcome(await storm([second.graphql], type_id, neighbour, n=1)) == (0, ["CONFLICT"])


async def test_a_weekly_limit_holds_under_a_storm_on_different_slots(
    server: LiveServer, second: LiveServer
):
    """20 concurrent bookings of 20 different slots of one ISO week, limit 3 a week: exactly 3."""
    _, type_id = await publish(server, "limit@example.com", maxBookingsPerWeek=3)
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())  # next week, wholly in the future
    starts = [
        datetime(monday.year, monday.month, monday.day, 8, tzinfo=UTC)
        + timedelta(days=i % 7, hours=i // 7)
        for i in range(20)
    ]
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(i: int) -> dict:
            variables = {"i": {"eventTypeId": type_id, "start": starts[i].isoformat(),
                               "name": f"G{i}", "email": f"g{i}@example.com"}}  # fmt: skip
            url = (server.graphql, second.graphql)[i % 2]
            return (await client.post(url, json={"query": BOOK, "variables": variables})).json()

        results = await asyncio.gather(*(one(i) for i in range(20)))
    assert outcome(results) == (3, ["CONFLICT"] * 17)
    assert await Booking.all().count() == 3


async def test_one_hold_token_books_once_however_many_use_it_at_once(
    server: LiveServer, second: LiveServer
):
    _, type_id = await publish(server, "token@example.com", seatsPerSlot=3)
    start = ten_oclock()
    held = (await server.post(HOLD, {"id": type_id, "s": start})).ok()["holdSlot"]
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(i: int) -> dict:
            booking = {"eventTypeId": type_id, "start": start, "holdToken": held["token"]}
            variables = {"i": {**booking, "name": f"G{i}", "email": f"g{i}@example.com"}}
            url = (server.graphql, second.graphql)[i % 2]
            return (await client.post(url, json={"query": BOOK, "variables": variables})).json()

        results = await asyncio.gather(*(one(i) for i in range(10)))
    assert outcome(results) == (1, ["CONFLICT"] * 9)
    assert await SlotHold.all().count() == 0
    assert await seats_at(server, type_id, start) == 2


@pytest.fixture
def hold_server(
    database: None, clean_db: None, settings: Settings, tmp_path: Path
) -> Iterator[LiveServer]:
    """A worker whose holds last HOLD_SECONDS and whose sweep runs every quarter second."""
    env = {"SLOT_HOLD_MINUTES": str(HOLD_SECONDS / 60), "HOLD_SWEEP_SECONDS": "0.25"}
    worker = start_server(settings, tmp_path, env=env)
    yield worker
    worker.stop()


async def test_a_second_watcher_sees_a_hold_live_and_its_expiry_on_time(hold_server: LiveServer):
    server = hold_server
    _, type_id = await publish(server, "host@example.com")
    start = ten_oclock()
    watcher = await Client.connect(server.ws, "graphql-transport-ws")  # public, anonymous
    legacy = await Client.connect(server.ws, "graphql-ws")
    try:
        await watcher.subscribe(SLOTS_CHANGED, {"id": type_id})
        await legacy.subscribe(SLOTS_CHANGED, {"id": type_id})
        await asyncio.sleep(0.3)  # subscribed before the change (as tests/subscriptions do)
        assert await seats_at(server, type_id, start) == 1
        held = (await server.post(HOLD, {"id": type_id, "s": start})).ok()["holdSlot"]
        expires = datetime.fromisoformat(held["expiresAt"])
        for client in (watcher, legacy):
            event = (await client.next_data(5))["availabilityChanged"]
            assert event["eventTypeId"] == type_id
        assert await seats_at(server, type_id, start) == 0  # the watcher's page refreshes
        assert (await server.post(HOLD, {"id": type_id, "s": start})).codes == ["CONFLICT"]

        # Expiry: the next event comes once the hold is over (sweep: every quarter second).
        event = (await watcher.next_data(HOLD_SECONDS + 5))["availabilityChanged"]
        arrived = datetime.now(UTC)
        assert expires <= arrived < expires + timedelta(seconds=2.5)
        assert datetime.fromisoformat(event["occurredAt"]) >= expires
        assert (await legacy.next_data(5))["availabilityChanged"]["eventTypeId"] == type_id
        assert await seats_at(server, type_id, start) == 1
        assert await SlotHold.all().count() == 0
        late = {"eventTypeId": type_id, "start": start, "name": "Late", "email": "l@example.com",
                "holdToken": held["token"]}  # fmt: skip
        assert (await server.post(BOOK, {"i": late})).codes == ["CONFLICT"]
    finally:
        await watcher.close()
        await legacy.close()


async def test_holds_survive_a_restart(
    database: None, clean_db: None, settings: Settings, tmp_path: Path
):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = start_server(settings, tmp_path / "a", env={"HOLD_SWEEP_SECONDS": "3600"})
    try:
        _, type_id = await publish(first, "host@example.com")
        start = ten_oclock()
        held = (await first.post(HOLD, {"id": type_id, "s": start})).ok()["holdSlot"]
    finally:
        first.stop()
    again = start_server(settings, tmp_path / "b", env={"HOLD_SWEEP_SECONDS": "3600"})
    try:
        assert await seats_at(again, type_id, start) == 0
        booking = {"eventTypeId": type_id, "start": start, "name": "Ivy",
                   "email": "ivy@example.com", "holdToken": held["token"]}  # fmt: skip
        (await again.post(BOOK, {"i": booking})).ok()
    finally:
        again.stop()


async def test_the_booking_page_answers_at_handle_and_slug(server: LiveServer):
    token, type_id = await publish(server, "page@example.com")
    (await server.post(PROFILE, {"h": "page-host"}, token=token)).ok()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        page = await client.get("/book/page-host/workshop")
        assert page.status_code == 200
        assert f'<meta name="event-type-id" content="{type_id}" />' in page.text
        assert "/static/book.js" in page.text
        for missing in ("/book/page-host/nope", "/book/nobody/workshop", f"/book/x/{'y' * 300}"):
            assert (await client.get(missing)).status_code == 404
        assert (await client.get(f"/book/{type_id}")).status_code == 200
