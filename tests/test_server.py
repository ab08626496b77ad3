"""The real server: uvicorn in a child process, spoken to over HTTP and WebSocket."""

import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import BACKEND, PASSWORD, SIGN_UP, start_server

ME = "{ me { email } }"


async def test_healthz_answers_ok(server):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{server.url}/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_browser_get_shows_graphiql(server):
    async with httpx.AsyncClient() as client:
        response = await client.get(server.graphql, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_query_over_get(server):
    async with httpx.AsyncClient() as client:
        response = await client.get(server.graphql, params={"query": "{ me { email } }"})
    assert response.json() == {"data": {"me": None}}


async def test_account_lifecycle_over_http(server):
    variables = {"input": {"email": "Live@Example.com", "password": PASSWORD, "name": "Live"}}
    signed_up = (await server.post(SIGN_UP, variables)).ok()["signUp"]
    assert (await server.post(ME, token=signed_up["token"])).ok()["me"]["email"] == (
        "live@example.com"
    )
    login = """mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"""
    token = (await server.post(login, {"e": "live@example.com", "p": PASSWORD})).ok()["logIn"][
        "token"
    ]
    assert (await server.post(ME, token=token)).ok()["me"]["email"] == "live@example.com"
    assert (await server.post("mutation { logOut }", token=token)).ok() == {"logOut": True}
    assert (await server.post(ME, token=token)).ok()["me"] is None
    # The first session is still alive: log-out ends one session only.
    assert (await server.post(ME, token=signed_up["token"])).ok()["me"] is not None


async def _connection_init(server, payload: dict) -> tuple[dict | None, int | None]:
    async with websockets.connect(server.ws, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            message = json.loads(await ws.recv())
        except websockets.ConnectionClosed as closed:
            return None, closed.rcvd.code if closed.rcvd else None
        return message, None


async def test_websocket_accepts_a_valid_token_and_refuses_a_bad_one(server):
    variables = {"input": {"email": "ws@example.com", "password": PASSWORD, "name": "Ws"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]

    accepted, _ = await _connection_init(server, {"authorization": f"Bearer {token}"})
    assert accepted == {"type": "connection_ack"}

    refused, code = await _connection_init(server, {"authorization": "Bearer bnm_forged"})
    assert refused is None and code == 4403

    await server.post("mutation { logOut }", token=token)
    revoked, code = await _connection_init(server, {"authorization": f"Bearer {token}"})
    assert revoked is None and code == 4403


async def test_legacy_graphql_ws_refuses_a_bad_token(server):
    async with websockets.connect(server.ws, subprotocols=["graphql-ws"]) as ws:
        payload = {"authorization": "Bearer bnm_forged"}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        message = json.loads(await ws.recv())
    assert message["type"] == "connection_error"
    assert message["payload"]["code"] == "UNAUTHENTICATED"


async def test_websocket_runs_queries_as_the_signed_in_user(server):
    protocol = "graphql-transport-ws"
    variables = {"input": {"email": "ws2@example.com", "password": PASSWORD, "name": "Ws Two"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    async with websockets.connect(server.ws, subprotocols=[protocol]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ME}}))
        message = json.loads(await ws.recv())
        assert message["payload"].get("data") == {"me": {"email": "ws2@example.com"}}, message


@pytest.mark.skipif(BACKEND != "sqlite", reason="the embedded SQLite file")
async def test_erased_account_leaves_no_trace_in_the_sqlite_file_after_a_clean_shutdown(
    settings, tmp_path
):
    path = tmp_path / "own.sqlite3"
    own = start_server(replace(settings, database_url=f"sqlite://{path}"), tmp_path)
    try:
        email = "erase-me-q7z2@example.com"
        variables = {"input": {"email": email, "password": PASSWORD, "name": "Erase Q7z2"}}
        token = (await own.post(SIGN_UP, variables)).ok()["signUp"]["token"]
        erase = "mutation($p: String!) { deleteAccount(password: $p) }"
        assert (await own.post(erase, {"p": PASSWORD}, token=token)).ok() == {"deleteAccount": True}
    finally:
        own.stop()
    assert "Application shutdown complete" in own.log()  # uvicorn re-raises SIGTERM after it
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    raw = path.read_bytes()
    assert b"q7z2" not in raw.lower()
