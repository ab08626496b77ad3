"""While the server runs, an erasure leaves nothing in the SQLite database file or in its
write-ahead log beside it: every erasure path checkpoints the log once it has committed."""

import uuid
from pathlib import Path

import pytest

from models.user import User
from tests.conftest import BACKEND, PASSWORD, SIGN_UP, mailed_code
from tests.resolvers.test_privacy_requests import CONFIRM, INVITEE, UPDATE
from tests.services.test_personal_data import read_elsewhere
from tests.subscriptions.test_live import BOOK, host_with_type, slot

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the embedded SQLite file")

DELETE_ACCOUNT = "mutation($p: String!) { deleteAccount(password: $p) }"
ERASE_CLIENT = "mutation($e: String!) { eraseClientData(email: $e) }"
DELETE_USER = "mutation($id: ID!, $r: String!) { deleteUser(id: $id, reason: $r) }"


async def admin_token(server) -> str:
    variables = {"input": {"email": "dpo@example.com", "password": PASSWORD, "name": "Dana"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    await User.filter(email="dpo@example.com").update(role="admin")
    return token


@pytest.mark.parametrize("path", ["deleteAccount", "eraseClientData", "invitee", "deleteUser"])
async def test_erased_markers_are_in_neither_the_database_file_nor_its_wal(server, settings, path):
    marker = f"wal{uuid.uuid4().hex[:10]}"
    name, email, notes = f"Carl {marker}", f"{marker}@example.com", f"notes {marker}"
    host, type_id = await host_with_type(server, "host@example.com")
    carl = None
    if path in ("deleteAccount", "deleteUser"):
        variables = {"input": {"email": email, "password": PASSWORD, "name": name}}
        signed_up = (await server.post(SIGN_UP, variables)).ok()["signUp"]
        carl, carl_id = signed_up["token"], signed_up["user"]["id"]
        await server.verify_email(email)
    booking = {"eventTypeId": type_id, "start": slot(), "name": name, "email": email,
               "notes": notes}  # fmt: skip
    (await server.post(BOOK, {"i": booking}, token=carl)).ok()

    if path == "deleteAccount":
        (await server.post(DELETE_ACCOUNT, {"p": PASSWORD}, token=carl)).ok()
    elif path == "eraseClientData":
        assert (await server.post(ERASE_CLIENT, {"e": email}, token=host)).ok() == {
            "eraseClientData": 1
        }
    elif path == "invitee":
        admin = await admin_token(server)
        (await server.post(INVITEE, {"e": email, "k": "ERASURE"})).ok()
        rid = (await server.post(CONFIRM, {"t": await mailed_code(email)})).ok()[
            "confirmPrivacyRequest"
        ]["id"]
        (await server.post(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
        (await server.post(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Erased"}, token=admin)).ok()
    else:
        admin = await admin_token(server)
        variables = {"id": carl_id, "r": "asked by e-mail"}
        assert (await server.post(DELETE_USER, variables, token=admin)).ok() == {"deleteUser": True}

    database = Path(settings.database_url.removeprefix("sqlite://"))
    raw = read_elsewhere(database)
    wal = read_elsewhere(Path(f"{database}-wal"))
    assert raw, "the database file was read"
    assert marker.encode() not in raw, "an erased value lingers in the database file"
    assert marker.encode() not in wal, "an erased value lingers in the -wal file"
