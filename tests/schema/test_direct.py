"""The direct path (schema/direct.py): plain queries and mutations over HTTP run without
strawberry's per-request machinery, and answer exactly as strawberry's path does; everything
else is left to strawberry."""

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from schema.direct import Direct
from schema.root import Query
from tests.conftest import AppServer
from tests.graphql_ops import CREATE_TYPE

Send = Callable[..., Awaitable[httpx.Response]]
ME = "{ me { id email name } }"
SUBSCRIPTION = 'subscription { availabilityChanged(eventTypeId: "1") { occurredAt } }'


@pytest.fixture
def direct(http: AppServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The app's direct path, recording the operations it executed."""
    lane: Direct = http.app.state.graphql.direct
    executed: list[str] = []
    original = lane.execute

    async def execute(plan: Any, *args: Any) -> Any:
        executed.append(plan.kind.value)
        return await original(plan, *args)

    monkeypatch.setattr(lane, "execute", execute)
    yield executed


@pytest.fixture
def both(http: AppServer, direct: list[str]) -> Callable[..., Awaitable[list[httpx.Response]]]:
    """Sends a request once by each path: the direct one, then strawberry's."""
    graphql = http.app.state.graphql
    lane = graphql.direct

    async def send(method: str = "POST", token: str | None = None, **request: Any) -> list:
        headers = request.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        answers = []
        for path in (lane, None):
            graphql.direct = path
            try:
                async with http.client() as client:
                    answers.append(
                        await client.request(method, http.graphql, headers=headers, **request)
                    )
            finally:
                graphql.direct = lane
        return answers

    return send


def same(answers: list[httpx.Response]) -> Any:
    by_direct, by_strawberry = answers
    assert by_direct.status_code == by_strawberry.status_code
    assert by_direct.headers["content-type"] == by_strawberry.headers["content-type"]
    assert by_direct.json() == by_strawberry.json()
    return by_direct.json()


async def test_queries_answer_as_strawberry_answers_them(both, direct, sign_up) -> None:
    token, user = await sign_up()
    me = same(await both(json={"query": ME}, token=token))
    assert me == {"data": {"me": {"id": user["id"], "email": user["email"], "name": "Hanna Host"}}}
    assert same(await both(json={"query": ME})) == {"data": {"me": None}}
    # Variables, a coded error and its path, an alias.
    query = "query($id: ID!) { x: eventType(id: $id) { title } mine: myData }"
    refused = same(await both(json={"query": query, "variables": {"id": "999999"}}))
    assert refused["data"] == {"x": None, "mine": None} or refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
    assert refused["errors"][0]["path"] == ["mine"]
    # A variable of the wrong type: refused before any resolver runs.
    wrong = same(await both(json={"query": query, "variables": {"id": {"no": 1}}}))
    assert wrong["data"] is None and wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # The operation named, of several; GET as well as POST.
    two = "query A { me { id } } query B { me { name } }"
    assert same(await both(json={"query": two, "operationName": "B"})) == {"data": {"me": None}}
    named = same(await both("GET", params={"query": two, "operationName": "A"}, token=token))
    assert named == {"data": {"me": {"id": user["id"]}}}
    # Without a name, strawberry runs the first.
    assert same(await both(json={"query": two})) == {"data": {"me": None}}
    assert direct == ["query"] * 7


async def test_mutations_answer_and_change_as_by_strawberry(both, direct, sign_up) -> None:
    token, _ = await sign_up()
    variables = {"i": {"title": "Intro", "slug": "intro", "durationMinutes": 30}}
    first, second = await both(json={"query": CREATE_TYPE, "variables": variables}, token=token)
    assert first.json()["data"]["createEventType"]["id"]
    # The second (strawberry's) found the slug taken: the unit of work committed the first.
    assert second.json()["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "CONFLICT")
    refused = {"i": {"title": "", "slug": "x", "durationMinutes": -5}}
    same(await both(json={"query": CREATE_TYPE, "variables": refused}, token=token))
    assert direct == ["mutation", "mutation"]


async def test_what_the_direct_path_does_not_take_strawberry_answers(both, direct) -> None:
    """Invalid documents, subscriptions, mutations over GET, @defer, batches and bad bodies."""
    requests: list[dict[str, Any]] = [
        {"json": {"query": "{ me { nope } }"}},
        {"json": {"query": "{ me { id "}},
        {
            "json": {
                "query": 'subscription { availabilityChanged(eventTypeId: "1") { occurredAt } }'
            }
        },
        {"json": {"query": "{ me { id } }", "operationName": "Other"}},
        {"json": [{"query": "{ me { id } }"}]},
        {"json": {"query": 5}},
        {"json": {"query": "{ me { id } }", "variables": [1]}},
        {"content": b"{", "headers": {"content-type": "application/json"}},
        {"content": b"query=x", "headers": {"content-type": "text/plain"}},
    ]
    for request in requests:
        same(await both(**request))
    mutation = "mutation { logOut }"
    by_get = await both("GET", params={"query": mutation})
    assert by_get[0].status_code == by_get[1].status_code >= 400
    same(await both(json={"query": "{ me { id ... @defer { name } } }"}))
    assert direct == []


async def test_a_subscription_over_plain_http_is_refused_with_a_code(both) -> None:
    """strawberry would execute it like a query, and answer an internal error."""
    refused = same(await both(json={"query": SUBSCRIPTION}))
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "WebSocket" in refused["errors"][0]["message"]


async def test_the_operation_is_measured_by_its_name(http: AppServer, direct) -> None:
    sample = 'bnm_graphql_operations_total{operation="DirectMe",type="query"}'
    before = await http.metric(sample)
    async with http.client() as client:
        await client.post(http.graphql, json={"query": "query DirectMe { me { id } }"})
    assert await http.metric(sample) == before + 1
    assert direct == ["query"]


def test_a_plan_is_made_once_for_the_operations_it_runs(http: AppServer) -> None:
    lane: Direct = http.app.state.graphql.direct
    plan = lane.plan("query Q { me { id } }", None)
    assert plan is not None and (plan.kind.value, plan.name) == ("query", "Q")
    assert lane.plan("query Q { me { id } }", None) is plan
    assert lane.plan("mutation M { logOut } query Q { me { id } }", "M").kind.value == "mutation"
    assert lane.plan("{ me { id ... @include(if: true) { name } } }", None) is not None
    for refused in (
        "{ me { nope } }",
        "{ me { id ",
        SUBSCRIPTION,
        "{ me { id ... @defer { name } } }",
    ):
        assert lane.plan(refused, None) is None
    assert lane.plan("query Q { me { id } }", "Other") is None


def test_no_direct_path_beside_another_extension(http: AppServer) -> None:
    """An extension's hooks (tracing's) run only on strawberry's path."""
    schema = http.app.state.graphql.schema

    class Other(SchemaExtension):
        pass

    other = strawberry.Schema(query=Query, extensions=[*schema.extensions, Other])
    other.steps = schema.steps  # type: ignore[attr-defined]
    assert Direct.of(other) is None
    assert Direct.of(schema) is not None
