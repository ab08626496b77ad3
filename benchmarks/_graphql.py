"""GraphQL as the benchmarks speak it to the server: the operations they share, `graphql()` over
HTTP (httpx), a host created over it (sign-up, weekly availability, one event type), and the
graphql-transport-ws messages of a subscriber.
"""

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import httpx

SIGN_UP = "mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }"
SET_WEEKLY = """mutation ($zone: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $zone, rules: $rules) { timeZone } }"""
CREATE_EVENT_TYPE = "mutation ($input: EventTypeInput!) { createEventType(input: $input) { id } }"
AVAILABLE_SLOTS = """query ($id: ID!, $start: DateTime!, $end: DateTime!) {
  availableSlots(eventTypeId: $id, start: $start, end: $end) { start end } }"""
BOOKING_EVENTS = "subscription { bookingEvents { kind occurredAt booking { id } } }"

EVERY_DAY = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
WEEKDAYS = EVERY_DAY[:5]

PASSWORD = "benchmark-password-1"  # of the hosts the benchmarks sign up

# graphql-transport-ws: the answer to the server's ping.
PONG = '{"type":"pong"}'


def graphql(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """POST /graphql on `client` (its base_url is the server), as the bearer of `token` if any:
    the answer's data; an HTTP error or any GraphQL error raises."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return dict(body["data"])


class Host(NamedTuple):
    token: str
    user_id: int
    event_type_id: str


def create_host(
    client: httpx.Client,
    *,
    email: str,
    name: str,
    time_zone: str,
    days: Sequence[str],
    hours: tuple[str, str],
    event_type: dict[str, Any],
    password: str = PASSWORD,
) -> Host:
    """Signs up a host in `time_zone`, available `hours` (local "HH:MM" start and end) on each of
    `days` (MONDAY ...), with one event type (`event_type`: its EventTypeInput)."""
    signed_up = graphql(
        client,
        SIGN_UP,
        {"input": {"email": email, "password": password, "name": name, "timeZone": time_zone}},
    )["signUp"]
    token = signed_up["token"]
    rules = [{"weekday": day, "start": hours[0], "end": hours[1]} for day in days]
    graphql(client, SET_WEEKLY, {"zone": time_zone, "rules": rules}, token)
    created = graphql(client, CREATE_EVENT_TYPE, {"input": event_type}, token)["createEventType"]
    return Host(token, int(signed_up["user"]["id"]), str(created["id"]))


def connection_init(token: str) -> str:
    """graphql-transport-ws connection_init, signed in as the bearer of `token`."""
    return json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})


def subscribe(query: str, operation_id: str = "1") -> str:
    """graphql-transport-ws subscribe message for `query`."""
    return json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": query}})
