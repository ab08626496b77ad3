"""Live subscriptions against the real server, with real WebSocket clients on both protocols."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import websockets

from models.notification import Notification
from tests.conftest import PASSWORD, SIGN_UP, live_subscriptions

WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation { createEventType(input: {title: "Live", slug: "live",
  durationMinutes: 30}) { id } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id manageToken } }"""
CANCEL = """mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { id } }"""
EVENTS = """subscription { bookingEvents { kind occurredAt
  booking { id status attendeeName eventType { title host { name } } } } }"""
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


class Client:
    """A minimal client for graphql-transport-ws and the legacy graphql-ws protocol."""

    def __init__(self, ws, protocol: str) -> None:
        self.ws, self.protocol = ws, protocol

    @classmethod
    async def connect(cls, url: str, protocol: str, token: str | None = None) -> "Client":
        ws = await websockets.connect(url, subprotocols=[protocol])
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert (await cls(ws, protocol).receive(5))["type"] == "connection_ack"
        return cls(ws, protocol)

    async def subscribe(self, query: str, variables: dict | None = None, id: str = "1") -> None:
        kind = "subscribe" if self.protocol == "graphql-transport-ws" else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": id, "type": kind, "payload": payload}))

    async def receive(self, seconds: float) -> dict:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), seconds))
            if message["type"] not in ("ka", "ping", "pong"):
                return message

    async def next_data(self, seconds: float = 10) -> dict:
        message = await self.receive(seconds)
        assert message["type"] in ("next", "data"), message
        return message["payload"]["data"]

    async def close(self) -> None:
        await self.ws.close()


async def account(server, email: str) -> str:
    variables = {"input": {"email": email, "password": PASSWORD, "name": email.split("@")[0]}}
    return (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]


async def host_with_type(server, email: str) -> tuple[str, str]:
    token = await account(server, email)
    rules = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in EVERY_DAY]
    (await server.post(WEEKLY, {"rules": rules}, token=token)).ok()
    type_id = (await server.post(CREATE_TYPE, token=token)).ok()["createEventType"]["id"]
    return token, type_id


def slot(days: int = 3, hour: int = 10) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).isoformat()


def booking_input(type_id: str, start: str, name: str = "Ivy") -> dict:
    return {
        "i": {
            "eventTypeId": type_id,
            "start": start,
            "name": name,
            "email": f"{name.lower()}@example.com",
        }
    }


async def test_hosts_see_their_booking_changes_on_both_protocols_and_nobody_else_does(server):
    token, type_id = await host_with_type(server, "host@example.com")
    other_token, _ = await host_with_type(server, "other@example.com")
    modern = await Client.connect(server.ws, "graphql-transport-ws", token)
    legacy = await Client.connect(server.ws, "graphql-ws", token)
    stranger = await Client.connect(server.ws, "graphql-transport-ws", other_token)
    for client in (modern, legacy, stranger):
        await client.subscribe(EVENTS)
    await server.until_metric(live_subscriptions("bookingEvents"), 3)  # before the change
    try:
        booked = (await server.post(BOOK, booking_input(type_id, slot()))).ok()["bookMeeting"]
        # A conflicting booking rolls back: no event, no notification.
        assert (await server.post(BOOK, booking_input(type_id, slot(), "Eve"))).codes == [
            "CONFLICT"
        ]
        (await server.post(CANCEL, {"id": booked["id"], "t": booked["manageToken"]})).ok()
        for client in (modern, legacy):
            created = (await client.next_data())["bookingEvents"]
            assert created["kind"] == "CREATED"
            assert created["booking"]["id"] == booked["id"]
            assert created["booking"]["attendeeName"] == "Ivy"
            assert created["booking"]["eventType"] == {"title": "Live", "host": {"name": "host"}}
            cancelled = (await client.next_data())["bookingEvents"]
            assert (cancelled["kind"], cancelled["booking"]["status"]) == ("CANCELLED", "CANCELLED")
        with pytest.raises(TimeoutError):
            await stranger.receive(1.0)
        with pytest.raises(TimeoutError):
            await modern.receive(0.5)  # nothing for the rolled-back booking
    finally:
        for client in (modern, legacy, stranger):
            await client.close()
    kinds = await Notification.all().values_list("kind", flat=True)
    assert sorted(kinds) == ["BOOKING_CANCELLED", "BOOKING_CREATED"]


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_anonymous_booking_events_end_with_unauthenticated(server, protocol):
    client = await Client.connect(server.ws, protocol)
    try:
        await client.subscribe(EVENTS)
        message = await client.receive(5)
    finally:
        await client.close()
    assert message["type"] in ("error", "next", "data"), message
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_notifications_arrive_live_and_wait_for_catch_up(server):
    token, type_id = await host_with_type(server, "host@example.com")
    client = await Client.connect(server.ws, "graphql-transport-ws", token)
    await client.subscribe("subscription { notifications { kind message bookingId } }")
    await server.until_metric(live_subscriptions("notifications"), 1)
    try:
        first = (await server.post(BOOK, booking_input(type_id, slot()))).ok()["bookMeeting"]
        live = (await client.next_data())["notifications"]
        assert live["kind"] == "BOOKING_CREATED" and live["bookingId"] == first["id"]
        assert "Live on " in live["message"] and "Ivy" not in live["message"]
    finally:
        await client.close()
    # While disconnected, another booking: it waits in the unread notifications.
    second = (await server.post(BOOK, booking_input(type_id, slot(hour=12), "Max"))).ok()
    query = """{ notifications(unreadOnly: true) { totalCount edges { node { id bookingId } } } }"""
    unread = (await server.post(query, token=token)).ok()["notifications"]
    assert unread["totalCount"] == 2
    assert unread["edges"][0]["node"]["bookingId"] == second["bookMeeting"]["id"]
    ids = [e["node"]["id"] for e in unread["edges"]]
    mark = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }"
    assert (await server.post(mark, {"ids": ids}, token=token)).ok() == {"markNotificationsRead": 2}
    assert (await server.post(query, token=token)).ok()["notifications"]["totalCount"] == 0


async def test_availability_changed_is_public_and_carries_no_personal_data(server):
    _, type_id = await host_with_type(server, "host@example.com")
    client = await Client.connect(server.ws, "graphql-transport-ws")
    await client.subscribe(
        """subscription($id: ID!) {
          availabilityChanged(eventTypeId: $id) { eventTypeId occurredAt } }""",
        {"id": type_id},
    )
    await server.until_metric(live_subscriptions("availabilityChanged"), 1)
    try:
        (await server.post(BOOK, booking_input(type_id, slot()))).ok()
        change = (await client.next_data())["availabilityChanged"]
    finally:
        await client.close()
    assert change["eventTypeId"] == type_id and set(change) == {"eventTypeId", "occurredAt"}


async def test_dashboards_of_one_host_share_one_execution_per_event(server):
    token, type_id = await host_with_type(server, "host@example.com")
    clients = [await Client.connect(server.ws, "graphql-transport-ws", token) for _ in range(3)]
    clients.append(await Client.connect(server.ws, "graphql-ws", token))
    for number, client in enumerate(clients):
        await client.subscribe(EVENTS, id=f"op{number}")
    await server.until_metric(live_subscriptions("bookingEvents"), 4)
    executed = 'bnm_subscription_executions_total{subscription="bookingEvents"}'
    before = await server.metric(executed)
    try:
        booked = (await server.post(BOOK, booking_input(type_id, slot()))).ok()["bookMeeting"]
        for number, client in enumerate(clients):
            message = await client.receive(10)
            assert (message["id"], message["type"]) == (
                f"op{number}",
                "next" if client.protocol == "graphql-transport-ws" else "data",
            )
            assert message["payload"]["data"]["bookingEvents"]["booking"]["id"] == booked["id"]
    finally:
        for client in clients:
            await client.close()
    assert await server.metric(executed) - before == 1


async def test_a_completed_subscription_stops_and_its_id_can_be_used_again(server):
    """graphql-transport-ws: a subscription relayed from its fan-out group (its execution over)
    still ends on the client's `complete`, and the id is free again."""
    token, type_id = await host_with_type(server, "host@example.com")
    client = await Client.connect(server.ws, "graphql-transport-ws", token)
    subscriptions = live_subscriptions("bookingEvents")
    try:
        await client.subscribe(EVENTS, id="a")
        await server.until_metric(subscriptions, 1)
        first = (await server.post(BOOK, booking_input(type_id, slot(hour=10)))).ok()
        message = await client.receive(10)
        assert (message["id"], message["type"]) == ("a", "next")
        assert (
            message["payload"]["data"]["bookingEvents"]["booking"]["id"]
            == (first["bookMeeting"]["id"])
        )
        await client.ws.send(json.dumps({"id": "a", "type": "complete"}))
        await server.until_metric(subscriptions, 0)
        (await server.post(BOOK, booking_input(type_id, slot(hour=11), name="Max"))).ok()
        with pytest.raises(TimeoutError):
            await client.receive(1.0)  # nothing for the completed one
        await client.subscribe(EVENTS, id="a")
        await server.until_metric(subscriptions, 1)
        third = (await server.post(BOOK, booking_input(type_id, slot(hour=12), name="Ada"))).ok()
        message = await client.receive(10)
        assert (message["id"], message["type"]) == ("a", "next")
        assert (
            message["payload"]["data"]["bookingEvents"]["booking"]["id"]
            == (third["bookMeeting"]["id"])
        )
    finally:
        await client.close()
