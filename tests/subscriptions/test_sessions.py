"""A WebSocket ends with its session: once its token is revoked (logOut, revokeSession, a password
change or reset), its account suspended or erased, or the token expires, the socket closes with
4401 within a few seconds, on every worker, and nothing more runs on it. Real servers, real
websockets clients, both protocols."""

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import websockets

from models.privacy import MailMessage
from models.user import AuthToken, User
from services.clock import utcnow
from services.tokens import token_hash
from tests.conftest import PASSWORD, LiveServer, start_server
from tests.subscriptions.test_cross_process import needs_redis
from tests.subscriptions.test_live import EVENTS, Client, account

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
ME = "{ me { id } }"
RENAME = 'mutation { updateProfile(input: {name: "Renamed"}) { name } }'
QUIET = {
    "OUTBOX_POLL_SECONDS": "3600",
    "REMINDER_POLL_SECONDS": "3600",
    "CALENDAR_TICK_SECONDS": "3600",
    "RETENTION_PURGE_SECONDS": "3600",
}
# The servers here never re-check on their own within a test: what closes a socket is the
# message on the event bus, or the check before an operation.
BUS_ONLY = {**QUIET, "SESSION_CHECK_SECONDS": "3600"}


@pytest.fixture(scope="module")
def bus_only_server(database, settings, tmp_path_factory) -> Iterator[LiveServer]:
    server = start_server(settings, tmp_path_factory.mktemp("sessions"), env=BUS_ONLY)
    yield server
    server.stop()


@pytest.fixture
def server(bus_only_server: LiveServer, clean_db: None) -> LiveServer:
    return bus_only_server


async def ask(client: Client, query: str, id: str) -> dict:
    """Runs a query or mutation over a graphql-transport-ws socket: its data."""
    await client.subscribe(query, id=id)
    return await client.next_data()


async def round_trip(client: Client) -> None:
    """An operation answered: the socket is signed in and served. (The legacy protocol runs
    subscriptions only; it answers a query with an error.)"""
    if client.protocol == "graphql-transport-ws":
        assert (await ask(client, ME, "me"))["me"]
        return
    await client.subscribe(ME, id="me")
    answer = await client.receive(10)
    assert answer["type"] == "error" and "not allowed" in answer["payload"]["message"], answer


async def user_id_of(server: LiveServer, token: str) -> str:
    return (await server.post(ME, token=token)).ok()["me"]["id"]


async def closed(client: Client, seconds: float = 5.0) -> tuple[int | None, list[dict]]:
    """Waits for the server to close the socket: the close code and the messages before it
    (keep-alives left out). Fails with TimeoutError if it stays open."""
    received = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                message = json.loads(await client.ws.recv())
                if message["type"] not in ("ka", "ping", "pong"):
                    received.append(message)
    except websockets.ConnectionClosed as closing:
        return (closing.rcvd.code if closing.rcvd else None), received


def data_messages(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] in ("next", "data")]


async def admin(server: LiveServer) -> str:
    token = await account(server, "staff@example.com")
    await User.filter(email="staff@example.com").update(role="admin")
    return token


async def session_id(token: str) -> str:
    return str((await AuthToken.get(token_hash=token_hash(token))).id)


async def log_out(server: LiveServer, token: str, user_id: str) -> None:
    assert (await server.post("mutation { logOut }", token=token)).ok() == {"logOut": True}


async def revoke_session(server: LiveServer, token: str, user_id: str) -> None:
    other = await server.post(
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }",
        {"e": "host@example.com", "p": PASSWORD},
    )
    revoke = "mutation($id: ID!) { revokeSession(id: $id) }"
    answer = await server.post(
        revoke, {"id": await session_id(token)}, other.ok()["logIn"]["token"]
    )
    assert answer.ok() == {"revokeSession": True}


async def suspend(server: LiveServer, token: str, user_id: str) -> None:
    staff = await admin(server)
    suspend = 'mutation($id: ID!) { suspendUser(id: $id, reason: "spam") { id } }'
    assert (await server.post(suspend, {"id": user_id}, staff)).ok()


async def delete_account(server: LiveServer, token: str, user_id: str) -> None:
    erase = "mutation($p: String!) { deleteAccount(password: $p) }"
    assert (await server.post(erase, {"p": PASSWORD}, token)).ok() == {"deleteAccount": True}


async def delete_user(server: LiveServer, token: str, user_id: str) -> None:
    staff = await admin(server)
    erase = 'mutation($id: ID!) { deleteUser(id: $id, reason: "asked") }'
    assert (await server.post(erase, {"id": user_id}, staff)).ok() == {"deleteUser": True}


async def change_password(server: LiveServer, token: str, user_id: str) -> None:
    other = await server.post(
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }",
        {"e": "host@example.com", "p": PASSWORD},
    )
    change = """mutation($c: String!, $p: String!) {
      changePassword(currentPassword: $c, newPassword: $p) }"""
    variables = {"c": PASSWORD, "p": "a brand new passphrase"}
    answer = await server.post(change, variables, other.ok()["logIn"]["token"])
    assert answer.ok() == {"changePassword": True}


async def reset_password(server: LiveServer, token: str, user_id: str) -> None:
    ask = "mutation($e: String!) { requestPasswordReset(email: $e) }"
    assert (await server.post(ask, {"e": "host@example.com"})).ok()
    mailed = await MailMessage.filter(kind="PASSWORD_RESET").order_by("-id").first()
    assert mailed is not None
    link_token = re.search(r"token=([\w-]+)", mailed.body)
    assert link_token is not None, mailed.body
    reset = (
        "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { token } }"
    )
    answer = await server.post(reset, {"t": link_token.group(1), "p": "a brand new passphrase"})
    assert answer.ok()["resetPassword"]["token"]


ENDINGS = [
    log_out,
    revoke_session,
    suspend,
    delete_account,
    delete_user,
    change_password,
    reset_password,
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("ending", ENDINGS, ids=lambda ending: ending.__name__)
async def test_a_socket_closes_with_4401_when_its_session_ends(server, protocol, ending):
    token = await account(server, "host@example.com")
    bystander_token = await account(server, "other@example.com")
    client = await Client.connect(server.ws, protocol, token)
    bystander = await Client.connect(server.ws, protocol, bystander_token)
    try:
        user_id = await user_id_of(server, token)
        await round_trip(client)
        await client.subscribe(EVENTS, id="events")
        await ending(server, token, user_id)
        code, after = await closed(client)
        await round_trip(bystander)  # other people's sockets stay, and are served
    finally:
        await client.close()
        await bystander.close()
    assert code == 4401
    assert data_messages(after) == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_no_operation_runs_on_a_socket_whose_token_died_unannounced(server, protocol):
    """No bus message (revoked by hand, or expired): the check before each operation closes the
    socket and runs nothing."""
    token = await account(server, "host@example.com")
    client = await Client.connect(server.ws, protocol, token)
    try:
        await round_trip(client)
        await AuthToken.filter(token_hash=token_hash(token)).update(revoked_at=utcnow())
        await client.subscribe(RENAME if protocol == "graphql-transport-ws" else EVENTS, id="2")
        code, after = await closed(client)
    finally:
        await client.close()
    assert code == 4401 and data_messages(after) == []
    assert await User.filter(email="host@example.com").values_list("name", flat=True) == ["host"]


@pytest.mark.parametrize(("created", "used"), [(91, 0.01), (40, 31)])
async def test_an_open_socket_closes_when_its_token_expires(
    settings, tmp_path, clean_db, created, used
):
    server = start_server(settings, tmp_path, env={**QUIET, "SESSION_CHECK_SECONDS": "0.2"})
    try:
        token = await account(server, "host@example.com")
        live = await Client.connect(server.ws, "graphql-transport-ws", token)
        client = await Client.connect(server.ws, "graphql-ws", token)
        await round_trip(client)
        now = utcnow()
        await AuthToken.filter(token_hash=token_hash(token)).update(
            created_at=now - timedelta(days=created), last_used_at=now - timedelta(days=used)
        )
        codes = [(await closed(c))[0] for c in (live, client)]
    finally:
        server.stop()
    assert codes == [4401, 4401]


@pytest.mark.parametrize("ending", [log_out, suspend], ids=lambda ending: ending.__name__)
@needs_redis
async def test_a_session_ended_on_one_worker_closes_its_sockets_on_every_worker(
    server, settings, tmp_path, ending
):
    other = start_server(settings, tmp_path, env=BUS_ONLY)
    try:
        token = await account(server, "host@example.com")
        here = await Client.connect(server.ws, "graphql-transport-ws", token)
        there = await Client.connect(other.ws, "graphql-ws", token)
        try:
            user_id = await user_id_of(server, token)
            await round_trip(here)
            await round_trip(there)
            await here.subscribe(EVENTS, id="events")
            await ending(other, token, user_id)
            results = [await closed(client) for client in (here, there)]
        finally:
            await here.close()
            await there.close()
    finally:
        other.stop()
    assert [code for code, _ in results] == [4401, 4401]
    assert [data_messages(after) for _, after in results] == [[], []]
