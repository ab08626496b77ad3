"""Odd input (issue #14, point 15) against the real server, on SQLite and PostgreSQL: each gets a
coded error (BAD_USER_INPUT; HTTP 400 for bodies) and changes nothing."""

import base64
import json

import httpx
import pytest

from models.booking import Booking
from tests.subscriptions.test_live import BOOK, booking_input, host_with_type, slot

SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start } }"""
RESCHEDULE = """mutation($id: ID!, $s: DateTime!, $t: String) {
  rescheduleBooking(id: $id, start: $s, manageToken: $t) { id start } }"""
BOOKINGS_FROM = "query($s: DateTime!) { bookings(startFrom: $s) { totalCount } }"
BOOKINGS_TO = "query($s: DateTime!) { bookings(startTo: $s) { totalCount } }"
LONE = ["x\ud800y", "\udfff"]
EXTREMES = [
    "0001-01-01T00:30:00+05:00",
    "0001-01-01T00:00:00-05:00",
    "9999-12-31T23:59:00-05:00",
    "9999-12-31T23:00:00+05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
]


async def post_json(server, body: object, token: str | None = None) -> httpx.Response:
    """Encoded with json.dumps (ensure_ascii), as any client that escapes what it sends."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(server.graphql, content=json.dumps(body), headers=headers)


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors") or []]


@pytest.fixture
async def booked(server):
    """A host with an event type and one booking: (host token, type id, booking)."""
    token, type_id = await host_with_type(server, "odd@example.com")
    booking = (await server.post(BOOK, booking_input(type_id, slot(5)))).ok()["bookMeeting"]
    return token, type_id, booking


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        *((field, bad) for field in ("name", "notes", "idempotencyKey") for bad in LONE),
        ("idempotencyKey", "a\x00b"),  # NUL in names and notes was refused before
    ],
)
async def test_lone_surrogates_and_nul_in_booking_text_are_bad_user_input(
    server, booked, field, bad
):
    _, type_id, _ = booked
    variables = booking_input(type_id, slot(6))
    variables["i"][field] = bad
    response = await post_json(server, {"query": BOOK, "variables": variables})
    assert codes(response) == ["BAD_USER_INPUT"]
    assert response.status_code in (200, 400)  # 400: the body itself is refused
    assert await Booking.all().count() == 1  # nothing booked


async def test_a_lone_surrogate_in_a_sign_up_name_is_refused_and_creates_nobody(server):
    account = {"email": "sur@example.com", "password": "correct horse battery", "name": "\ud800"}
    query = "mutation($i: SignUpInput!) { signUp(input: $i) { token } }"
    response = await post_json(server, {"query": query, "variables": {"i": account}})
    assert response.status_code == 400 and codes(response) == ["BAD_USER_INPUT"]
    login = (
        'mutation { logIn(email: "sur@example.com", password: "correct horse battery") { token } }'
    )
    assert (await server.post(login)).codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("moment", EXTREMES)
async def test_date_times_at_the_ends_of_the_calendar_are_bad_user_input(server, booked, moment):
    token, type_id, booking = booked
    before = (await Booking.get(id=int(booking["id"]))).start
    results = [
        await server.post(BOOK, booking_input(type_id, moment)),
        await server.post(SLOTS, {"id": type_id, "s": moment, "e": slot(7)}),
        await server.post(SLOTS, {"id": type_id, "s": slot(1), "e": moment}),
        await server.post(
            RESCHEDULE, {"id": booking["id"], "s": moment, "t": booking["manageToken"]}
        ),
        await server.post(BOOKINGS_FROM, {"s": moment}, token=token),
        await server.post(BOOKINGS_TO, {"s": moment}, token=token),
    ]
    assert [result.codes for result in results] == [["BAD_USER_INPUT"]] * 6
    assert await Booking.all().count() == 1  # nothing booked, nothing moved
    assert (await Booking.get(id=int(booking["id"]))).start == before


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


CRAFTED = [
    '["abc"]',
    "[99999999999999999999999999]",
    "[2147483648]",
    "[-1]",
    "[1e999]",
    "[null]",
    "[true]",
    "[[1]]",
    '["2027-01-01T00:00:00+00:00", 99999999999999999999]',
    '["0001-01-01T00:00:00+05:00", 1]',
    '["2027-01-01", "x"]',
]


@pytest.mark.parametrize("raw", CRAFTED)
@pytest.mark.parametrize(
    "query",
    [
        "query($a: String) { bookings(after: $a) { totalCount } }",
        "query($a: String) { bookings(after: $a, order: START_ASC) { totalCount } }",
        "query($a: String) { notifications(after: $a) { totalCount } }",
        "query($a: String) { clients(after: $a) { totalCount } }",
    ],
    ids=["bookings", "bookings-by-start", "notifications", "clients"],
)
async def test_crafted_cursors_are_bad_user_input(server, booked, raw, query):
    token, _, _ = booked
    result = await server.post(query, {"a": cursor(raw)}, token=token)
    assert result.codes == ["BAD_USER_INPUT"], result.errors
    assert result.errors[0]["message"].startswith("after: ")


async def test_cursors_from_the_api_still_page(server, booked):
    token, type_id, _ = booked
    (await server.post(BOOK, booking_input(type_id, slot(6), "Jo"))).ok()
    for order in ("NEWEST_FIRST", "START_ASC"):
        query = (
            "query($a: String) { bookings(first: 1, after: $a, order: " + order + ") {"
            " edges { node { id } } pageInfo { endCursor } } }"
        )
        first = (await server.post(query, {"a": None}, token=token)).ok()["bookings"]
        second = await server.post(query, {"a": first["pageInfo"]["endCursor"]}, token=token)
        ids = [first["edges"][0]["node"]["id"], second.ok()["bookings"]["edges"][0]["node"]["id"]]
        assert len(set(ids)) == 2


BODIES = {
    "invalid UTF-8": b'{"query": "{ __typename }", "variables": {"a": "\xff\xfe"}}',
    "deeply nested": b'{"query": "{ __typename }", "variables": {"a": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}}",
    "nested 5000": b'{"query": "{ __typename }", "variables": {"a": '
    + b"[" * 5000
    + b"]" * 5000
    + b"}}",
    "a lone surrogate": b'{"query": "{ __typename }", "variables": {"a": "\\ud800"}}',
    "a number": b"5",
    "a string": b'"{ __typename }"',
    "null": b"null",
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
async def test_bodies_that_are_no_json_object_are_a_coded_400(server, body):
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            server.graphql, content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert codes(response) == ["BAD_USER_INPUT"]
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{server.url}/healthz")).status_code == 200
