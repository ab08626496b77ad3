"""Sessions over the schema: tokens expire when idle or old, `sessions` lists the live ones and
`revokeSession` ends one of the caller's own (../shared/API.md, accounts)."""

from datetime import timedelta

import pytest

from config import ConfigError, Settings
from models.user import AuthToken
from services.clock import utcnow
from services.tokens import token_hash
from tests.conftest import PASSWORD, start_server

ME = "{ me { id } }"
MY_DATA = "{ myData }"
SESSIONS = "{ sessions { id createdAt lastUsedAt current } }"
REVOKE = "mutation($id: ID!) { revokeSession(id: $id) }"
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"


async def age(token: str, *, created: float, used: float | None) -> None:
    """Makes the token `created` days old, last used `used` days ago (None: never)."""
    now = utcnow()
    await AuthToken.filter(token_hash=token_hash(token)).update(
        created_at=now - timedelta(days=created),
        last_used_at=None if used is None else now - timedelta(days=used),
    )


@pytest.mark.parametrize(
    ("created", "used", "live"),
    [
        (29, None, True),
        (31, None, False),  # never used since it was issued 31 days ago: idle
        (60, 29, True),
        (60, 31, False),  # idle
        (89, 0.01, True),
        (91, 0.01, False),  # used a minute ago, but older than 90 days
    ],
)
async def test_a_token_idle_30_days_or_older_than_90_is_refused(gql, sign_up, created, used, live):
    token, user = await sign_up()
    await age(token, created=created, used=used)
    assert (await gql(ME, token=token)).ok()["me"] == ({"id": user["id"]} if live else None)
    data = await gql(MY_DATA, token=token)
    assert data.codes == ([] if live else ["UNAUTHENTICATED"])


async def test_sessions_lists_the_callers_live_tokens_and_revoke_session_ends_one(gql, sign_up):
    first, user = await sign_up(email="ada@example.com")
    second = (await gql(LOG_IN, {"e": "ada@example.com", "p": PASSWORD})).ok()["logIn"]["token"]
    third = (await gql(LOG_IN, {"e": "ada@example.com", "p": PASSWORD})).ok()["logIn"]["token"]
    expired = (await gql(LOG_IN, {"e": "ada@example.com", "p": PASSWORD})).ok()["logIn"]["token"]
    await age(expired, created=91, used=0)
    (await gql("mutation { logOut }", token=third)).ok()
    other, _ = await sign_up(email="bob@example.com", name="Bob")

    listed = (await gql(SESSIONS, token=second)).ok()["sessions"]
    ids = {
        token: str((await AuthToken.get(token_hash=token_hash(token))).id)
        for token in (first, second, third, expired, other)
    }
    assert [s["id"] for s in listed] == [ids[second], ids[first]]  # newest first
    assert [s["current"] for s in listed] == [True, False]
    assert listed[0]["lastUsedAt"] is not None and listed[0]["createdAt"]

    # Someone else's, a revoked, an expired or a malformed id: not found, nothing changes.
    for id in (ids[other], ids[third], ids[expired], "nope", "-1", "99999999999"):
        assert (await gql(REVOKE, {"id": id}, token=second)).codes == ["NOT_FOUND"], id
    assert (await gql(ME, token=other)).ok()["me"] is not None

    assert (await gql(REVOKE, {"id": ids[first]}, token=second)).ok() == {"revokeSession": True}
    assert (await gql(ME, token=first)).ok()["me"] is None
    assert [s["id"] for s in (await gql(SESSIONS, token=second)).ok()["sessions"]] == [ids[second]]
    assert (await gql(REVOKE, {"id": ids[second]}, token=second)).ok() == {"revokeSession": True}
    assert (await gql(SESSIONS, token=second)).codes == ["UNAUTHENTICATED"]
    assert (await gql(REVOKE, {"id": ids[first]})).codes == ["UNAUTHENTICATED"]
    assert await AuthToken.filter(user_id=int(user["id"]), revoked_at=None).count() == 1  # expired


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_session_days_must_be_positive_numbers(value):
    assert Settings.from_env({"SESSION_IDLE_DAYS": "0.5"}).session_idle_days == 0.5
    with pytest.raises(ConfigError, match=r"^SESSION_MAX_DAYS: "):
        Settings.from_env({"SESSION_MAX_DAYS": value})


async def test_the_server_takes_its_limits_from_the_settings(settings, tmp_path, clean_db):
    server = start_server(
        settings, tmp_path, env={"SESSION_IDLE_DAYS": "1.5", "SESSION_MAX_DAYS": "2.5"}
    )
    try:
        tokens = []
        for number, (created, used) in enumerate([(2, 1), (2, 1.6), (2.6, 0.01)]):
            variables = {"input": {"email": f"p{number}@example.com", "password": PASSWORD,
                                   "name": "P"}}  # fmt: skip
            signed_up = await server.post(
                "mutation($input: SignUpInput!) { signUp(input: $input) { token } }", variables
            )
            tokens.append(signed_up.ok()["signUp"]["token"])
            await age(tokens[-1], created=created, used=used)
        answers = [(await server.post(ME, token=token)).ok()["me"] for token in tokens]
    finally:
        server.stop()
    assert [answer is not None for answer in answers] == [True, False, False]
