"""JSON logs without secrets, and Prometheus metrics, from the real server."""

import asyncio
import json

import httpx

from tests.conftest import PASSWORD, SIGN_UP
from tests.subscriptions.test_live import Client


async def test_metrics_count_operations_errors_and_live_subscriptions(server):
    await server.post("query Who { me { id } }")
    await server.post("{ nope }")
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{server.url}/metrics")).text
    assert 'bnm_graphql_operations_total{operation="Who",type="query"}' in text
    assert 'bnm_graphql_errors_total{code="BAD_USER_INPUT"}' in text
    assert "bnm_graphql_operation_seconds_bucket" in text
    assert "bnm_live_subscriptions" in text and "bnm_event_bus_lag_seconds" in text


async def test_logs_are_json_with_request_ids_and_no_secrets(server):
    variables = {"input": {"email": "logs@example.com", "password": PASSWORD, "name": "Logs"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    async with httpx.AsyncClient() as client:
        await client.get(f"{server.url}/ical/{token}.ics")
        await client.get(f"{server.url}/export/{token}")
    lines = [line for line in server.log().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert any(e["logger"] == "booknmeet.access" for e in entries)
    assert all({"time", "level", "message", "requestId", "userId"} <= set(e) for e in entries)
    log = server.log()
    assert token not in log and PASSWORD not in log
    assert "/ical/[redacted]" in log and "/export/[redacted]" in log


async def _live(server, name: str) -> float:
    return await server.metric(f'bnm_live_subscriptions{{subscription="{name}"}}')


async def test_subscriptions_are_released_when_clients_disconnect(server):
    variables = {"input": {"email": "leak@example.com", "password": PASSWORD, "name": "Leak"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    before = await _live(server, "bookingEvents")
    clients = [await Client.connect(server.ws, "graphql-transport-ws", token) for _ in range(5)]
    for client in clients:
        await client.subscribe("subscription { bookingEvents { kind } }")
    for _ in range(50):
        if await _live(server, "bookingEvents") == before + 5:
            break
        await asyncio.sleep(0.1)
    assert await _live(server, "bookingEvents") == before + 5
    for client in clients:
        await client.close()
    for _ in range(50):
        if await _live(server, "bookingEvents") == before:
            break
        await asyncio.sleep(0.1)
    assert await _live(server, "bookingEvents") == before
