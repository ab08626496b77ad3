"""/metrics (issue #14, point 3): loopback clients only unless METRICS_TOKEN is set, then its
bearer only; client-chosen label values (operation names, HTTP methods) are bounded."""

import re

import httpx
import pytest

from observability import MAX_OPERATION_NAMES
from server import create_app
from tests.conftest import start_server

OPERATIONS = re.compile(r'^bnm_graphql_operations_total\{operation="([^"]*)"', re.M)


async def _get_metrics(settings, client: tuple[str, int], **headers: str) -> httpx.Response:
    """/metrics of the app as a client at `client` sees it (the peer address uvicorn reports)."""
    transport = httpx.ASGITransport(app=create_app(settings), client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://booknmeet") as http:
        return await http.get("/metrics", headers=headers)


@pytest.mark.parametrize("address", ["203.0.113.7", "10.0.0.2", "2001:db8::1"])
async def test_metrics_are_refused_to_other_than_loopback_clients(settings, address):
    refused = await _get_metrics(settings, (address, 40000))
    assert refused.status_code == 403 and "bnm_" not in refused.text
    for loopback in ("127.0.0.1", "::1"):
        assert (await _get_metrics(settings, (loopback, 40000))).status_code == 200


async def test_with_metrics_token_only_its_bearer_reads_metrics(settings, tmp_path, clean_db):
    own = start_server(settings, tmp_path, env={"METRICS_TOKEN": "s3cret-metrics"})
    try:
        async with httpx.AsyncClient() as client:
            url = f"{own.url}/metrics"
            anonymous = await client.get(url)  # from loopback, but no token
            wrong = await client.get(url, headers={"Authorization": "Bearer nope"})
            right = await client.get(url, headers={"Authorization": "Bearer s3cret-metrics"})
    finally:
        own.stop()
    assert anonymous.status_code == 401 and wrong.status_code == 401
    assert "bnm_" not in anonymous.text + wrong.text
    assert right.status_code == 200 and "bnm_graphql_operations_total" in right.text
    # From elsewhere, the token is what counts.
    remote = await _get_metrics(
        settings.__class__(**{**_fields(settings), "metrics_token": "t"}),
        ("203.0.113.7", 40000),
        Authorization="Bearer t",
    )
    assert remote.status_code == 200


def _fields(settings) -> dict:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


async def test_client_chosen_operation_names_and_methods_are_bounded(settings, tmp_path, clean_db):
    own = start_server(settings, tmp_path)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for number in range(MAX_OPERATION_NAMES + 50):
                query = {"query": "query Q%d { __typename }" % number}  # noqa: UP031
                assert (await client.post(own.graphql, json=query)).status_code == 200
            for method in ("PROPFIND", "MKCOL", "LOCK", "PURGE"):  # methods httptools knows
                await client.request(method, f"{own.url}/healthz")
            text = (await client.get(f"{own.url}/metrics")).text
    finally:
        own.stop()
    names = OPERATIONS.findall(text)
    assert len(names) <= MAX_OPERATION_NAMES + 2  # and "other", "anonymous"
    assert 'bnm_graphql_operations_total{operation="other",type="query"} 50.0' in text
    assert 'method="PROPFIND"' not in text and 'method="other",status="405"} 4.0' in text
