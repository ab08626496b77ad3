"""Fuzzing with schemathesis: any input the schema admits, sent to the real server, gets an answer
with a coded error at worst — never a 5xx, never INTERNAL.

Every case is sent signed in, with a token that works: the cases of an operation that may end the
session (see SESSION_ENDING) are followed by a check of the token and, if it no longer works, by
a fresh log-in (or sign-up, when the account is gone or no longer has its address). Without that
the first generated `logOut` would leave all later cases anonymous, stopped at UNAUTHENTICATED
before they reach what they are meant to fuzz."""

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD, ROOT, SIGN_UP
from tests.graphql_ops import LOG_IN

# Any instant Python can write, with any offset, the ends of the calendar included (year 1 or
# 9999 with an offset overflowed into INTERNAL).
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
DATE_TIMES = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.datetimes(),
    st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59)]),
).flatmap(lambda moment: st.one_of(st.just(UTC), OFFSETS).map(lambda z: moment.replace(tzinfo=z)))
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        DATE_TIMES.map(datetime.isoformat),
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


# --- Odd values the schema admits but no database stores, and bodies that are no request --------

# Joined by hand: st.text drops lone surrogates whatever its alphabet.
ODD_TEXT = st.lists(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.just("\x00")), max_size=40
).map("".join)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ODD_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(ODD_TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)
CURSORS = JSON_VALUES.map(lambda key: base64.urlsafe_b64encode(json.dumps(key).encode()).decode())
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    JSON_VALUES.map(lambda value: json.dumps({"query": "{ __typename }", "variables": value})),
    st.integers(1, 20_000).map(lambda depth: b"[" * depth + b"]" * depth),
)
ODD_OPERATIONS = [
    (
        "mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id } }",
        lambda text, moment, cursor: {
            "i": {
                "eventTypeId": "1",
                "start": moment,
                "name": text,
                "email": "odd@example.com",
                "notes": text,
                "idempotencyKey": text,
            }
        },
    ),
    (
        "query($s: DateTime!, $e: DateTime!) { availableSlots(eventTypeId: 1, start: $s, end: $e)"
        " { start } }",
        lambda text, moment, cursor: {"s": moment, "e": moment},
    ),
    (
        "query($s: DateTime!, $a: String) { bookings(startFrom: $s, after: $a) { totalCount } }",
        lambda text, moment, cursor: {"s": moment, "a": cursor},
    ),
    (
        "query($a: String) { bookings(after: $a, order: START_ASC) { totalCount } }",
        lambda text, moment, cursor: {"a": cursor},
    ),
    (
        "query($a: String) { notifications(after: $a) { totalCount } }",
        lambda text, moment, cursor: {"a": cursor},
    ),
    ("query($a: String) { clients(after: $a) { totalCount } }", lambda t, m, cursor: {"a": cursor}),
    (
        "mutation($n: String) { updateProfile(input: {name: $n}) { id } }",
        lambda text, moment, cursor: {"n": text},
    ),
]


def assert_coded(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    codes = [e.get("extensions", {}).get("code") for e in response.json().get("errors") or []]
    assert "INTERNAL" not in codes and None not in codes, response.text


@given(body=BODIES)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_request_body_breaks_the_server(live_server, body):
    response = httpx.post(
        live_server.graphql, content=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert_coded(response)


@given(
    text=ODD_TEXT,
    moment=st.one_of(DATE_TIMES.map(datetime.isoformat), ODD_TEXT),
    cursor=st.one_of(CURSORS, ODD_TEXT),
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_odd_values_in_variables_get_coded_errors(live_server, session, text, moment, cursor):
    for query, variables in ODD_OPERATIONS:
        body = json.dumps({"query": query, "variables": variables(text, moment, cursor)})
        response = httpx.post(
            live_server.graphql,
            content=body,  # json.dumps escapes lone surrogates, as clients do
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {session.token}",
            },
            timeout=30,
        )
        assert_coded(response)
