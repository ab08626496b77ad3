"""HTTP caching of public answers: GET queries the public cache may keep (web/public_cache.py)
carry Cache-Control, Vary and an ETag, and If-None-Match is answered 304; no other answer (signed
in, POSTed, not public, with errors) carries Cache-Control. Through the whole app (middleware
included), over the test database."""

import hashlib
import json
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from graphql_app import GraphQLApp
from tests.conftest import PASSWORD, SIGN_UP, AppServer, wait_until
from tests.graphql_ops import CREATE_TYPE

PUBLIC = "query Pub($id: ID!) { eventType(id: $id) { title host { name } } }"
UPDATE_TYPE = """mutation($id: ID!, $i: EventTypeUpdateInput!) {
  updateEventType(id: $id, input: $i) { id } }"""


def graphql_app(http: AppServer) -> GraphQLApp:
    (route,) = [r for r in http.app.routes if isinstance(r, Route) and r.path == "/graphql"]
    return route.endpoint  # type: ignore[return-value]


@pytest.fixture
async def site(http: AppServer) -> dict[str, Any]:
    """A host with one event type; the public cache listening."""
    app = graphql_app(http)
    assert app.public_cache is not None
    await wait_until(lambda: app.public_cache.listening)
    app.public_cache.invalidate()  # the tables were emptied behind its back
    variables = {"input": {"email": "host@example.com", "password": PASSWORD, "name": "Hanna"}}
    token = (await http.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    created = await http.post(
        CREATE_TYPE, {"i": {"title": "Intro", "slug": "intro", "durationMinutes": 30}}, token
    )
    return {"token": token, "id": created.ok()["createEventType"]["id"]}


async def get(
    http: AppServer, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    params = {"query": query, **({"variables": json.dumps(variables)} if variables else {})}
    async with http.client() as client:
        return await client.get(http.graphql, params=params, headers=headers)


async def test_a_public_get_query_carries_cache_control_vary_and_an_etag(http, site):
    response = await get(http, PUBLIC, {"id": site["id"]})
    assert response.json() == {"data": {"eventType": {"title": "Intro", "host": {"name": "Hanna"}}}}
    assert response.headers["cache-control"] == "public, max-age=10"  # PUBLIC_CACHE_TTL_SECONDS
    assert response.headers["vary"] == "Authorization"
    assert response.headers["etag"].startswith('"') and len(response.headers["etag"]) > 10
    again = await get(http, PUBLIC, {"id": site["id"]})  # from the public cache now
    assert again.content == response.content and again.headers["etag"] == response.headers["etag"]
    assert again.headers["x-frame-options"] == "DENY"  # the security headers still


async def test_if_none_match_with_the_current_etag_is_304_without_a_body(http, site):
    first = await get(http, PUBLIC, {"id": site["id"]})
    etag = first.headers["etag"]
    for given in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        cached = await get(http, PUBLIC, {"id": site["id"]}, **{"If-None-Match": given})
        assert cached.status_code == 304 and cached.content == b""
        assert cached.headers["etag"] == etag and "public" in cached.headers["cache-control"]
    stale = await get(http, PUBLIC, {"id": site["id"]}, **{"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content


async def test_a_change_gives_a_new_etag(http, site):
    before = await get(http, PUBLIC, {"id": site["id"]})
    changed = await http.post(UPDATE_TYPE, {"id": site["id"], "i": {"title": "New"}}, site["token"])
    changed.ok()
    after = await get(http, PUBLIC, {"id": site["id"]}, **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["data"]["eventType"]["title"] == "New"
    assert after.headers["etag"] != before.headers["etag"]


async def test_a_persisted_query_by_hash_over_get_is_cacheable_by_url(http, site):
    digest = hashlib.sha256(PUBLIC.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with http.client() as client:
        await client.post(
            http.graphql,
            json={"query": PUBLIC, "variables": {"id": site["id"]}, "extensions": extensions},
        )
        params = {"extensions": json.dumps(extensions), "variables": json.dumps({"id": site["id"]})}
        by_hash = await client.get(http.graphql, params=params)
        assert by_hash.json()["data"]["eventType"]["title"] == "Intro"
        assert "public" in by_hash.headers["cache-control"]
        etag = by_hash.headers["etag"]
        again = await client.get(http.graphql, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304


async def test_signed_in_answers_never_carry_cache_control_or_an_etag(http, site):
    auth = {"Authorization": f"Bearer {site['token']}"}
    for _ in range(2):  # also once the anonymous answer is in the public cache
        signed_in = await get(http, PUBLIC, {"id": site["id"]}, **auth)
        assert signed_in.status_code == 200 and "errors" not in signed_in.json()
        assert "cache-control" not in signed_in.headers and "etag" not in signed_in.headers
        await get(http, PUBLIC, {"id": site["id"]})
    with_etag = await get(http, PUBLIC, {"id": site["id"]}, **auth, **{"If-None-Match": "*"})
    assert with_etag.status_code == 200


async def test_posted_private_or_failed_answers_never_carry_cache_control(http, site):
    async with http.client() as client:
        posted = await client.post(
            http.graphql, json={"query": PUBLIC, "variables": {"id": site["id"]}}
        )
    assert posted.status_code == 200 and "cache-control" not in posted.headers
    private = await get(http, "{ me { id } }")
    assert private.json() == {"data": {"me": None}} and "cache-control" not in private.headers
    failed = await get(http, PUBLIC, {"id": "not-an-id"})
    assert failed.json()["errors"] and "cache-control" not in failed.headers
    assert "etag" not in failed.headers
    invalid = await get(http, "{ eventType(id: 1) { nope } }")
    assert "errors" in invalid.json() and "cache-control" not in invalid.headers
