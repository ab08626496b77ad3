"""The public cache: what may be cached, what is kept, and that no committed change it depends on
is outlived by a cached answer, within one process (the app in-process over the test database)
and across processes (two servers sharing Redis)."""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from graphql import GraphQLObjectType, get_named_type, parse

from config import Settings
from events.bus import MemoryBus
from graphql_app import GraphQLApp
from models.event_type import EventType
from models.user import User
from services import changes, event_types
from tests.conftest import BACKEND, PASSWORD, REDIS_URL, SIGN_UP, start_server
from tests.graphql_ops import CREATE_TYPE
from web import public_cache
from web.persisted_queries import PersistedQueries
from web.public_cache import PublicCache, is_cacheable

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (CI's second pass)")

PUBLIC = "query($id: ID!) { eventType(id: $id) { title host { name timeZone } } }"
UPDATE_TYPE = """mutation($id: ID!, $i: EventTypeUpdateInput!) {
  updateEventType(id: $id, input: $i) { id } }"""
DELETE_TYPE = "mutation($id: ID!) { deleteEventType(id: $id) }"
UPDATE_PROFILE = "mutation($i: ProfileInput!) { updateProfile(input: $i) { id } }"
SET_WEEKLY = "mutation($z: String!) { setWeeklyAvailability(timeZone: $z, rules: []) { timeZone } }"
SUSPEND = 'mutation($id: ID!) { suspendUser(id: $id, reason: "spam") { id } }'
REINSTATE = 'mutation($id: ID!) { reinstateUser(id: $id, reason: "appeal") { id } }'
DELETE_USER = 'mutation($id: ID!) { deleteUser(id: $id, reason: "spam") }'
DELETE_ACCOUNT = "mutation($p: String!) { deleteAccount(password: $p) }"
JSON = {"Content-Type": "application/json"}


# --- which requests and documents ----------------------------------------------------------------


def cacheable(query: str, operation_name: str | None = None) -> bool:
    return is_cacheable(parse(query), operation_name)


def test_only_queries_of_public_time_independent_root_fields_are_cacheable() -> None:
    assert cacheable('{ eventType(id: "1") { title host { name } } }')
    assert cacheable('query Q { __typename a: eventType(id: "1") { id } }')
    assert cacheable('{ ...F } fragment F on Query { eventType(id: "1") { id } }')
    assert cacheable('{ ... on Query { eventType(id: "1") { id } } }')
    # The clock, the caller, or a change of state: never.
    assert not cacheable('{ availableSlots(eventTypeId: "1", start: "x", end: "y") { start } }')
    assert not cacheable('{ eventType(id: "1") { id } me { id } }')
    assert not cacheable("{ ...F } fragment F on Query { me { id } }")
    assert not cacheable("{ __schema { types { name } } }")
    assert not cacheable('mutation { deleteEventType(id: "1") }')
    assert not cacheable('subscription { availabilityChanged(eventTypeId: "1") { eventTypeId } }')
    # The operation that would run decides.
    two = 'query A { eventType(id: "1") { id } } query B { me { id } }'
    assert cacheable(two, "A") and not cacheable(two, "B")
    assert not cacheable(two) and not cacheable(two, "C")


def test_every_field_an_event_type_query_can_reach_was_reviewed_for_invalidation(schema) -> None:
    """A field added under eventType must be checked: does every change to what it reads publish
    `public_data_changed` (services/changes.py)? Then add it here."""
    reviewed = {
        "EventType": {
            "id", "title", "slug", "description", "durationMinutes", "location", "locationKind",
            "bufferBeforeMinutes", "bufferAfterMinutes", "minimumNoticeMinutes",
            "slotIntervalMinutes", "maxBookingsPerDay", "requiresConfirmation", "horizonDays",
            "reminderOffsetsMinutes", "host",
            # Scheduling II: written by createEventType/updateEventType only (services/
            # event_types._save publishes). `location` also depends on the viewer (the host sees
            # a VIDEO or PHONE location), but only anonymous answers are kept.
            "questions", "seatsPerSlot", "maxBookingsPerWeek", "maxBookingsPerMonth",
            "minimumCancelNoticeMinutes",
            # Issue #21: written by createEventType/updateEventType only; a hidden type is null
            # to anonymous readers, and hiding or showing it publishes like any other update.
            "hidden",
            # Teams: `assignment` is set when a team event type is created; `hosts` changes when a
            # member leaves or is removed (services/teams.leave publishes) or renames (accounts).
            "assignment", "hosts",
        },
        "BookingQuestion": {"key", "label", "kind", "required", "options"},
        "PublicHost": {"name", "timeZone"},
    }  # fmt: skip
    reachable: dict[str, set[str]] = {}
    pending = [get_named_type(schema._schema.query_type.fields[f].type) for f in ("eventType",)]
    while pending:
        kind = pending.pop()
        if not isinstance(kind, GraphQLObjectType) or kind.name in reachable:
            continue
        reachable[kind.name] = set(kind.fields)
        pending += [get_named_type(field.type) for field in kind.fields.values()]
    assert reachable == reviewed
    assert {"eventType", "__typename"} == public_cache.PUBLIC_ROOT_FIELDS


def scope(*headers: tuple[bytes, bytes], method: str = "POST") -> dict[str, Any]:
    return {"method": method, "headers": [(b"content-type", b"application/json"), *headers]}


def body(query: str = PUBLIC, variables: Any = None, **extra: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables, **extra}).encode()


def test_the_key_is_the_query_the_canonical_variables_and_the_operation_name() -> None:
    key = PublicCache.key
    a = key(scope(), b'{"query": "Q", "variables": {"a": 1, "b": [1, {"y": 2, "x": 1}]}}')
    b = key(scope(), b'{"variables": {"b": [1, {"x": 1, "y": 2}], "a": 1},   "query": "Q"}')
    assert a == b == ("Q", '{"a":1,"b":[1,{"x":1,"y":2}]}', None)
    assert key(scope(), body("Q", None)) == key(scope(), body("Q", {})) == ("Q", "{}", None)
    assert key(scope(), body("Q", operationName="A")) == ("Q", "{}", "A")
    assert key(scope(), body("Q ")) != key(scope(), body("Q"))  # exact text


def test_requests_with_credentials_or_unlike_a_plain_json_query_have_no_key() -> None:
    key = PublicCache.key
    assert key(scope((b"authorization", b"Bearer bnm_x")), body()) is None
    assert key(scope((b"authorization", b"")), body()) is None
    assert key(scope(method="GET"), body()) is None
    assert key({"method": "POST", "headers": [(b"content-type", b"text/plain")]}, body()) is None
    assert key(scope(), b"[" + body() + b"]") is None  # a batch
    assert key(scope(), body(extensions={"persistedQuery": {}})) is None
    assert key(scope(), body(extensions=[])) is None
    assert key(scope(), body(variables=[1])) is None
    assert key(scope(), body(variables=[])) is None  # refused by strawberry: never a hit
    assert key(scope(), b"{not json") is None


def test_a_request_read_before_keeps_its_key_but_never_for_credentials() -> None:
    cache = listening_cache()
    persisted = PersistedQueries()
    query_string = urlencode({"query": PUBLIC, "variables": '{"id": "1"}'}).encode()
    get = {"method": "GET", "headers": [], "query_string": query_string}
    first = cache.key_of(get, b"", persisted)
    assert first == (PUBLIC, '{"id":"1"}', None)
    assert cache.key_of(get, b"", persisted) is first  # remembered, not read again
    signed_in = {**get, "headers": [(b"authorization", b"Bearer bnm_x")]}
    assert cache.key_of(signed_in, b"", persisted) is None
    post = scope()
    assert cache.key_of(post, body()) is cache.key_of(post, body()) is not None
    assert cache.key_of(scope((b"authorization", b"Bearer bnm_x")), body()) is None
    text = {"method": "POST", "headers": [(b"content-type", b"text/plain")]}
    assert cache.key_of(text, body()) is None


def test_whether_a_document_is_cacheable_is_decided_once(monkeypatch) -> None:
    parsed: list[str] = []
    real_parse = public_cache.parse
    monkeypatch.setattr(public_cache, "parse", lambda q, **kw: parsed.append(q) or real_parse(q))
    cache = PublicCache(max_entries=10, ttl=60, max_tokens=2000)
    for variables in ('{"id":"1"}', '{"id":"2"}', '{"id":"3"}'):
        assert cache.cacheable((PUBLIC, variables, None))
    assert not cache.cacheable(("{ me { id } }", "{}", None))
    assert not cache.cacheable(("{ me { id } }", '{"x":1}', None))
    assert parsed == [PUBLIC, "{ me { id } }"]


# --- what is kept ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def listening_cache(**kwargs: Any) -> PublicCache:
    cache = PublicCache(**{"max_entries": 10, "ttl": 60.0, "max_tokens": 2000, **kwargs})
    cache.listening = True
    return cache


KEY = (PUBLIC, '{"id":"1"}', None)
ANSWER = b'{"data":{"eventType":{"title":"Intro"}}}'


def test_answers_with_errors_are_never_kept() -> None:
    cache = listening_cache()
    failed = b'{"data":null,"errors":[{"message":"x","extensions":{"code":"NOT_FOUND"}}]}'
    cache.store(KEY, failed, cache.generation)
    assert cache.get(KEY) is None and cache.size == 0


def test_an_answer_read_before_a_published_change_is_not_kept() -> None:
    cache = listening_cache()
    generation = cache.generation  # the request starts and reads the old row
    cache.invalidate()  # a change is committed and published meanwhile
    cache.store(KEY, ANSWER, generation)
    assert cache.get(KEY) is None


def test_entries_expire_after_the_ttl_and_the_least_recently_used_go_first() -> None:
    clock = Clock()
    cache = listening_cache(max_entries=2, ttl=10.0, clock=clock)
    keys = [(PUBLIC, f'{{"id":"{i}"}}', None) for i in range(3)]
    cache.store(keys[0], ANSWER, cache.generation)
    cache.store(keys[1], ANSWER, cache.generation)
    assert cache.get(keys[0]) == ANSWER  # now keys[1] is the least recently used
    cache.store(keys[2], ANSWER, cache.generation)
    assert cache.size == 2 and cache.get(keys[1]) is None
    clock.now = 9.9
    assert cache.get(keys[0]) == ANSWER
    clock.now = 10.0
    assert cache.get(keys[0]) is None and cache.get(keys[2]) is None


def test_nothing_is_served_or_kept_while_not_subscribed_to_invalidations() -> None:
    cache = PublicCache(max_entries=10, ttl=60.0, max_tokens=2000)
    cache.store(KEY, ANSWER, cache.generation)
    assert cache.size == 0
    cache.listening = True
    cache.store(KEY, ANSWER, cache.generation)
    cache.listening = False
    assert cache.get(KEY) is None


def test_large_answers_are_not_kept() -> None:
    cache = listening_cache()
    cache.store(KEY, b'{"data":"' + b"x" * public_cache.MAX_ENTRY_BYTES + b'"}', cache.generation)
    assert cache.size == 0


def test_settings_turn_it_off_and_bound_it() -> None:
    assert Settings.from_env({}).public_cache
    off = Settings.from_env({"PUBLIC_CACHE": "0"})
    assert not off.public_cache
    assert GraphQLApp(off, MemoryBus()).public_cache is None
    tuned = Settings.from_env({"PUBLIC_CACHE_ENTRIES": "5", "PUBLIC_CACHE_TTL_SECONDS": "2.5"})
    cache = GraphQLApp(tuned, MemoryBus()).public_cache
    assert cache is not None and (cache.max_entries, cache.ttl) == (5, 2.5)


# --- through the app: one process --------------------------------------------------------------


@dataclass
class App:
    graphql: GraphQLApp
    client: httpx.AsyncClient

    @property
    def cache(self) -> PublicCache:
        assert self.graphql.public_cache is not None
        return self.graphql.public_cache

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {**JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
        payload = {"query": query, "variables": variables}
        response = await self.client.post("/graphql", content=json.dumps(payload), headers=headers)
        assert response.status_code == 200, response.text
        return response

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        answer = (await self.post(query, variables, **kw)).json()
        assert "errors" not in answer, answer
        return answer["data"]

    async def public(self, type_id: str) -> Any:
        return (await self.ok(PUBLIC, {"id": type_id}))["eventType"]

    async def host(self, email: str = "host@example.com", name: str = "Hanna Host") -> Any:
        variables = {"input": {"email": email, "password": PASSWORD, "name": name}}
        signed_up = (await self.ok(SIGN_UP, variables))["signUp"]
        return signed_up["token"], signed_up["user"]["id"]

    async def event_type(self, token: str, slug: str = "intro") -> str:
        variables = {"i": {"title": "Intro", "slug": slug, "durationMinutes": 30}}
        return str((await self.ok(CREATE_TYPE, variables, token=token))["createEventType"]["id"])

    async def admin(self) -> str:
        token, _ = await self.host("admin@example.com", "Ada Admin")
        await User.filter(email="admin@example.com").update(role="admin")
        return token

    async def cached(self, type_id: str) -> Any:
        """The public answer, after making sure it is the cache's (asked twice, one entry)."""
        first = await self.public(type_id)
        assert await self.public(type_id) == first and self.cache.size >= 1
        return first


@pytest.fixture(scope="module")
async def graphql_app(database: None, settings: Settings) -> AsyncIterator[GraphQLApp]:
    """The app in this process over the test database, with its invalidation listener."""
    bus = MemoryBus()
    graphql = GraphQLApp(replace(settings, redis_url=None, public_cache_ttl_seconds=3600), bus)
    assert graphql.public_cache is not None
    listener = asyncio.create_task(graphql.public_cache.listen(graphql.outbox))
    for _ in range(100):
        if graphql.public_cache.listening:
            break
        await asyncio.sleep(0)
    assert graphql.public_cache.listening
    yield graphql
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)


@pytest.fixture
async def app(graphql_app: GraphQLApp, clean_db: None) -> AsyncIterator[App]:
    assert graphql_app.public_cache is not None
    graphql_app.public_cache.invalidate()  # the tables were emptied behind its back
    transport = httpx.ASGITransport(app=graphql_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield App(graphql_app, client)


async def test_a_hit_returns_the_same_bytes_without_executing(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    first = await app.post(PUBLIC, {"id": type_id})
    # Changed behind the app's back (no invalidation): only an answer from the cache ignores it.
    await EventType.filter(id=int(type_id)).update(title="Changed in the database")
    second = await app.post(PUBLIC, {"id": type_id})
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert json.loads(first.content)["data"]["eventType"]["title"] == "Intro"
    # The same variables written otherwise are the same key.
    reordered = b'{"variables": {"id": "%s"}, "query": "%s"}' % (type_id.encode(), PUBLIC.encode())
    third = await app.client.post("/graphql", content=reordered, headers=JSON)
    assert third.content == first.content


async def test_requests_with_credentials_never_use_it(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    await app.cached(type_id)
    await EventType.filter(id=int(type_id)).update(title="Changed in the database")
    size = app.cache.size
    signed_in = await app.ok(PUBLIC, {"id": type_id}, token=token)
    bad_token = await app.ok(PUBLIC, {"id": type_id}, token="not-a-token")  # still anonymous
    assert signed_in["eventType"]["title"] == bad_token["eventType"]["title"]
    assert signed_in["eventType"]["title"] == "Changed in the database"
    assert app.cache.size == size  # and nothing they got was kept
    assert (await app.public(type_id))["title"] == "Intro"


async def test_answers_with_errors_are_executed_every_time(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    query = 'query($id: ID!) { eventType(id: $id) { title } bad: eventType(id: "x") { title } }'
    first = (await app.post(query, {"id": type_id})).json()
    assert first["data"]["eventType"]["title"] == "Intro"
    assert [e["extensions"]["code"] for e in first["errors"]] == ["NOT_FOUND"]
    assert app.cache.size == 0
    await EventType.filter(id=int(type_id)).update(title="Changed in the database")
    second = (await app.post(query, {"id": type_id})).json()
    assert second["data"]["eventType"]["title"] == "Changed in the database"


async def test_a_clock_dependent_query_is_never_cached(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    query = """query($id: ID!) { availableSlots(eventTypeId: $id,
      start: "2031-03-04T00:00:00+00:00", end: "2031-03-05T00:00:00+00:00") { start } }"""
    await app.ok(query, {"id": type_id})
    await app.ok(query, {"id": type_id})
    assert app.cache.size == 0


async def test_updating_the_event_type_invalidates(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    assert (await app.cached(type_id))["title"] == "Intro"
    await app.ok(UPDATE_TYPE, {"id": type_id, "i": {"title": "Deep dive"}}, token=token)
    assert (await app.public(type_id))["title"] == "Deep dive"


async def test_deleting_the_event_type_invalidates(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    await app.cached(type_id)
    assert (await app.ok(DELETE_TYPE, {"id": type_id}, token=token))["deleteEventType"]
    assert await app.public(type_id) is None


async def test_hiding_the_event_type_invalidates_and_showing_it_again_too(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    assert (await app.cached(type_id))["title"] == "Intro"
    await app.ok(UPDATE_TYPE, {"id": type_id, "i": {"hidden": True}}, token=token)
    assert await app.cached(type_id) is None
    await app.ok(UPDATE_TYPE, {"id": type_id, "i": {"hidden": False}}, token=token)
    assert (await app.public(type_id))["title"] == "Intro"


async def test_creating_an_event_type_invalidates_a_cached_null(app: App) -> None:
    token, _ = await app.host()
    first = int(await app.event_type(token))
    assert await app.cached(str(first + 1)) is None
    assert await app.event_type(token, slug="second") == str(first + 1)
    assert (await app.public(str(first + 1)))["title"] == "Intro"


async def test_correcting_the_hosts_name_or_time_zone_invalidates(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    assert (await app.cached(type_id))["host"] == {"name": "Hanna Host", "timeZone": "UTC"}
    await app.ok(UPDATE_PROFILE, {"i": {"name": "Hanna Newname"}}, token=token)
    assert (await app.cached(type_id))["host"]["name"] == "Hanna Newname"
    await app.ok(UPDATE_PROFILE, {"i": {"timeZone": "Europe/London"}}, token=token)
    assert (await app.public(type_id))["host"]["timeZone"] == "Europe/London"


async def test_setting_weekly_availability_in_another_zone_invalidates(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    await app.cached(type_id)
    await app.ok(SET_WEEKLY, {"z": "Pacific/Auckland"}, token=token)
    assert (await app.public(type_id))["host"]["timeZone"] == "Pacific/Auckland"


async def test_suspending_and_reinstating_the_host_invalidate(app: App) -> None:
    admin = await app.admin()
    token, host_id = await app.host()
    type_id = await app.event_type(token)
    await app.cached(type_id)
    await app.ok(SUSPEND, {"id": host_id}, token=admin)
    assert await app.cached(type_id) is None
    await app.ok(REINSTATE, {"id": host_id}, token=admin)
    assert (await app.public(type_id))["title"] == "Intro"


async def test_deleting_the_host_invalidates(app: App) -> None:
    admin = await app.admin()
    token, host_id = await app.host()
    type_id = await app.event_type(token)
    await app.cached(type_id)
    await app.ok(DELETE_USER, {"id": host_id}, token=admin)
    assert await app.public(type_id) is None


async def test_the_host_deleting_their_account_invalidates(app: App) -> None:
    token, _ = await app.host()
    type_id = await app.event_type(token)
    await app.cached(type_id)
    await app.ok(DELETE_ACCOUNT, {"p": PASSWORD}, token=token)
    assert await app.public(type_id) is None


async def test_a_row_read_before_a_commit_is_not_kept_after_it(app: App, monkeypatch) -> None:
    """The race a bump before the commit would lose: a request reads the old row, the change is
    committed and published, then the request finishes. Its answer is stale and must not stay."""
    token, _ = await app.host()
    type_id = await app.event_type(token)
    read, finish = asyncio.Event(), asyncio.Event()
    public = event_types.public

    async def slow_public(event_type_id: int, viewer_id: int | None = None) -> EventType | None:
        row = await public(event_type_id, viewer_id)
        read.set()
        await finish.wait()
        return row

    monkeypatch.setattr(event_types, "public", slow_public)
    slow = asyncio.create_task(app.public(type_id))
    await read.wait()
    monkeypatch.setattr(event_types, "public", public)
    await app.ok(UPDATE_TYPE, {"id": type_id, "i": {"title": "Deep dive"}}, token=token)
    finish.set()
    assert (await slow)["title"] == "Intro"  # what it read, before the commit
    assert (await app.public(type_id))["title"] == "Deep dive"


async def test_a_row_read_while_a_change_is_uncommitted_is_not_kept(app: App, monkeypatch) -> None:
    """The race a bump before the commit would lose: a request starts after the change was
    announced but reads the row before it is committed (PostgreSQL; SQLite makes it wait)."""
    token, _ = await app.host()
    type_id = await app.event_type(token)
    announced, commit, read = asyncio.Event(), asyncio.Event(), asyncio.Event()
    changed, public = changes.public_data_changed, event_types.public

    async def paused_change() -> None:
        await changed()
        announced.set()
        await commit.wait()  # inside the transaction

    async def watched_public(event_type_id: int, viewer_id: int | None = None) -> EventType | None:
        row = await public(event_type_id, viewer_id)
        read.set()
        return row

    monkeypatch.setattr(changes, "public_data_changed", paused_change)
    monkeypatch.setattr(event_types, "public", watched_public)
    update = asyncio.create_task(
        app.ok(UPDATE_TYPE, {"id": type_id, "i": {"title": "Deep dive"}}, token=token)
    )
    await announced.wait()
    reader = asyncio.create_task(app.public(type_id))
    if BACKEND == "postgres":
        await read.wait()  # the committed row, still the old one
    else:
        for _ in range(100):  # it reaches the database and waits for the transaction's lock
            await asyncio.sleep(0)
    commit.set()
    await update
    assert (await reader)["title"] in ("Intro", "Deep dive")
    assert (await app.public(type_id))["title"] == "Deep dive"


# --- across processes ---------------------------------------------------------------------------


def hits(server_url: str) -> float:
    metrics = httpx.get(f"{server_url}/metrics").text
    found = re.search(r'^bnm_public_cache_requests_total\{result="hit"\} (\S+)$', metrics, re.M)
    return float(found.group(1)) if found else 0.0


@needs_redis
async def test_a_change_through_one_worker_empties_the_cache_of_another(
    settings, tmp_path, clean_db
) -> None:
    # Long TTLs: only the invalidation through Redis can make the other worker answer afresh.
    env = {"PUBLIC_CACHE_TTL_SECONDS": "3600"}
    writer = start_server(settings, tmp_path, env=env)
    reader = start_server(settings, tmp_path, env=env)
    try:
        signed_up = await writer.post(
            SIGN_UP, {"input": {"email": "h@example.com", "password": PASSWORD, "name": "Hanna"}}
        )
        token = signed_up.ok()["signUp"]["token"]
        variables = {"i": {"title": "Intro", "slug": "intro", "durationMinutes": 30}}
        created = await writer.post(CREATE_TYPE, variables, token=token)
        type_id = created.ok()["createEventType"]["id"]
        # Asked until answered from the reader's cache (it may still be subscribing to Redis).
        before = hits(reader.url)
        for _ in range(100):
            answer = (await reader.post(PUBLIC, {"id": type_id})).ok()["eventType"]
            assert answer["title"] == "Intro"
            if hits(reader.url) > before:
                break
            await asyncio.sleep(0.05)
        assert hits(reader.url) > before

        await writer.post(UPDATE_TYPE, {"id": type_id, "i": {"title": "Deep dive"}}, token=token)
        # The reader hears it through Redis shortly after the commit; until then it may still
        # answer from its cache (the staleness the bus's latency allows).
        titles = []
        for _ in range(200):
            titles.append((await reader.post(PUBLIC, {"id": type_id})).ok()["eventType"]["title"])
            if titles[-1] == "Deep dive":
                break
            await asyncio.sleep(0.05)
        assert titles[-1] == "Deep dive", titles
    finally:
        writer.stop()
        reader.stop()
