"""Accounts over the schema: sign-up, log-in, profile correction, and what bad input does."""

import random
import string
import time

import pytest

from models.user import AuthToken, User
from services.tokens import token_hash
from tests.conftest import PASSWORD, SIGN_UP

ME = "{ me { id email name timeZone companyName } }"
LOG_IN = """mutation($e: String!, $p: String!) {
  logIn(email: $e, password: $p) { token user { id } } }"""
UPDATE = """mutation($i: ProfileInput!) {
  updateProfile(input: $i) { name email timeZone companyName } }"""


def signup_input(**overrides):
    return {
        "input": {
            "email": "ada@example.com",
            "password": PASSWORD,
            "name": "Ada",
            "timeZone": "Europe/London",
            **overrides,
        }
    }


async def test_sign_up_returns_a_token_that_signs_in(gql):
    data = (await gql(SIGN_UP, signup_input(email="Ada@Example.COM"))).ok()["signUp"]
    assert data["user"]["email"] == "ada@example.com"
    me = (await gql(ME, token=data["token"])).ok()["me"]
    assert me["name"] == "Ada" and me["timeZone"] == "Europe/London"


async def test_anonymous_me_is_null(gql):
    assert (await gql(ME)).ok() == {"me": None}


async def test_password_is_stored_as_argon2_and_token_only_as_a_hash(gql):
    token = (await gql(SIGN_UP, signup_input())).ok()["signUp"]["token"]
    user = await User.get(email="ada@example.com")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    stored = await AuthToken.get(user=user)
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash


async def test_log_in_and_wrong_password(gql, sign_up):
    await sign_up(email="ada@example.com")
    ok = await gql(LOG_IN, {"e": "ADA@example.com", "p": PASSWORD})
    assert ok.ok()["logIn"]["token"]
    wrong = await gql(LOG_IN, {"e": "ada@example.com", "p": "wrong password!"})
    assert wrong.codes == ["UNAUTHENTICATED"] and wrong.data is None
    unknown = await gql(LOG_IN, {"e": "nobody@example.com", "p": PASSWORD})
    assert unknown.codes == ["UNAUTHENTICATED"]


async def test_log_out_revokes_only_that_token(gql, sign_up):
    first, _ = await sign_up()
    second = (await gql(LOG_IN, {"e": "host@example.com", "p": PASSWORD})).ok()["logIn"]["token"]
    assert (await gql("mutation { logOut }", token=first)).ok() == {"logOut": True}
    assert (await gql(ME, token=first)).ok()["me"] is None
    assert (await gql(ME, token=second)).ok()["me"]["email"] == "host@example.com"
    assert (await gql("mutation { logOut }", token=first)).codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"email": "not-an-address"}, "BAD_USER_INPUT", "email"),
        ({"password": "short"}, "BAD_USER_INPUT", "password"),
        ({"password": "x" * 257}, "BAD_USER_INPUT", "password"),
        ({"password": "aaaaaaaaaa"}, "BAD_USER_INPUT", "password"),
        ({"password": "1234567890"}, "BAD_USER_INPUT", "password"),
        ({"password": "password12"}, "BAD_USER_INPUT", "password"),
        ({"password": " " * 10}, "BAD_USER_INPUT", "password"),
        ({"password": "ada@example.com"}, "BAD_USER_INPUT", "password"),  # the e-mail itself
        ({"password": "Ada@Example.com", "email": "ADA@example.com"}, "BAD_USER_INPUT", "password"),
        ({"password": "a" * 256}, "BAD_USER_INPUT", "password"),
        ({"timeZone": "Mars/Olympus_Mons"}, "BAD_USER_INPUT", "timeZone"),
        ({"name": "   "}, "BAD_USER_INPUT", "name"),
        ({"name": "Ada\x00"}, "BAD_USER_INPUT", "name"),  # PostgreSQL text cannot hold NUL
        ({"email": "HOST@example.com"}, "CONFLICT", "email"),
    ],
)
async def test_bad_sign_up_is_coded_and_writes_nothing(gql, sign_up, overrides, code, field):
    await sign_up(email="host@example.com")
    before = await User.all().count(), await AuthToken.all().count()
    result = await gql(SIGN_UP, signup_input(**overrides))
    assert result.codes == [code]
    assert result.errors[0]["extensions"].get("field") == field
    if code == "BAD_USER_INPUT":
        assert field in result.errors[0]["message"]
    assert (await User.all().count(), await AuthToken.all().count()) == before


async def test_the_suites_and_docs_passwords_pass_and_weak_ones_are_refused_quickly(gql):
    """The strength check keeps what the suite, docs, seed and benchmarks use, and stays fast:
    zxcvbn alone needs tens of seconds for 256 random characters, so only a prefix is rated."""
    strong = [PASSWORD, "demo password", "benchmark-password-1", "load-test-password-1"]
    strong.append("".join(random.choices(string.ascii_letters + string.digits + "!-_ ", k=256)))
    for number, password in enumerate(strong):
        started = time.perf_counter()
        signed_up = await gql(
            SIGN_UP, signup_input(email=f"ada{number}@example.com", password=password)
        )
        assert signed_up.ok() and time.perf_counter() - started < 1.0
        logged_in = await gql(LOG_IN, {"e": f"ada{number}@example.com", "p": password})
        assert logged_in.ok()["logIn"]["user"]["id"] == signed_up.data["signUp"]["user"]["id"]
    for password in ("a" * 256, "ab" * 128, "1234567890" * 25):
        started = time.perf_counter()
        refused = await gql(SIGN_UP, signup_input(email="weak@example.com", password=password))
        assert refused.codes == ["BAD_USER_INPUT"] and time.perf_counter() - started < 1.0
        assert refused.errors[0]["extensions"]["field"] == "password"


async def test_update_profile_corrects_and_validates(gql, sign_up):
    token, _ = await sign_up(email="host@example.com")
    await sign_up(email="other@example.com", name="Other")
    data = await gql(
        UPDATE,
        {"i": {"name": "Hanna H.", "email": "Hanna@Example.com", "companyName": "Hanna Ltd"}},
        token=token,
    )
    assert data.ok()["updateProfile"] == {
        "name": "Hanna H.",
        "email": "hanna@example.com",
        "timeZone": "UTC",
        "companyName": "Hanna Ltd",
    }
    taken = await gql(UPDATE, {"i": {"email": "OTHER@example.com"}}, token=token)
    assert taken.codes == ["CONFLICT"]
    bad = await gql(UPDATE, {"i": {"name": "New", "timeZone": "Nowhere/Land"}}, token=token)
    assert bad.codes == ["BAD_USER_INPUT"]
    assert (await User.get(email="hanna@example.com")).name == "Hanna H."
    assert (await gql(UPDATE, {"i": {"name": "X"}})).codes == ["UNAUTHENTICATED"]


async def test_syntax_and_unknown_fields_are_bad_user_input(gql):
    assert (await gql("{ me { ")).codes == ["BAD_USER_INPUT"]
    assert (await gql("{ nope }")).codes == ["BAD_USER_INPUT"]
