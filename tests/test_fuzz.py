"""Fuzzing with schemathesis: any input the schema admits, sent to the real server, gets an answer
with a coded error at worst — never a 5xx, never INTERNAL."""

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


@pytest.fixture(scope="module")
def token(live_server) -> str:
    variables = {"input": {"email": "fuzz@example.com", "password": PASSWORD, "name": "Fuzz"}}
    response = httpx.post(live_server.graphql, json={"query": SIGN_UP, "variables": variables})
    data = response.json()
    if data.get("errors"):  # already there from an earlier module in this session
        login = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
        data = httpx.post(
            live_server.graphql,
            json={"query": login, "variables": {"e": "fuzz@example.com", "p": PASSWORD}},
        ).json()
        return data["data"]["logIn"]["token"]
    return data["data"]["signUp"]["token"]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_generated_input_breaks_the_server(case, live_server, token):
    response = case.call(
        base_url=live_server.graphql, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code < 500, response.text
    body = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL" not in codes, (case.body, body)
    assert None not in codes, body  # every error carries a code
