"""Booking end to end through the schema: a host publishes, an invitee books and manages."""

import pytest

from models.booking import Booking
from tests.graphql_ops import WEEKLY

CREATE_TYPE = """mutation($i: EventTypeInput!) {
  createEventType(input: $i) { id slug host { name timeZone } } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!, $tz: String) {
  availableSlots(eventTypeId: $id, start: $s, end: $e, timeZone: $tz) { start end } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) {
  id start end status manageToken attendeeName eventType { id title host { name } } } }"""
CANCEL = """mutation($id: ID!, $t: String, $r: String) {
  cancelBooking(id: $id, manageToken: $t, reason: $r) { id status } }"""
RESCHEDULE = """mutation($id: ID!, $s: DateTime!, $t: String) {
  rescheduleBooking(id: $id, start: $s, manageToken: $t) { id start status } }"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def nine_to_five(days=WEEKDAYS):
    return [{"weekday": d, "start": "09:00", "end": "17:00"} for d in days]


@pytest.fixture
async def host(gql, sign_up):
    token, _ = await sign_up(email="host@example.com", name="Hanna Host")
    await gql(WEEKLY, {"tz": "Europe/London", "rules": nine_to_five()}, token=token)
    created = await gql(
        CREATE_TYPE,
        {"i": {"title": "Intro call", "slug": "intro", "durationMinutes": 30}},
        token=token,
    )
    return token, created.ok()["createEventType"]["id"]


async def test_a_booked_slot_disappears_and_comes_back_when_cancelled(gql, host):
    _, type_id = host
    window = {"id": type_id, "s": "2030-01-07T00:00:00+00:00", "e": "2030-01-08T00:00:00+00:00"}
    before = (await gql(SLOTS, window)).ok()["availableSlots"]
    assert len(before) == 16 and before[0]["start"] == "2030-01-07T09:00:00+00:00"
    booked = await gql(
        BOOK,
        {
            "i": {
                "eventTypeId": type_id,
                "start": "2030-01-07T10:00:00+00:00",
                "name": "Ivy",
                "email": "ivy@example.com",
            }
        },
    )
    booking = booked.ok()["bookMeeting"]
    assert booking["status"] == "CONFIRMED" and booking["manageToken"]
    assert booking["eventType"]["host"] == {"name": "Hanna Host"}
    after = [s["start"] for s in (await gql(SLOTS, window)).ok()["availableSlots"]]
    assert "2030-01-07T10:00:00+00:00" not in after and len(after) == 15
    again = await gql(
        BOOK,
        {
            "i": {
                "eventTypeId": type_id,
                "start": "2030-01-07T10:00:00+00:00",
                "name": "Eve",
                "email": "eve@example.com",
            }
        },
    )
    assert again.codes == ["CONFLICT"]
    cancelled = await gql(CANCEL, {"id": booking["id"], "t": booking["manageToken"]})
    assert cancelled.ok()["cancelBooking"]["status"] == "CANCELLED"
    assert len((await gql(SLOTS, window)).ok()["availableSlots"]) == 16
    assert await Booking.all().count() == 1
