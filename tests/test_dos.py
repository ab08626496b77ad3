"""Denial of service through documents, lists and answers (issue #14, points 1 and 2), against
real servers: what used to block the event loop for seconds answers at once with a coded error."""

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from graphql import get_introspection_query

from tests.conftest import LiveServer, start_server
from tests.subscriptions.test_live import EVERY_DAY, account

WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation($i: EventTypeInput!) { createEventType(input: $i) { id } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start end } }"""

MAX_SLOTS = 50
MAX_RESPONSE_BYTES = 3000


@pytest.fixture(scope="module")
def limited(
    database: None, settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    env = {
        "MAX_SLOTS": str(MAX_SLOTS),
        "MAX_RESPONSE_BYTES": str(MAX_RESPONSE_BYTES),
        "MAX_QUERY_COST": "5000",
        "OUTBOX_POLL_SECONDS": "3600",
    }
    server = start_server(settings, tmp_path_factory.mktemp("dos"), env=env)
    yield server
    server.stop()


def doubling(fragments: int) -> str:
    """`query{...F0} fragment F0 on Query{...F1 ...F1} ...`: 2**fragments fields once expanded."""
    chain = " ".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(fragments))
    return f"query{{...F0}} {chain} fragment F{fragments} on Query{{__typename}}"


def tree(width: int, depth: int) -> str:
    """Fields of one name, `width` side by side at each of `depth` levels."""
    return "x" if depth == 0 else " ".join([f"a {{ {tree(width, depth - 1)} }}"] * width)


QUADRATIC = {
    "thirty doubling fragments": doubling(30),
    "490 fields of one name": "{" + " me { id }" * 490 + "}",
    "280 inline fragments": "{" + " ... { me { id } }" * 280 + "}",
    "a tree of fields of one name": "{ " + tree(2, 8) + " }",
}


@pytest.mark.parametrize("document", QUADRATIC.values(), ids=QUADRATIC.keys())
async def test_documents_whose_validation_explodes_are_refused_at_once_and_healthz_answers(
    limited, document
):
    async with httpx.AsyncClient(timeout=10) as client:
        started = time.perf_counter()
        answer = asyncio.create_task(client.post(limited.graphql, json={"query": document}))
        await asyncio.sleep(0)  # the document is on its way
        health = await client.get(f"{limited.url}/healthz")
        health_after = time.perf_counter() - started
        response = await answer
        elapsed = time.perf_counter() - started
    assert health.status_code == 200 and health_after < 1.0, health_after
    assert response.status_code == 200 and elapsed < 1.0, elapsed
    errors = response.json()["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"BAD_USER_INPUT"}, errors


async def test_ordinary_documents_pass_the_document_limits(server):
    # GraphiQL's introspection query, fragments spread in several places, a name selected twice.
    introspection = await server.post(get_introspection_query())
    assert introspection.ok()["__schema"]["queryType"]["name"] == "Query"
    shared = """query { privacyInfo { ...Info } again: privacyInfo { ...Info controller } }
      fragment Info on PrivacyInfo { controller categories { ...Category } }
      fragment Category on DataCategory { name purpose }"""
    data = (await server.post(shared)).ok()
    assert data["again"]["controller"] == data["privacyInfo"]["controller"]


async def test_a_connection_without_first_costs_its_default_page(settings, tmp_path, clean_db):
    own = start_server(settings, tmp_path, env={"MAX_QUERY_COST": "50"})
    try:
        # bookings' first defaults to 20: 1 + 20 * (1 + 1 + 2) = 81, no longer 5.
        refused = await own.post("{ bookings { edges { node { id start } } } }")
        assert refused.codes == ["BAD_USER_INPUT"]
        assert "Query cost 81 exceeds the limit of 50" in refused.errors[0]["message"]
        small = await own.post("{ bookings(first: 5) { edges { node { id start } } } }")  # 21
        assert small.codes == ["UNAUTHENTICATED"]
    finally:
        own.stop()


async def minute_slots_host(server: LiveServer, email: str) -> str:
    """An event type offering a slot every minute, all day, every day."""
    token = await account(server, email)
    rules = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in EVERY_DAY]
    (await server.post(WEEKLY, {"rules": rules}, token=token)).ok()
    values = {"title": "Minute", "slug": "minute", "durationMinutes": 1, "slotIntervalMinutes": 1}
    return (await server.post(CREATE_TYPE, {"i": values}, token=token)).ok()["createEventType"][
        "id"
    ]


def window(days: float) -> tuple[str, str]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return start.isoformat(), (start + timedelta(days=days)).isoformat()


async def test_eight_windows_of_62_days_of_minute_slots_are_refused_at_once(server):
    type_id = await minute_slots_host(server, "minutes@example.com")
    start, end = window(62)
    fields = " ".join(
        f"w{i}: availableSlots(eventTypeId: $id, start: $s, end: $e) {{ start end }}"
        for i in range(8)
    )
    query = f"query($id: ID!, $s: DateTime!, $e: DateTime!) {{ {fields} }}"
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.perf_counter()
        response = await client.post(
            server.graphql,
            json={"query": query, "variables": {"id": type_id, "s": start, "e": end}},
        )
        elapsed = time.perf_counter() - started
    body = response.json()
    # Each window could hold 89,280 slots: refused before they are computed (MAX_SLOTS).
    assert body["data"] is None and len(response.content) < 8000
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    assert all("MAX_SLOTS" in e["message"] for e in body["errors"])
    assert elapsed < 1.0, elapsed
    # Literal windows are counted in the cost by their length: one slot a minute at most, up to
    # MAX_SLOTS (6000) each.
    literal = fields.replace("$s", f'"{start}"').replace("$e", f'"{end}"')
    refused = await server.post(f"query($id: ID!) {{ {literal} }}", {"id": type_id})
    assert refused.codes == ["BAD_USER_INPUT"]
    assert "Query cost 96008 exceeds" in refused.errors[0]["message"]


async def test_one_window_holding_more_than_max_slots_is_bad_user_input(server):
    type_id = await minute_slots_host(server, "window@example.com")
    start, end = window(62)  # 89,280 minutes: far more than the default MAX_SLOTS (6000)
    refused = await server.post(SLOTS, {"id": type_id, "s": start, "e": end})
    assert refused.codes == ["BAD_USER_INPUT"] and refused.data is None
    assert "MAX_SLOTS" in refused.errors[0]["message"]
    assert refused.errors[0]["message"].startswith("end: ")
    start, end = window(1 / 24)  # an hour: 60 slots
    assert (
        len(
            (await server.post(SLOTS, {"id": type_id, "s": start, "e": end})).ok()["availableSlots"]
        )
        == 60
    )


async def test_the_slots_of_one_request_are_capped_across_its_fields(limited, clean_db):
    type_id = await minute_slots_host(limited, "capped@example.com")
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
    half = [(start + timedelta(minutes=m)).isoformat() for m in (0, 30, 60)]
    variables = {"id": type_id, "s": half[0], "e": half[1]}
    assert len((await limited.post(SLOTS, variables)).ok()["availableSlots"]) == 30
    both = (
        "query($id: ID!) { "
        + " ".join(
            f'{name}: availableSlots(eventTypeId: $id, start: "{s}", end: "{e}") {{ start }}'
            for name, s, e in (("a", half[0], half[1]), ("b", half[1], half[2]))
        )
        + " }"
    )
    result = await limited.post(both, {"id": type_id})
    assert result.codes == ["BAD_USER_INPUT"] and "MAX_SLOTS" in str(result.errors)
    assert result.data is None  # one of the two non-null lists failed: no partial answer


async def test_an_answer_over_max_response_bytes_is_a_coded_error_not_a_truncated_body(limited):
    query = "{ __schema { types { name description fields { name description } } } }"
    async with httpx.AsyncClient() as client:
        response = await client.post(limited.graphql, json={"query": query})
    body = response.json()  # whole JSON, not cut off
    assert body["data"] is None and len(response.content) < MAX_RESPONSE_BYTES
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "MAX_RESPONSE_BYTES" in error["message"]
    small = await limited.post("{ privacyInfo { controller } }")
    assert small.ok()["privacyInfo"]["controller"]
