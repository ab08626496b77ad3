"""Automatic Persisted Queries (Apollo's protocol, web/persisted_queries.py): a hash instead of the
document, over POST and GET; the document is checked against its hash, the store is bounded, and
a persisted document meets every limit a sent one does."""

import hashlib
import json
from typing import Any

import httpx
import pytest

from tests.conftest import AppServer
from web.persisted_queries import PersistedQueries, PersistedQueryError

ME = "query Me { me { id } }"
PUBLIC = "query($id: ID!) { eventType(id: $id) { title } }"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


async def post(http: AppServer, body: dict[str, Any]) -> httpx.Response:
    async with http.client() as client:
        return await client.post(http.graphql, json=body)


async def get(http: AppServer, **params: Any) -> httpx.Response:
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.client() as client:
        return await client.get(http.graphql, params=encoded)


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


async def test_an_unknown_hash_alone_is_persisted_query_not_found_over_post_and_get(http):
    for response in (
        await post(http, {"extensions": persisted(ME)}),
        await get(http, extensions=persisted(ME)),
    ):
        assert response.status_code == 200  # clients then send the document with its hash
        assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"


async def test_the_document_sent_with_its_hash_is_run_and_then_the_hash_alone_runs_it(http):
    first = await post(http, {"query": ME, "extensions": persisted(ME)})
    assert first.json() == {"data": {"me": None}}
    by_post = await post(http, {"extensions": persisted(ME), "operationName": "Me"})
    by_get = await get(http, extensions=persisted(ME))
    assert by_post.json() == by_get.json() == {"data": {"me": None}}


async def test_variables_go_with_the_hash(http):
    await post(http, {"query": PUBLIC, "extensions": persisted(PUBLIC), "variables": {"id": "1"}})
    answer = await get(http, extensions=persisted(PUBLIC), variables={"id": "999999"})
    assert answer.json() == {"data": {"eventType": None}}


async def test_a_hash_that_does_not_match_the_document_is_refused_and_nothing_is_stored(http):
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha("{ __typename }")}}
    refused = await post(http, {"query": ME, "extensions": wrong})
    assert refused.status_code == 400 and codes(refused) == ["BAD_USER_INPUT"]
    assert codes(await post(http, {"extensions": wrong})) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": sha(ME)},
        {"version": 1, "sha256Hash": "not-a-hash"},
        {"version": 1},
        "yes",
    ],
)
async def test_malformed_persisted_query_extensions_are_bad_user_input(http, extension):
    response = await post(http, {"query": ME, "extensions": {"persistedQuery": extension}})
    assert response.status_code == 400 and codes(response) == ["BAD_USER_INPUT"]


async def test_a_persisted_mutation_is_still_refused_over_get(http):
    mutation = "mutation { logOut }"
    await post(http, {"query": mutation, "extensions": persisted(mutation)})
    refused = await get(http, extensions=persisted(mutation))
    assert refused.status_code == 400 and codes(refused) == ["BAD_USER_INPUT"]
    assert "GET" in refused.json()["errors"][0]["message"]


def nested(depth: int) -> str:
    return "{ " + "a { " * depth + "x" + " }" * depth + " }"


@pytest.mark.parametrize(
    "document",
    [
        nested(20),  # deeper than MAX_QUERY_DEPTH (12)
        "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",  # MAX_ALIASES (30)
        "{ " + " ".join(f"a{i}: __typename" for i in range(1500)) + " }",  # MAX_TOKENS (2000)
    ],
    ids=["depth", "aliases", "tokens"],
)
async def test_limits_apply_to_persisted_documents_as_to_sent_ones(http, document):
    sent = await post(http, {"query": document})
    assert codes(sent) == ["BAD_USER_INPUT"]
    stored = await post(http, {"query": document, "extensions": persisted(document)})
    by_hash = await get(http, extensions=persisted(document))
    assert stored.json() == by_hash.json() == sent.json()


# --- the store ----------------------------------------------------------------------------------


def test_the_store_is_bounded_by_count_least_recently_used_first():
    store = PersistedQueries(max_documents=2, max_bytes=10_000)
    a, b, c = "{ a }", "{ b }", "{ c }"
    for query in (a, b):
        store.resolve(query, persisted(query))
    assert store.resolve(None, persisted(a)) == a  # now b is the least recently used
    store.resolve(c, persisted(c))
    assert len(store) == 2
    with pytest.raises(PersistedQueryError) as missing:
        store.resolve(None, persisted(b))
    assert missing.value.code == "PERSISTED_QUERY_NOT_FOUND"
    assert store.resolve(None, persisted(a)) == a and store.resolve(None, persisted(c)) == c


def test_the_store_is_bounded_by_bytes_and_keeps_nothing_larger_than_it():
    store = PersistedQueries(max_documents=1000, max_bytes=100)
    queries = [f"{{ f{i}: __typename {' ' * 30} }}" for i in range(10)]
    for query in queries:
        store.resolve(query, persisted(query))
        assert store.size_bytes <= 100
    assert 0 < len(store) < 10
    huge = "{ __typename " + " " * 200 + "}"
    assert store.resolve(huge, persisted(huge)) == huge  # run, but not kept
    with pytest.raises(PersistedQueryError):
        store.resolve(None, persisted(huge))


def test_a_flood_of_new_documents_never_grows_the_store_beyond_its_bounds():
    store = PersistedQueries(max_documents=50, max_bytes=2_000)
    for i in range(5_000):
        query = f"{{ x{i}: __typename }}"
        store.resolve(query, persisted(query))
    assert len(store) <= 50 and store.size_bytes <= 2_000
