"""Fuzzing with schemathesis: any input the schema admits, sent to the real server, gets an answer
with a coded error at worst — never a 5xx, never INTERNAL.

Every case is sent signed in, with a token that works: the cases of an operation that may end the
session (see SESSION_ENDING) are followed by a check of the token and, if it no longer works, by
a fresh log-in (or sign-up, when the account is gone or no longer has its address). Without that
the first generated `logOut` would leave all later cases anonymous, stopped at UNAUTHENTICATED
before they reach what they are meant to fuzz."""

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD, ROOT, SIGN_UP

schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: d.isoformat()),
        st.text(max_size=30),  # and what is not a date at all
    ).map(lambda value: __import__("graphql").language.StringValueNode(value=value)),
)
schemathesis.graphql.scalar(
    "Date",
    st.dates().map(lambda d: __import__("graphql").language.StringValueNode(value=d.isoformat())),
)

schema = schemathesis.graphql.from_path(ROOT / "schema.graphql")

# The operations that can end the session the cases are sent with: the token revoked (logOut,
# revokeSession given its id, and suspendUser for staff), or the account erased with its tokens
# (deleteAccount given the right password, deleteUser for staff).
SESSION_ENDING = {
    "Mutation.logOut",
    "Mutation.revokeSession",
    "Mutation.deleteAccount",
    "Mutation.suspendUser",
    "Mutation.deleteUser",
}

EMAIL = "fuzz@example.com"
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
ME = "{ me { id } }"


@dataclass
class Session:
    """The fuzzing account's session, shared by every case of this module."""

    url: str
    token: str = ""
    cases: int = 0  # sent with a token that was working
    renewals: int = 0  # fresh tokens after a case ended the session

    def _post(self, query: str, variables: dict | None = None, token: str = "") -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            self.url, json={"query": query, "variables": variables}, headers=headers, timeout=30
        )
        return response.json()

    def works(self) -> bool:
        if not self.token:
            return False
        return bool((self._post(ME, token=self.token).get("data") or {}).get("me"))

    def sign_in(self) -> None:
        """Logs in, or signs up when the account is not there (erased, or its address changed)."""
        data = self._post(LOG_IN, {"e": EMAIL, "p": PASSWORD}).get("data")
        if data:
            self.token = data["logIn"]["token"]
        else:
            account = {"email": EMAIL, "password": PASSWORD, "name": "Fuzz"}
            body = self._post(SIGN_UP, {"input": account})
            assert body.get("data"), body
            self.token = body["data"]["signUp"]["token"]
        assert self.works(), "a fresh token must work"

    def assert_signed_in(self) -> None:
        """Tokens are never un-revoked: one that works now has worked for every case since it was
        issued, so nothing since the last check ended the session unnoticed."""
        assert self.works(), (
            "the token stopped working since the last check, and no case since may end the "
            "session: an operation missing from SESSION_ENDING ended it"
        )

    def resume(self) -> None:
        """After a case that may have ended the session: signed in again if it did."""
        if not self.works():
            self.sign_in()
            self.renewals += 1


@pytest.fixture(scope="module")
def session(live_server) -> Session:
    session = Session(live_server.graphql)
    session.sign_in()
    return session


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_generated_input_breaks_the_server(case, live_server, session):
    may_end_session = case.operation.label in SESSION_ENDING
    if may_end_session:
        session.assert_signed_in()
    response = case.call(
        base_url=live_server.graphql,
        headers={"Authorization": f"Bearer {session.token}"},
        timeout=30,
    )
    session.cases += 1
    if may_end_session:
        session.resume()  # before the assertions, so a failing case leaves the next ones signed in
    assert response.status_code < 500, response.text
    body = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL" not in codes, (case.body, body)
    assert None not in codes, body  # every error carries a code


def test_every_case_was_sent_signed_in(session):
    """Runs after the cases: the token still works, so the cases since the last check were signed
    in too."""
    if not session.cases:
        pytest.skip("no fuzz case ran in this session")
    session.assert_signed_in()
    print(f"{session.cases} cases signed in, {session.renewals} fresh sessions")
