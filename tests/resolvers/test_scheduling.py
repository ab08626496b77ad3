"""Scheduling II through the schema (issue #18): booking questions, seats, weekly and monthly
limits, cancellation notice, locations, slot holds, handles, readable overrides, and DST."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from events.messages import availability_channel
from models.booking import Booking
from models.hold import SlotHold
from models.notification import OutboxEvent
from services import holds
from tests.conftest import PASSWORD

CREATE_TYPE = """mutation($i: EventTypeInput!) { createEventType(input: $i) { id } }"""
WEEKLY = """mutation($tz: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $tz, rules: $rules) { timeZone } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start seatsLeft } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) {
  id start manageToken location answers { key label value } } }"""
BOOKING = """query($id: ID!) { booking(id: $id) { location answers { key label value } } }"""
EVENT_TYPE = """query($id: ID!) { eventType(id: $id) { location locationKind seatsPerSlot
  maxBookingsPerWeek maxBookingsPerMonth minimumCancelNoticeMinutes
  questions { key label kind required options } } }"""
CANCEL = """mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { status } }"""
MOVE = """mutation($id: ID!, $s: DateTime!, $t: String) {
  rescheduleBooking(id: $id, start: $s, manageToken: $t) { start } }"""
HOLD = """mutation($id: ID!, $s: DateTime!) { holdSlot(eventTypeId: $id, start: $s) {
  token expiresAt } }"""
PROFILE = """mutation($h: String) { updateProfile(input: {handle: $h}) { handle } }"""
BY_SLUG = (
    """query($h: String!, $s: String!) { eventTypeBySlug(handle: $h, slug: $s) { id title } }"""
)
OVERRIDE = """mutation($d: Date!, $i: [TimeRangeInput!]!) {
  setDateOverride(date: $d, intervals: $i) { overrides { date intervals { start end } } } }"""
SCHEDULE = "{ schedule { overrides { date intervals { start end } } } }"
MY_DATA = "{ myData }"
DELETE = """mutation($p: String!) { deleteAccount(password: $p) }"""

EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
MONDAY = "2030-01-07"  # ISO week 2030-W02


def at(hhmm: str, day: str = MONDAY) -> str:
    return f"{day}T{hhmm}:00+00:00"


@pytest.fixture
def host(gql, sign_up):
    """host(**event_type) -> (token, type id): works 09:00-17:00 every day in `zone`."""
    count = 0

    async def create(zone="UTC", days=EVERY_DAY, **event_type):
        nonlocal count
        count += 1
        token, _ = await sign_up(email=f"host{count}@example.com", name=f"Host {count}")
        rules = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in days]
        (await gql(WEEKLY, {"tz": zone, "rules": rules}, token=token)).ok()
        values = {"title": "Call", "slug": "call", "durationMinutes": 30, **event_type}
        created = (await gql(CREATE_TYPE, {"i": values}, token=token)).ok()
        return token, created["createEventType"]["id"]

    return create


def request(type_id, start, n=0, **extra):
    return {"i": {"eventTypeId": type_id, "start": start, "name": f"Guest {n}",
                  "email": f"guest{n}@example.com", **extra}}  # fmt: skip


async def slots(gql, type_id, start, end):
    found = (await gql(SLOTS, {"id": type_id, "s": start, "e": end})).ok()["availableSlots"]
    return {  # starts in UTC
        datetime.fromisoformat(s["start"]).astimezone(UTC).isoformat(): s["seatsLeft"]
        for s in found
    }


# --- 1. questions ----------------------------------------------------------------------------

QUESTIONS = [
    {"key": "topic", "label": "Topic", "kind": "SHORT_TEXT", "required": True},
    {"key": "size", "label": "Team size", "kind": "SINGLE_CHOICE", "options": ["1-10", "11+"]},
    {"key": "tools", "label": "Tools", "kind": "MULTIPLE_CHOICE", "options": ["a", "b"]},
    {"key": "phone", "label": "Phone", "kind": "PHONE"},
]


async def test_questions_are_published_and_bad_answers_leave_no_booking(gql, host):
    _, type_id = await host(questions=QUESTIONS)
    published = (await gql(EVENT_TYPE, {"id": type_id})).ok()["eventType"]["questions"]
    assert published[1] == {**QUESTIONS[1], "required": False}
    assert published[0]["options"] == []
    bad = [
        ([], "answers.topic"),
        ([{"key": "topic", "value": "x"}, {"key": "zzz", "value": "1"}], "answers.zzz"),
        ([{"key": "topic", "value": "x"}, {"key": "size", "value": "5"}], "answers.size"),
        ([{"key": "topic", "value": "x"}, {"key": "phone", "value": "12345"}], "answers.phone"),
    ]
    for answers, field in bad:
        result = await gql(BOOK, request(type_id, at("10:00"), answers=answers))
        assert result.codes == ["BAD_USER_INPUT"], result.errors
        assert field in result.errors[0]["message"]
    assert await Booking.all().count() == 0


async def test_answers_reach_host_and_booker_and_myData_and_go_with_erasure(gql, host, sign_up):
    host_token, type_id = await host(questions=QUESTIONS)
    booker_token, _ = await sign_up(email="guest0@example.com", name="Guest 0")
    answers = [
        {"key": "topic", "value": "Roadmap"},
        {"key": "tools", "value": "b"},
        {"key": "tools", "value": "a"},
        {"key": "phone", "value": "+44 20 7946 0958"},
    ]
    made = await gql(BOOK, request(type_id, at("10:00"), answers=answers), token=booker_token)
    booking = made.ok()["bookMeeting"]
    expected = [
        {"key": "topic", "label": "Topic", "value": "Roadmap"},
        {"key": "tools", "label": "Tools", "value": "b"},
        {"key": "tools", "label": "Tools", "value": "a"},
        {"key": "phone", "label": "Phone", "value": "+442079460958"},
    ]
    assert booking["answers"] == expected
    seen = (await gql(BOOKING, {"id": booking["id"]}, token=host_token)).ok()["booking"]
    assert seen["answers"] == expected
    mine = json.dumps((await gql(MY_DATA, token=booker_token)).ok()["myData"])
    assert "Roadmap" in mine and "+442079460958" in mine
    assert (await gql(DELETE, {"p": PASSWORD}, token=booker_token)).ok()["deleteAccount"]
    seen = (await gql(BOOKING, {"id": booking["id"]}, token=host_token)).ok()["booking"]
    assert seen["answers"] == []
    assert "Roadmap" not in json.dumps(await Booking.all().values(), default=str)


CORRECT = """mutation($id: ID!, $a: [AnswerInput!]!, $t: String) {
  correctBookingAnswers(id: $id, answers: $a, manageToken: $t) { answers { key value } } }"""


async def test_the_booker_corrects_answers_the_host_cannot(gql, host, sign_up):
    host_token, type_id = await host(questions=QUESTIONS)
    stranger, _ = await sign_up(email="stranger@example.com", name="Stranger")
    made = await gql(BOOK, request(type_id, at("10:00"), answers=[{"key": "topic", "value": "A"}]))
    booking = made.ok()["bookMeeting"]
    ids = {"id": booking["id"], "t": booking["manageToken"]}
    bad = await gql(CORRECT, {**ids, "a": [{"key": "size", "value": "5"}]})
    assert bad.codes == ["BAD_USER_INPUT"] and "answers.size" in bad.errors[0]["message"]
    fixed = [{"key": "topic", "value": "B"}, {"key": "size", "value": "11+"}]
    assert (await gql(CORRECT, {**ids, "a": fixed})).ok()["correctBookingAnswers"] == {
        "answers": fixed
    }
    seen = (await gql(BOOKING, {"id": booking["id"]}, token=host_token)).ok()["booking"]
    assert [a["value"] for a in seen["answers"]] == ["B", "11+"]
    assert (await Booking.get(id=booking["id"])).sequence == 1
    as_host = await gql(CORRECT, {"id": booking["id"], "a": fixed}, token=host_token)
    assert as_host.codes == ["FORBIDDEN"]
    assert (await gql(CORRECT, {"id": booking["id"], "a": fixed}, token=stranger)).codes == [
        "NOT_FOUND"
    ]
    notes = (await gql("{ notifications { edges { node { kind } } } }", token=host_token)).ok()
    assert "PERSON_UPDATED" in [e["node"]["kind"] for e in notes["notifications"]["edges"]]


# --- 2. seats --------------------------------------------------------------------------------


async def test_a_slot_takes_its_seats_and_then_is_gone(gql, host):
    _, type_id = await host(seatsPerSlot=3)
    assert (await slots(gql, type_id, at("10:00"), at("10:30")))[at("10:00")] == 3
    for n in range(3):
        (await gql(BOOK, request(type_id, at("10:00"), n))).ok()
        left = await slots(gql, type_id, at("09:00"), at("12:00"))
        assert left.get(at("10:00"), 0) == 2 - n
        assert at("09:45") not in left and at("10:15") not in left  # the host is busy
    result = await gql(BOOK, request(type_id, at("10:00"), 9))
    assert result.codes == ["CONFLICT"]
    assert sorted(await Booking.all().values_list("seat", flat=True)) == [0, 1, 2]


async def test_a_seated_slot_still_does_not_overlap_other_bookings(gql, host):
    _, type_id = await host(seatsPerSlot=3, slotIntervalMinutes=15)
    (await gql(BOOK, request(type_id, at("10:00"), 1))).ok()
    assert (await gql(BOOK, request(type_id, at("10:15"), 2))).codes == ["CONFLICT"]
    (await gql(BOOK, request(type_id, at("10:00"), 3))).ok()


async def test_cancelling_frees_a_seat(gql, host):
    _, type_id = await host(seatsPerSlot=2)
    first = (await gql(BOOK, request(type_id, at("10:00"), 1))).ok()["bookMeeting"]
    (await gql(BOOK, request(type_id, at("10:00"), 2))).ok()
    assert at("10:00") not in await slots(gql, type_id, at("09:00"), at("12:00"))
    (await gql(CANCEL, {"id": first["id"], "t": first["manageToken"]})).ok()
    assert (await slots(gql, type_id, at("09:00"), at("12:00")))[at("10:00")] == 1
    (await gql(BOOK, request(type_id, at("10:00"), 3))).ok()


# --- 3. limits -------------------------------------------------------------------------------


async def test_a_week_at_its_limit_offers_nothing_while_the_next_week_does(gql, host):
    _, type_id = await host(maxBookingsPerWeek=2)
    (await gql(BOOK, request(type_id, at("10:00", "2030-01-07"), 1))).ok()
    (await gql(BOOK, request(type_id, at("10:00", "2030-01-13"), 2))).ok()  # Sunday, same week
    assert await slots(gql, type_id, at("00:00", "2030-01-07"), at("00:00", "2030-01-14")) == {}
    nxt = await slots(gql, type_id, at("00:00", "2030-01-14"), at("00:00", "2030-01-21"))
    assert len(nxt) == 7 * 16
    result = await gql(BOOK, request(type_id, at("11:00", "2030-01-09"), 3))
    assert result.codes == ["CONFLICT"]


async def test_a_month_at_its_limit_offers_nothing_while_the_next_month_does(gql, host):
    _, type_id = await host(maxBookingsPerMonth=1)
    (await gql(BOOK, request(type_id, at("10:00", "2030-01-31"), 1))).ok()
    assert await slots(gql, type_id, at("00:00", "2030-01-01"), at("00:00", "2030-02-01")) == {}
    assert at("09:00", "2030-02-01") in await slots(
        gql, type_id, at("00:00", "2030-01-25"), at("00:00", "2030-02-02")
    )


async def test_a_live_hold_counts_towards_the_daily_limit_until_it_expires(gql, host):
    _, type_id = await host(maxBookingsPerDay=1)
    day = (at("00:00"), at("00:00", "2030-01-08"))
    assert len(await slots(gql, type_id, *day)) == 16
    (await gql(HOLD, {"id": type_id, "s": at("10:00")})).ok()
    assert await slots(gql, type_id, *day) == {}
    await SlotHold.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert len(await slots(gql, type_id, *day)) == 16


async def test_limits_count_the_host_local_week(gql, host):
    # Auckland (UTC+13 in January): Sunday 2030-01-13 10:00 local is Saturday 21:00 UTC.
    _, type_id = await host(zone="Pacific/Auckland", maxBookingsPerWeek=1)
    (await gql(BOOK, request(type_id, "2030-01-13T10:00:00+13:00", 1))).ok()
    found = await slots(gql, type_id, "2030-01-14T00:00:00+13:00", "2030-01-15T00:00:00+13:00")
    assert len(found) == 16  # Monday local: a new ISO week
    found = await slots(gql, type_id, "2030-01-12T00:00:00+13:00", "2030-01-13T00:00:00+13:00")
    assert found == {}


# --- 4. cancellation notice ------------------------------------------------------------------


def soon(hours: int) -> str:
    start = (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0)
    return start.replace(microsecond=0).isoformat()


async def test_inside_the_cancel_notice_only_the_host_may_cancel_or_move(gql, host):
    host_token, type_id = await host(days=EVERY_DAY, minimumCancelNoticeMinutes=7 * 24 * 60)
    # Work all day, so slots a few days out exist whatever the hour now.
    rules = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in EVERY_DAY]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=host_token)).ok()
    made = (await gql(BOOK, request(type_id, soon(72), 1))).ok()["bookMeeting"]
    token = made["manageToken"]
    assert (await gql(CANCEL, {"id": made["id"], "t": token})).codes == ["CONFLICT"]
    assert (await gql(MOVE, {"id": made["id"], "s": soon(96), "t": token})).codes == ["CONFLICT"]
    assert (await Booking.get(id=made["id"])).sequence == 0
    moved = await gql(MOVE, {"id": made["id"], "s": soon(96)}, token=host_token)
    assert moved.ok()["rescheduleBooking"]["start"] == soon(96)
    cancelled = await gql(CANCEL, {"id": made["id"]}, token=host_token)
    assert cancelled.ok()["cancelBooking"]["status"] == "CANCELLED"
    # Outside the notice the invitee still can.
    far = (await gql(BOOK, request(type_id, soon(24 * 10), 2))).ok()["bookMeeting"]
    (await gql(CANCEL, {"id": far["id"], "t": far["manageToken"]})).ok()


# --- 5. locations ----------------------------------------------------------------------------


async def test_video_bookings_get_their_own_link_and_the_public_sees_no_location(
    gql, host, settings
):
    host_token, type_id = await host(locationKind="VIDEO")
    assert (await gql(EVENT_TYPE, {"id": type_id})).ok()["eventType"]["location"] is None
    one = (await gql(BOOK, request(type_id, at("10:00"), 1))).ok()["bookMeeting"]
    two = (await gql(BOOK, request(type_id, at("11:00"), 2))).ok()["bookMeeting"]
    prefix = settings.video_link_template.split("{token}")[0]
    assert one["location"].startswith(prefix) and two["location"].startswith(prefix)
    assert one["location"] != two["location"] and len(one["location"]) >= len(prefix) + 20
    seen = (await gql(BOOKING, {"id": one["id"]}, token=host_token)).ok()["booking"]
    assert seen["location"] == one["location"]


async def test_a_phone_number_is_for_the_host_and_booker_only(gql, host):
    host_token, type_id = await host(locationKind="PHONE", location="+44 20 7946 0958")
    assert (await gql(EVENT_TYPE, {"id": type_id})).ok()["eventType"]["location"] is None
    mine = (await gql(EVENT_TYPE, {"id": type_id}, token=host_token)).ok()["eventType"]
    assert mine["location"] == "+44 20 7946 0958"
    made = (await gql(BOOK, request(type_id, at("10:00"), 1))).ok()["bookMeeting"]
    assert made["location"] == "+44 20 7946 0958"
    _, place = await host(locationKind="IN_PERSON", location="1 Main St")
    assert (await gql(EVENT_TYPE, {"id": place})).ok()["eventType"]["location"] == "1 Main St"


# --- 6. holds --------------------------------------------------------------------------------


def availability_events(type_id: str) -> int:
    return OutboxEvent.filter(channel=availability_channel(int(type_id))).count()


async def test_a_hold_takes_the_slot_until_booked_with_its_token(gql, host):
    _, type_id = await host()
    hold = (await gql(HOLD, {"id": type_id, "s": at("10:00")})).ok()["holdSlot"]
    assert at("10:00") not in await slots(gql, type_id, at("09:00"), at("12:00"))
    assert (await gql(HOLD, {"id": type_id, "s": at("10:00")})).codes == ["CONFLICT"]
    assert (await gql(BOOK, request(type_id, at("10:00"), 1))).codes == ["CONFLICT"]
    wrong = request(type_id, at("10:30"), 1, holdToken=hold["token"])
    assert (await gql(BOOK, wrong)).codes == ["CONFLICT"]  # a token is for its own slot
    made = await gql(BOOK, request(type_id, at("10:00"), 2, holdToken=hold["token"]))
    assert made.ok()["bookMeeting"]["start"] == at("10:00")
    assert await SlotHold.all().count() == 0
    again = await gql(BOOK, request(type_id, at("10:00"), 3, holdToken=hold["token"]))
    assert again.codes == ["CONFLICT"]
    assert await Booking.all().count() == 1


async def test_a_hold_announces_itself_in_its_transaction(gql, host):
    """Outside an operation's unit of work nothing publishes: the outbox row is what the hold's
    transaction wrote (the live test sees it arrive over a WebSocket)."""
    _, type_id = await host()
    before = await availability_events(type_id)
    await holds.hold(int(type_id), datetime.fromisoformat(at("10:00")), 5)
    assert await availability_events(type_id) == before + 1


async def test_a_hold_takes_one_seat_of_a_seated_slot(gql, host):
    _, type_id = await host(seatsPerSlot=2)
    (await gql(HOLD, {"id": type_id, "s": at("10:00")})).ok()
    assert (await slots(gql, type_id, at("10:00"), at("10:30")))[at("10:00")] == 1
    (await gql(BOOK, request(type_id, at("10:00"), 1))).ok()
    assert (await gql(BOOK, request(type_id, at("10:00"), 2))).codes == ["CONFLICT"]


async def test_an_expired_hold_frees_the_slot_and_the_sweep_announces_it(gql, host):
    _, type_id = await host()
    hold = (await gql(HOLD, {"id": type_id, "s": at("10:00")})).ok()["holdSlot"]
    # Time passes: the hold's end is now behind us.
    await SlotHold.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert at("10:00") in await slots(gql, type_id, at("09:00"), at("12:00"))
    late = await gql(BOOK, request(type_id, at("10:00"), 1, holdToken=hold["token"]))
    assert late.codes == ["CONFLICT"]
    before = await availability_events(type_id)
    assert await holds.sweep() == 1
    assert await SlotHold.all().count() == 0
    assert await availability_events(type_id) == before + 1
    assert await holds.sweep() == 0


async def test_holding_bad_input_is_coded(gql, host):
    _, type_id = await host()
    assert (await gql(HOLD, {"id": "999", "s": at("10:00")})).codes == ["NOT_FOUND"]
    assert (await gql(HOLD, {"id": type_id, "s": "2030-01-07T10:00:00"})).codes == [
        "BAD_USER_INPUT"
    ]
    assert (await gql(HOLD, {"id": type_id, "s": at("03:00")})).codes == ["CONFLICT"]
    assert await SlotHold.all().count() == 0


# --- 7. handles ------------------------------------------------------------------------------


async def test_handles_are_unique_and_find_event_types(gql, host):
    token, type_id = await host()
    other, _ = await host()
    assert (await gql(PROFILE, {"h": "Hanna-Host"}, token=token)).ok()["updateProfile"] == {
        "handle": "hanna-host"
    }
    taken = await gql(PROFILE, {"h": "hanna-host"}, token=other)
    assert taken.codes == ["CONFLICT"] and "handle" in taken.errors[0]["message"]
    for bad in ("ab", "a" * 41, "hanna host", "hännä", "a_b"):
        assert (await gql(PROFILE, {"h": bad}, token=other)).codes == ["BAD_USER_INPUT"]
    found = (await gql(BY_SLUG, {"h": "hanna-host", "s": "call"})).ok()["eventTypeBySlug"]
    assert found == {"id": type_id, "title": "Call"}
    assert (await gql(BY_SLUG, {"h": "hanna-host", "s": "nope"})).ok()["eventTypeBySlug"] is None
    for odd in (
        {"h": "x" * 500, "s": "call"},
        {"h": "hanna\x00", "s": "call"},
        {"h": "hanna-host", "s": "c\x00"},
    ):
        assert (await gql(BY_SLUG, odd)).ok()["eventTypeBySlug"] is None
    (await gql(PROFILE, {"h": ""}, token=token)).ok()
    assert (await gql(BY_SLUG, {"h": "hanna-host", "s": "call"})).ok()["eventTypeBySlug"] is None
    (await gql(PROFILE, {"h": "hanna-host"}, token=other)).ok()


# --- 8. overrides ----------------------------------------------------------------------------


async def test_schedule_overrides_return_what_was_written(gql, host):
    token, _ = await host()
    spans = [{"start": "13:00", "end": "15:00"}, {"start": "09:00", "end": "10:30"}]
    (await gql(OVERRIDE, {"d": "2030-01-09", "i": spans}, token=token)).ok()
    (await gql(OVERRIDE, {"d": "2030-01-08", "i": []}, token=token)).ok()
    overrides = (await gql(SCHEDULE, token=token)).ok()["schedule"]["overrides"]
    assert overrides == [
        {"date": "2030-01-08", "intervals": []},
        {"date": "2030-01-09", "intervals": [spans[1], spans[0]]},
    ]


# --- DST with seats and limits ---------------------------------------------------------------


async def test_a_london_fortnight_across_the_march_change_with_seats_and_limits(gql, host):
    """2027-03-22 to 04-04 (BST from Sunday 03-28), 09:00-17:00 local on weekdays, 60-minute
    slots, 2 seats, at most 3 bookings a week."""
    weekdays = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    _, type_id = await host(
        zone="Europe/London", days=weekdays, durationMinutes=60, seatsPerSlot=2,
        maxBookingsPerWeek=3,
    )  # fmt: skip
    window = ("2027-03-22T00:00:00+00:00", "2027-04-05T00:00:00+01:00")
    found = await slots(gql, type_id, *window)
    assert len(found) == 10 * 8 and set(found.values()) == {2}
    assert "2027-03-26T09:00:00+00:00" in found and "2027-03-29T08:00:00+00:00" in found
    # Two seats of Monday 09:00 BST (08:00 UTC) in the second week, and one of its Tuesday.
    for n in range(2):
        (await gql(BOOK, request(type_id, "2027-03-29T09:00:00+01:00", n))).ok()
    one_seat = await slots(gql, type_id, *window)
    assert "2027-03-29T08:00:00+00:00" not in one_seat
    (await gql(BOOK, request(type_id, "2027-03-30T10:00:00+01:00", 5))).ok()
    after = await slots(gql, type_id, *window)
    # The second week is at its limit; the first (GMT) week is untouched.
    assert all(start < "2027-03-28" for start in after) and len(after) == 5 * 8
    assert "2027-03-26T16:00:00+00:00" in after


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+14:00", "1969-12-31T23:00:00Z"]
)
async def test_starts_at_the_ends_of_time_are_bad_input_not_internal(gql, host, start):
    _, type_id = await host(maxBookingsPerWeek=2)
    made = (await gql(BOOK, request(type_id, at("10:00"), 1))).ok()["bookMeeting"]
    assert (await gql(HOLD, {"id": type_id, "s": start})).codes == ["BAD_USER_INPUT"]
    assert (await gql(BOOK, request(type_id, start, 2))).codes == ["BAD_USER_INPUT"]
    moved = await gql(MOVE, {"id": made["id"], "s": start, "t": made["manageToken"]})
    assert moved.codes == ["BAD_USER_INPUT"]
