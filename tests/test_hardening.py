"""Abuse limits, browser safety and transport security, against the real server."""

import asyncio
import json
import logging
import sqlite3
import ssl

import httpx
import pytest
import websockets

from config import Settings
from services import accounts
from tests.certificates import self_signed
from tests.conftest import (
    PASSWORD,
    REDIS_URL,
    SIGN_UP,
    serve_in_process,
    server_env,
    start_server,
    wait_until,
)
from tests.graphql_ops import LOG_IN


async def post_raw(server, body: bytes | str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(
            server.graphql, content=body, headers={"Content-Type": "application/json", **headers}
        )


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


async def assert_healthy(server) -> None:
    assert (await server.get("/healthz")).status_code == 200


# Limits lowered so that valid queries of this schema reach them: its deepest valid query has
# depth 5 (root fields are depth 0), below the default limit of 12. A small page keeps them within
# the cost limit (bookings without `first` costs its default page of 20).
STRICT = {"MAX_QUERY_DEPTH": "4", "MAX_QUERY_COST": "50", "INTROSPECTION": "0"}
DEPTH_5 = "{ bookings(first: 5) { edges { node { eventType { host { name } } } } } }"
DEPTH_4 = "{ bookings(first: 5) { edges { node { eventType { title } } } } }"


@pytest.fixture(scope="module")
async def strict_app(database, settings):
    """GraphQL limits, not the transport: the app in this process serves them."""
    async with serve_in_process(Settings.from_env({**server_env(settings), **STRICT})) as app:
        yield app


@pytest.fixture
def strict_server(strict_app, clean_db):
    return strict_app


def messages(result) -> str:
    return " ".join(error["message"] for error in result.errors)


async def test_a_deep_query_is_refused(server, strict_server):
    too_deep = await strict_server.post(DEPTH_5)
    assert too_deep.codes == ["BAD_USER_INPUT"] and "depth" in messages(too_deep)
    # Within the limit, the same kind of query gets as far as asking who is calling.
    assert (await strict_server.post(DEPTH_4)).codes == ["UNAUTHENTICATED"]
    assert (await server.post(DEPTH_5)).codes == ["UNAUTHENTICATED"]  # default limit: 12
    await assert_healthy(strict_server)


async def test_an_expensive_query_is_refused(server, strict_server):
    # Each field costs 1 and a list multiplies what is under it by `first`: 1 + 30 * 4 = 121.
    expensive = "{ bookings(first: 30) { edges { node { id start } } } }"
    refused = await strict_server.post(expensive)
    assert refused.codes == ["BAD_USER_INPUT"]
    assert "cost 121 exceeds the limit of 50" in messages(refused)
    cheap = "{ bookings(first: 10) { edges { node { id start } } } }"  # 41
    assert (await strict_server.post(cheap)).codes == ["UNAUTHENTICATED"]
    assert (await server.post(expensive)).codes == ["UNAUTHENTICATED"]  # default limit: 5000
    await assert_healthy(strict_server)


async def test_introspection_and_field_suggestions_can_be_turned_off(server, strict_server):
    introspection = "{ __schema { queryType { name } } }"
    misspelt = "{ privacyInf { controller } }"
    assert (await server.post(introspection)).ok() == {"__schema": {"queryType": {"name": "Query"}}}
    assert "Did you mean" in messages(await server.post(misspelt))

    refused = await strict_server.post(introspection)
    assert set(refused.codes) == {"BAD_USER_INPUT"}
    assert "introspection" in messages(refused).lower()
    assert (await strict_server.post('{ __type(name: "User") { name } }')).codes == [
        "BAD_USER_INPUT"
    ]
    unknown = await strict_server.post(misspelt)
    assert unknown.codes == ["BAD_USER_INPUT"] and "Did you mean" not in messages(unknown)
    assert (await strict_server.post("{ __typename }")).ok() == {"__typename": "Query"}


async def test_an_alias_flood_is_refused(server):
    query = "{ " + " ".join(f"a{i}: privacyInfo {{ controller }}" for i in range(200)) + " }"
    result = await server.post(query)
    assert result.codes and set(result.codes) == {"BAD_USER_INPUT"}
    await assert_healthy(server)


async def test_a_one_megabyte_query_is_refused_before_parsing(server):
    response = await post_raw(server, json.dumps({"query": "{ me { id } }" + " " * 1_000_000}))
    assert response.status_code == 413 and codes(response) == ["BAD_USER_INPUT"]
    await assert_healthy(server)


async def test_a_batch_of_100_operations_is_refused(server):
    batch = json.dumps([{"query": "{ privacyInfo { controller } }"}] * 100)
    response = await post_raw(server, batch)
    assert response.status_code == 400 and codes(response) == ["BAD_USER_INPUT"]
    await assert_healthy(server)


async def test_huge_pages_are_refused(server, sign_up_live):
    token = await sign_up_live(server, "pages@example.com")
    result = await server.post("{ bookings(first: 100000) { totalCount } }", token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    result = await server.post("{ bookings(first: 101) { totalCount } }", token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert (await server.post("{ bookings(first: 100) { totalCount } }", token=token)).ok()
    await assert_healthy(server)


async def test_mutations_are_refused_over_get(server):
    async with httpx.AsyncClient() as client:
        response = await client.get(server.graphql, params={"query": "mutation { logOut }"})
    assert response.status_code in (400, 405) and codes(response) == ["BAD_USER_INPUT"]


async def test_security_headers_on_every_response(server):
    async with httpx.AsyncClient() as client:
        for response in (
            await client.get(f"{server.url}/healthz"),
            await client.post(server.graphql, json={"query": "{ me { id } }"}),
            await client.get(f"{server.url}/ical/nope.ics"),
        ):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert "strict-transport-security" not in response.headers  # plain http


async def test_cors_and_websocket_origins_follow_allowed_origins(settings, tmp_path):
    env = {"ALLOWED_ORIGINS": "https://app.example.com"}
    own = start_server(settings, tmp_path, env=env)
    try:
        async with httpx.AsyncClient() as client:
            good = await client.options(
                own.graphql,
                headers={"Origin": "https://app.example.com",
                         "Access-Control-Request-Method": "POST"},
            )  # fmt: skip
            bad = await client.options(
                own.graphql,
                headers={"Origin": "https://evil.example.com",
                         "Access-Control-Request-Method": "POST"},
            )  # fmt: skip
        assert good.headers.get("access-control-allow-origin") == "https://app.example.com"
        assert "access-control-allow-origin" not in bad.headers
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(
                own.ws, subprotocols=["graphql-transport-ws"], origin="https://evil.example.com"
            ):
                pass
        assert refused.value.response.status_code == 403
        async with websockets.connect(
            own.ws, subprotocols=["graphql-transport-ws"], origin="https://app.example.com"
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
    finally:
        own.stop()


@pytest.fixture
def sign_up_live():
    async def create(server, email: str) -> str:
        variables = {"input": {"email": email, "password": PASSWORD, "name": "Someone"}}
        return (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]

    return create


def limited_to(settings: Settings, per_minute: int) -> Settings:
    """The app's own rate limits (per client address), not the transport: served in process."""
    return Settings.from_env({**server_env(settings), "RATE_LIMIT_PER_MINUTE": str(per_minute)})


async def _brute_force(servers, email: str) -> list[list[str]]:
    results = []
    for attempt in range(11):
        server = servers[attempt % len(servers)]
        result = await server.post(LOG_IN, {"e": email, "p": "wrong password!"})
        results.append(result.codes)
    return results


async def test_the_eleventh_wrong_password_in_a_minute_is_rate_limited(
    settings, tmp_path, sign_up_live, clean_db
):
    async with serve_in_process(limited_to(settings, 60)) as own:
        email = f"brute-{tmp_path.name[-8:]}@example.com".lower()
        await sign_up_live(own, email)
        results = await _brute_force([own], email)
        assert results[:10] == [["UNAUTHENTICATED"]] * 10
        assert results[10] == ["RATE_LIMITED"]
        limited = await own.post(LOG_IN, {"e": email, "p": PASSWORD})
        assert limited.codes == ["RATE_LIMITED"]
        assert limited.errors[0]["extensions"]["retryAfter"] >= 1
        # Another account from the same address is not locked out by this one.
        other = f"other-{tmp_path.name[-8:]}@example.com".lower()
        await sign_up_live(own, other)
        assert (await own.post(LOG_IN, {"e": other, "p": PASSWORD})).ok()


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (CI's second pass)")
async def test_the_login_limit_holds_across_two_workers_with_redis(
    settings, tmp_path, sign_up_live, clean_db
):
    env = {"RATE_LIMIT_PER_MINUTE": "60"}
    workers = [start_server(settings, tmp_path, env=env) for _ in range(2)]
    try:
        email = f"spread-{tmp_path.name[-8:]}@example.com".lower()
        await sign_up_live(workers[0], email)
        results = await _brute_force(workers, email)
        assert results[:10] == [["UNAUTHENTICATED"]] * 10
        assert results[10] == ["RATE_LIMITED"]
    finally:
        for worker in workers:
            worker.stop()


async def test_anonymous_mutations_are_rate_limited_per_address(settings, tmp_path, clean_db):
    async with serve_in_process(limited_to(settings, 3)) as own:
        mutation = 'mutation { submitInviteePrivacyRequest(email: "x@example.com", kind: ACCESS) }'
        results = [(await own.post(mutation)).codes for _ in range(4)]
    assert results[:3] == [[], [], []]
    assert results[3] == ["RATE_LIMITED"]


async def test_an_internal_error_is_masked_and_logged_with_the_request_id(
    gql, sign_up, monkeypatch, caplog
):
    token, _ = await sign_up()

    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals: db password hunter2")

    monkeypatch.setattr(accounts, "update_profile", broken)
    with caplog.at_level(logging.ERROR, logger="booknmeet.errors"):
        result = await gql('mutation { updateProfile(input: {name: "X"}) { name } }', token=token)
    (error,) = result.errors
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["message"] == "Internal error."
    assert "hunter2" not in json.dumps(result.errors) and "Traceback" not in json.dumps(
        result.errors
    )
    request_id = error["extensions"]["requestId"]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert request_id in logged and "RuntimeError" in caplog.text


async def test_a_failure_inside_the_server_is_internal_for_the_client_and_logged_with_its_id(
    settings, tmp_path, sign_up_live
):
    """A real fault: the server's own SQLite database loses a table under it."""
    database = tmp_path / "broken.sqlite3"
    own = start_server(settings, tmp_path, env={"DATABASE_URL": f"sqlite://{database}"})
    try:
        token = await sign_up_live(own, "broken@example.com")
        with sqlite3.connect(database) as connection:
            connection.execute("DROP TABLE notifications")
        result = await own.post("{ notifications { totalCount } }", token=token)
        await wait_until(lambda: any(e["level"] == "ERROR" for e in own.log_entries()))
        entries = own.log_entries()
    finally:
        own.stop()
    (error,) = result.errors
    assert (error["message"], error["extensions"]["code"]) == ("Internal error.", "INTERNAL")
    assert "no such table" not in json.dumps(result.errors)
    assert "Traceback" not in json.dumps(result.errors)
    (logged,) = [e for e in entries if e["level"] == "ERROR"]
    assert logged["requestId"] == error["extensions"]["requestId"]
    assert "no such table: notifications" in logged["exception"]


async def test_the_server_speaks_https_and_wss_itself(settings, tmp_path):
    cert, key = self_signed(tmp_path)
    own = start_server(
        settings, tmp_path, env={"SSL_CERTFILE": str(cert), "SSL_KEYFILE": str(key)}, tls=True
    )
    try:
        context = ssl.create_default_context(cafile=str(cert))
        async with httpx.AsyncClient(verify=context) as client:
            response = await client.get(f"{own.url}/healthz")
        assert response.status_code == 200 and own.url.startswith("https://")
        assert "max-age" in response.headers["strict-transport-security"]
        async with websockets.connect(
            own.ws, subprotocols=["graphql-transport-ws"], ssl=context
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    finally:
        own.stop()
