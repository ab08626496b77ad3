"""Booking changes racing each other over HTTP on two server processes sharing the database
(SQLite file or PostgreSQL): of two changes made from one read state exactly one wins and the
loser gets CONFLICT and leaves no trace; `sequence` counts every change; lock waits and deadlocks
never surface as INTERNAL; concurrent retries of one idempotent booking all get that booking."""

import asyncio
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from config import Settings
from models.booking import CANCELLED, CONFIRMED, PENDING, Booking
from models.notification import Notification
from tests.conftest import BACKEND, PASSWORD, SIGN_UP, LiveServer, start_server

WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation($i: EventTypeInput!) { createEventType(input: $i) { id } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id manageToken } }"""
CANCEL = """mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { id } }"""
RESCHEDULE = """mutation($id: ID!, $s: DateTime!, $t: String) {
  rescheduleBooking(id: $id, start: $s, manageToken: $t) { id start } }"""
CONFIRM = """mutation($id: ID!) { confirmBooking(id: $id) { id status } }"""
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
HOST = "host@example.com"

Call = tuple[str, dict[str, Any], str | None]  # query, variables, bearer token


@pytest.fixture
def servers(server: LiveServer, settings: Settings, tmp_path: Path) -> Iterator[list[LiveServer]]:
    """The shared live server and a second worker on the same database (and Redis, if any)."""
    second = start_server(settings, tmp_path)
    yield [server, second]
    second.stop()


async def host(server: LiveServer, **event_type: Any) -> tuple[str, str]:
    """A host working 08:00-18:00 UTC every day with a 30-minute event type: (token, type id)."""
    variables = {"input": {"email": HOST, "password": PASSWORD, "name": "Hanna"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    rules = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in EVERY_DAY]
    (await server.post(WEEKLY, {"rules": rules}, token=token)).ok()
    values = {"title": "Intro", "slug": "intro", "durationMinutes": 30, **event_type}
    created = (await server.post(CREATE_TYPE, {"i": values}, token=token)).ok()
    return token, created["createEventType"]["id"]


def at(days: int, slot: int) -> datetime:
    """The `slot`th half hour after 08:00 UTC, `days` from today."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(minutes=30 * slot)


def booking(type_id: str, start: datetime, n: int, key: str | None = None) -> dict[str, Any]:
    values = {"eventTypeId": type_id, "start": start.isoformat(), "name": f"Guest {n}"}
    values |= {"email": f"guest{n}@example.com", "idempotencyKey": key}
    return {"i": values}


async def book_all(server: LiveServer, type_id: str, starts: list[datetime]) -> list[dict]:
    made = []
    for n, start in enumerate(starts):
        made.append((await server.post(BOOK, booking(type_id, start, n))).ok()["bookMeeting"])
    return made


async def at_once(workers: list[LiveServer], calls: list[Call]) -> list[dict]:
    """Posts every call at the same time, round-robin over the workers; the raw answers."""
    async with httpx.AsyncClient(timeout=120) as client:

        async def one(i: int, query: str, variables: dict[str, Any], token: str | None) -> dict:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            url = workers[i % len(workers)].graphql
            body = {"query": query, "variables": variables}
            return (await client.post(url, json=body, headers=headers)).json()

        return await asyncio.gather(*(one(i, *call) for i, call in enumerate(calls)))


def codes(answer: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]


def won(answer: dict) -> bool:
    return not codes(answer) and bool(answer.get("data"))


async def history() -> dict[int, list[str]]:
    """The host's booking notifications per booking id, in the order they were written."""
    kinds: dict[int, list[str]] = defaultdict(list)
    for row in await Notification.filter(user__email=HOST).order_by("id"):
        if row.kind.startswith("BOOKING_"):
            kinds[int(row.data["bookingId"])].append(row.kind.removeprefix("BOOKING_"))
    return kinds


KIND = {CANCEL: "CANCELLED", RESCHEDULE: "RESCHEDULED", CONFIRM: "CONFIRMED"}


async def assert_consistent(made: list[dict], calls: list[Call], answers: list[dict]) -> None:
    """Each booking changed once per winning call and only by them, each change told once, and
    nothing happened to a booking after its cancellation."""
    wins: dict[int, list[str]] = defaultdict(list)
    for (query, variables, _), answer in zip(calls, answers, strict=True):
        assert set(codes(answer)) <= {"CONFLICT"}, answer
        if query != BOOK and won(answer):
            wins[int(variables["id"])].append(KIND[query])
    told = await history()
    for row in made:
        stored = await Booking.get(id=int(row["id"]))
        changes = told[stored.id][1:]
        assert told[stored.id][0] == "CREATED"
        assert stored.sequence == len(wins[stored.id]) == len(changes), (stored.id, changes)
        assert sorted(changes) == sorted(wins[stored.id])
        assert CANCELLED not in changes[:-1], changes
        assert (stored.status == CANCELLED) == ("CANCELLED" in changes)


@pytest.mark.parametrize("pair", ["cancel-reschedule", "confirm-cancel"])
async def test_two_changes_racing_on_two_workers_count_once_each_and_never_after_a_cancel(
    servers, pair
):
    token, type_id = await host(servers[0], requiresConfirmation=pair == "confirm-cancel")
    made = await book_all(servers[0], type_id, [at(3, n) for n in range(12)])
    calls: list[Call] = []
    for n, row in enumerate(made):
        ids = {"id": row["id"], "t": row["manageToken"]}
        if pair == "cancel-reschedule":
            calls += [(CANCEL, ids, None), (RESCHEDULE, {**ids, "s": at(4, n).isoformat()}, None)]
        else:
            calls += [(CONFIRM, {"id": row["id"]}, token), (CANCEL, ids, None)]
    answers = await at_once(servers, calls)  # the two calls of a pair go to different workers

    await assert_consistent(made, calls, answers)
    for n, row in enumerate(made):
        assert any(won(a) for a in answers[2 * n : 2 * n + 2])
        stored = await Booking.get(id=int(row["id"]))
        moved = pair == "cancel-reschedule" and won(answers[2 * n + 1])
        assert stored.start == (at(4, n) if moved else at(3, n))


@asynccontextmanager
async def host_row_held(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """Holds a lock on the host's row from outside the servers, as a long transaction would."""
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            await connection.execute("SELECT id FROM users WHERE email = $1 FOR UPDATE", HOST)
            yield connection
    finally:
        await connection.close()


async def until_waiting(connection: asyncpg.Connection, backends: int) -> None:
    deadline = time.monotonic() + 30
    query = """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'"""
    while await connection.fetchval(query) < backends:
        assert time.monotonic() < deadline, "the requests never reached the database"
        await asyncio.sleep(0.02)


@pytest.mark.skipif(BACKEND != "postgres", reason="holds a row lock from outside the servers")
@pytest.mark.parametrize("pair", ["cancel-reschedule", "confirm-cancel", "reschedule-reschedule"])
async def test_of_two_changes_made_from_one_read_state_exactly_one_wins(servers, settings, pair):
    token, type_id = await host(servers[0], requiresConfirmation=pair == "confirm-cancel")
    (made,) = await book_all(servers[0], type_id, [at(3, 0)])
    ids = {"id": made["id"], "t": made["manageToken"]}
    calls: list[Call] = {
        "cancel-reschedule": [
            (CANCEL, ids, None),
            (RESCHEDULE, {**ids, "s": at(4, 0).isoformat()}, None),
        ],
        "confirm-cancel": [(CONFIRM, {"id": made["id"]}, token), (CANCEL, ids, None)],
        "reschedule-reschedule": [
            (RESCHEDULE, {**ids, "s": at(4, 0).isoformat()}, None),
            (RESCHEDULE, {**ids, "s": at(4, 4).isoformat()}, None),
        ],
    }[pair]
    async with host_row_held(settings.database_url) as held:
        racing = asyncio.ensure_future(at_once(servers, calls))
        await until_waiting(held, 2)  # both read the booking and now wait for the host's row
    answers = await racing

    assert sorted(codes(a) for a in answers) == [[], ["CONFLICT"]], answers
    await assert_consistent([made], calls, answers)
    assert (await Booking.get(id=int(made["id"]))).sequence == 1


async def test_every_change_of_a_booking_raises_its_sequence(server):
    token, type_id = await host(server, requiresConfirmation=True)
    (made,) = await book_all(server, type_id, [at(3, 0)])
    ids = {"id": made["id"], "t": made["manageToken"]}
    stored = await Booking.get(id=int(made["id"]))
    sequences = [(stored.status, stored.sequence)]
    for query, variables, caller in [
        (CONFIRM, {"id": made["id"]}, token),
        (RESCHEDULE, {**ids, "s": at(3, 2).isoformat()}, None),
        (RESCHEDULE, {**ids, "s": at(3, 4).isoformat()}, None),
        (CANCEL, ids, None),
    ]:
        (await server.post(query, variables, token=caller)).ok()
        stored = await Booking.get(id=int(made["id"]))
        sequences.append((stored.status, stored.sequence))
    assert sequences == [
        (PENDING, 0),
        (CONFIRMED, 1),
        (CONFIRMED, 2),
        (CONFIRMED, 3),
        (CANCELLED, 4),
    ]
    refused = await server.post(RESCHEDULE, {**ids, "s": at(3, 6).isoformat()})
    assert refused.codes == ["CONFLICT"]
    assert (await Booking.get(id=int(made["id"]))).sequence == 4


def overlapping(rows: list[Booking]) -> list[tuple[int, int]]:
    live = sorted((b for b in rows if b.status != CANCELLED), key=lambda b: b.busy_start)
    return [(a.id, b.id) for a, b in itertools.pairwise(live) if b.busy_start < a.busy_end]


async def test_a_storm_of_mixed_changes_answers_no_internal_error_and_double_books_nobody(servers):
    _, type_id = await host(servers[0])
    made = await book_all(servers[0], type_id, [at(3, n) for n in range(16)])
    # Every booking is cancelled and moved at once (two moves per target slot), and its
    # slot is booked anew meanwhile: 48 requests over two workers.
    calls: list[Call] = []
    for n, row in enumerate(made):
        ids = {"id": row["id"], "t": row["manageToken"]}
        calls.append((CANCEL, ids, None))
        calls.append((RESCHEDULE, {**ids, "s": at(4, n // 2).isoformat()}, None))
        calls.append((BOOK, booking(type_id, at(3, n), 100 + n), None))

    answers = await at_once(servers, calls)

    seen = Counter(code for answer in answers for code in codes(answer))
    assert set(seen) <= {"CONFLICT"}, seen
    await assert_consistent(made, calls, answers)
    assert overlapping(await Booking.filter(host__email=HOST)) == []
    moves = Counter(
        v["s"] for (q, v, _), a in zip(calls, answers, strict=True) if q == RESCHEDULE and won(a)
    )
    assert max(moves.values(), default=1) == 1  # never two bookings moved onto one slot


async def test_concurrent_retries_of_one_idempotent_booking_all_get_that_booking(servers):
    _, type_id = await host(servers[0])
    request = booking(type_id, at(3, 0), 1, key="checkout-7f3a")
    answers = await at_once(servers, [(BOOK, request, None)] * 20)

    assert [codes(a) for a in answers] == [[]] * 20, [a for a in answers if codes(a)]
    ids = {a["data"]["bookMeeting"]["id"] for a in answers}
    assert len(ids) == 1
    tokens = [a["data"]["bookMeeting"]["manageToken"] for a in answers]
    assert sum(1 for t in tokens if t) == 1  # the manage token goes to the request that made it
    assert await Booking.all().count() == 1
    assert (await history())[int(ids.pop())] == ["CREATED"]
    # Another request under that key is still refused.
    other = booking(type_id, at(3, 2), 1, key="checkout-7f3a")
    assert codes((await at_once(servers, [(BOOK, other, None)]))[0]) == ["CONFLICT"]
