"""The invitee's view of one booking: `managedBooking` and `managedBookingEvents`, keyed by the
manage token, against the real server and real WebSocket clients."""

import pytest

from tests.conftest import live_subscriptions
from tests.subscriptions.test_live import BOOK, Client, booking_input, host_with_type, slot

MANAGED = """query($t: String!) { managedBooking(manageToken: $t) {
  id status attendeeName start eventType { title minimumCancelNoticeMinutes } } }"""
WATCH = """subscription($t: String!) { managedBookingEvents(manageToken: $t) {
  kind booking { id status start cancelReason } } }"""
MOVE = (
    """mutation($id: ID!, $start: DateTime!) { rescheduleBooking(id: $id, start: $start) { id } }"""
)
CANCEL = """mutation($id: ID!, $r: String) { cancelBooking(id: $id, reason: $r) { id } }"""


async def test_the_manage_token_reads_its_booking_and_nothing_else(server) -> None:
    _, type_id = await host_with_type(server, "host@example.com")
    booked = (await server.post(BOOK, booking_input(type_id, slot()))).ok()["bookMeeting"]
    found = (await server.post(MANAGED, {"t": booked["manageToken"]})).ok()["managedBooking"]
    assert found["id"] == booked["id"]
    assert (found["status"], found["attendeeName"]) == ("CONFIRMED", "Ivy")
    assert found["eventType"] == {"title": "Live", "minimumCancelNoticeMinutes": 0}
    for wrong in ("nope", booked["manageToken"] + "x", "", "x" * 1000):
        assert (await server.post(MANAGED, {"t": wrong})).ok() == {"managedBooking": None}


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_the_invitee_hears_the_hosts_changes_of_their_booking_only(server, protocol) -> None:
    host_token, type_id = await host_with_type(server, "host@example.com")
    mine = (await server.post(BOOK, booking_input(type_id, slot(hour=10)))).ok()["bookMeeting"]
    other = (await server.post(BOOK, booking_input(type_id, slot(hour=12), "Eve"))).ok()
    other_id = other["bookMeeting"]["id"]
    invitee = await Client.connect(server.ws, protocol)
    try:
        await invitee.subscribe(WATCH, {"t": mine["manageToken"]})
        await server.until_metric(live_subscriptions("managedBookingEvents"), 1)
        # Another booking of the same host changes: this invitee hears nothing of it.
        (await server.post(CANCEL, {"id": other_id}, token=host_token)).ok()
        with pytest.raises(TimeoutError):
            await invitee.receive(1.0)
        # The host moves, then cancels this one: both arrive, in order.
        new_start = slot(hour=14)
        (await server.post(MOVE, {"id": mine["id"], "start": new_start}, token=host_token)).ok()
        moved = (await invitee.next_data())["managedBookingEvents"]
        assert moved["kind"] == "RESCHEDULED" and moved["booking"]["id"] == mine["id"]
        assert moved["booking"]["start"].startswith(new_start[:16])
        variables = {"id": mine["id"], "r": "Host is ill"}
        (await server.post(CANCEL, variables, token=host_token)).ok()
        cancelled = (await invitee.next_data())["managedBookingEvents"]
        assert cancelled["kind"] == "CANCELLED"
        assert cancelled["booking"]["cancelReason"] == "Host is ill"
    finally:
        await invitee.close()


async def test_an_unknown_manage_token_subscribes_to_nothing(server) -> None:
    client = await Client.connect(server.ws, "graphql-transport-ws")
    try:
        await client.subscribe(WATCH, {"t": "not-a-token"})
        message = await client.receive(5)
    finally:
        await client.close()
    assert message["type"] in ("error", "next"), message
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
