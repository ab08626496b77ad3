"""The right to correction (a profile change reaches the hosts' records of the person) and the
erasure paths other than the registry-wide one: a host erasing one client, deleting an account
with bookings at other hosts, and myData never holding another person's data."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from models.booking import Booking
from models.event_type import EventType
from models.notification import Notification
from models.user import User
from services import reminders
from tests.conftest import PASSWORD
from tests.graphql_ops import CREATE_TYPE, MY_DATA, WEEKLY

BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) {
  id attendeeName attendeeEmail manageToken } }"""
HOST_BOOKINGS = """{ bookings(first: 50, order: START_ASC) { edges { node {
  id start attendeeName attendeeEmail notes status } } } }"""
CLIENTS = "{ clients { edges { node { name email bookingCount } } } }"
NOTIFICATIONS = """{ notifications(first: 50) { edges { node { kind message bookingId } } } }"""
UPDATE_PROFILE = """mutation($i: ProfileInput!) { updateProfile(input: $i) { email name } }"""
ERASE_CLIENT = """mutation($e: String!) { eraseClientData(email: $e) }"""
DELETE = """mutation($p: String!) { deleteAccount(password: $p) }"""
ME = "{ me { email name } }"
SET_CONSENT = """mutation($p: ConsentPurpose!, $g: Boolean!) {
  setConsent(purpose: $p, granted: $g) { granted } }"""
SUBMIT = """mutation($k: PrivacyRequestKind!, $d: String) {
  submitPrivacyRequest(kind: $k, details: $d) { id } }"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def at(hhmm: str, day: str = "2030-01-07") -> str:
    return f"{day}T{hhmm}:00+00:00"


async def make_host(gql, sign_up, email: str, name: str, slug: str) -> tuple[str, str]:
    token, _ = await sign_up(email=email, name=name)
    rules = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    type_id = (
        await gql(
            CREATE_TYPE,
            {"i": {"title": f"{name} call", "slug": slug, "durationMinutes": 30}},
            token=token,
        )
    ).ok()["createEventType"]["id"]
    return token, type_id


async def book(gql, type_id: str, start: str, name: str, email: str, *, token=None, notes=None):
    booking = {"eventTypeId": type_id, "start": start, "name": name, "email": email,
               "notes": notes}  # fmt: skip
    return (await gql(BOOK, {"i": booking}, token=token)).ok()["bookMeeting"]


async def host_bookings(gql, token: str) -> list[dict]:
    edges = (await gql(HOST_BOOKINGS, token=token)).ok()["bookings"]["edges"]
    return [e["node"] for e in edges]


async def notifications(gql, token: str, kind: str | None = None) -> list[dict]:
    edges = (await gql(NOTIFICATIONS, token=token)).ok()["notifications"]["edges"]
    return [e["node"] for e in edges if kind is None or e["node"]["kind"] == kind]


@pytest.fixture
async def hosts(gql, sign_up):
    """Anna and Ben host; Carl hosts too but nobody below ever books him."""
    anna = await make_host(gql, sign_up, "anna@example.com", "Anna", "anna")
    ben = await make_host(gql, sign_up, "ben@example.com", "Ben", "ben")
    carl = await make_host(gql, sign_up, "carl@example.com", "Carl", "carl")
    return anna, ben, carl


# --- correction ---------------------------------------------------------------------------------


async def test_an_invitee_who_signs_up_later_corrects_the_hosts_records(gql, sign_up, hosts):
    (anna, anna_type), _, (carl, _) = hosts
    first = await book(gql, anna_type, at("10:00"), "Ivy Old", "ivy@example.com", notes="n1")
    second = await book(gql, anna_type, at("11:00"), "Ivy Old", "IVY@example.com")
    eve = await book(gql, anna_type, at("12:00"), "Eve Else", "eve@example.com")
    carl_before = await notifications(gql, carl)

    ivy, _ = await sign_up(email="ivy@example.com", name="Ivy Old")
    changed = await gql(UPDATE_PROFILE, {"i": {"name": "Ivy New", "email": "ivy.new@example.com"}},
                        token=ivy)  # fmt: skip
    assert changed.ok()["updateProfile"] == {"email": "ivy.new@example.com", "name": "Ivy New"}

    records = {b["id"]: b for b in await host_bookings(gql, anna)}
    for booking in (first, second):
        assert records[booking["id"]]["attendeeName"] == "Ivy New"
        assert records[booking["id"]]["attendeeEmail"] == "ivy.new@example.com"
    assert records[first["id"]]["notes"] == "n1"  # only the corrected fields change
    assert records[eve["id"]]["attendeeName"] == "Eve Else"
    assert records[eve["id"]]["attendeeEmail"] == "eve@example.com"
    clients = (await gql(CLIENTS, token=anna)).ok()["clients"]["edges"]
    assert {(c["node"]["name"], c["node"]["email"]) for c in clients} == {
        ("Ivy New", "ivy.new@example.com"),
        ("Eve Else", "eve@example.com"),
    }
    assert not await Booking.filter(attendee_name="Ivy Old").exists()

    told = await notifications(gql, anna, "PERSON_UPDATED")
    assert len(told) == 1
    assert told[0]["bookingId"] in (first["id"], second["id"])
    assert "Ivy" not in told[0]["message"]
    # Host notifications never carried the old details, so nothing stale is left there.
    for note in await notifications(gql, anna):
        assert "Ivy Old" not in note["message"] and "ivy@example.com" not in note["message"]
    # A host who never had a booking from Ivy hears nothing.
    assert await notifications(gql, carl) == carl_before
    assert await notifications(gql, carl, "PERSON_UPDATED") == []
    assert await notifications(gql, ivy, "PERSON_UPDATED") == []


async def test_a_booker_signed_in_when_booking_corrects_each_hosts_records(gql, sign_up, hosts):
    (anna, anna_type), (ben, ben_type), (carl, _) = hosts
    bob, _ = await sign_up(email="bob@example.com", name="Bob Booker")
    at_anna = await book(gql, anna_type, at("10:00"), "Bob Booker", "bob@example.com", token=bob)
    at_ben = await book(gql, ben_type, at("09:30", "2030-01-08"), "Bob Booker",
                        "bob@example.com", token=bob)  # fmt: skip
    await book(gql, ben_type, at("10:00", "2030-01-08"), "Eve Else", "eve@example.com")
    assert (await Booking.get(id=int(at_anna["id"]))).booker_id is not None

    (await gql(UPDATE_PROFILE, {"i": {"name": "Robert Booker"}}, token=bob)).ok()
    anna_rows = await host_bookings(gql, anna)
    assert [(b["attendeeName"], b["attendeeEmail"]) for b in anna_rows] == [
        ("Robert Booker", "bob@example.com")
    ]
    ben_rows = {b["id"]: b for b in await host_bookings(gql, ben)}
    assert ben_rows[at_ben["id"]]["attendeeName"] == "Robert Booker"
    assert sorted(b["attendeeName"] for b in ben_rows.values()) == ["Eve Else", "Robert Booker"]

    (await gql(UPDATE_PROFILE, {"i": {"email": "Robert@Example.com"}}, token=bob)).ok()
    assert (await host_bookings(gql, anna))[0]["attendeeEmail"] == "robert@example.com"
    ben_rows = {b["id"]: b for b in await host_bookings(gql, ben)}
    assert ben_rows[at_ben["id"]]["attendeeEmail"] == "robert@example.com"

    for token, booking in ((anna, at_anna), (ben, at_ben)):
        told = await notifications(gql, token, "PERSON_UPDATED")
        assert len(told) == 2  # one per correction
        assert {n["bookingId"] for n in told} == {booking["id"]}
    assert await notifications(gql, carl, "PERSON_UPDATED") == []


async def test_a_correction_leaves_the_people_one_booked_for_alone(gql, sign_up, hosts):
    (anna, anna_type), _, _ = hosts
    bob, _ = await sign_up(email="bob@example.com", name="Bob Booker")
    own = await book(gql, anna_type, at("10:00"), "Bob Booker", "bob@example.com", token=bob)
    for_cleo = await book(gql, anna_type, at("11:00"), "Cleo Colleague", "cleo@example.com",
                          token=bob)  # fmt: skip
    (await gql(UPDATE_PROFILE, {"i": {"name": "Robert", "email": "rob@example.com"}},
               token=bob)).ok()  # fmt: skip
    rows = {b["id"]: b for b in await host_bookings(gql, anna)}
    assert (rows[own["id"]]["attendeeName"], rows[own["id"]]["attendeeEmail"]) == (
        "Robert", "rob@example.com",
    )  # fmt: skip
    assert (rows[for_cleo["id"]]["attendeeName"], rows[for_cleo["id"]]["attendeeEmail"]) == (
        "Cleo Colleague", "cleo@example.com",
    )  # fmt: skip


async def test_profile_changes_that_correct_nothing_tell_nobody(gql, sign_up, hosts):
    (anna, anna_type), _, _ = hosts
    bob, _ = await sign_up(email="bob@example.com", name="Bob Booker")
    await book(gql, anna_type, at("10:00"), "Bob Booker", "bob@example.com", token=bob)
    (await gql(UPDATE_PROFILE, {"i": {"timeZone": "Europe/Paris"}}, token=bob)).ok()
    assert await notifications(gql, anna, "PERSON_UPDATED") == []
    # A user without any bookings corrects their name: no host is told.
    dan, _ = await sign_up(email="dan@example.com", name="Dan")
    (await gql(UPDATE_PROFILE, {"i": {"name": "Daniel"}}, token=dan)).ok()
    assert await Notification.filter(kind="PERSON_UPDATED").count() == 0


async def test_a_refused_correction_changes_no_booking(gql, sign_up, hosts):
    (anna, anna_type), _, _ = hosts
    bob, _ = await sign_up(email="bob@example.com", name="Bob Booker")
    await book(gql, anna_type, at("10:00"), "Bob Booker", "bob@example.com", token=bob)
    taken = await gql(UPDATE_PROFILE, {"i": {"name": "X", "email": "anna@example.com"}}, token=bob)
    assert taken.codes == ["CONFLICT"]
    bad = await gql(UPDATE_PROFILE, {"i": {"name": "X", "email": "nope"}}, token=bob)
    assert bad.codes == ["BAD_USER_INPUT"]
    assert [(b["attendeeName"], b["attendeeEmail"]) for b in await host_bookings(gql, anna)] == [
        ("Bob Booker", "bob@example.com")
    ]
    assert await notifications(gql, anna, "PERSON_UPDATED") == []


# --- a host erases one client -------------------------------------------------------------------


async def test_erase_client_data_touches_only_that_hosts_bookings_with_that_client(
    gql, sign_up, hosts, settings
):
    (anna, anna_type), (ben, ben_type), _ = hosts
    ivy_anna = [
        await book(gql, anna_type, at("10:00"), "Ivy Invitee", "ivy@example.com", notes="knee"),
        await book(gql, anna_type, at("11:00"), "Ivy Invitee", "ivy@example.com"),
    ]
    eve_anna = await book(gql, anna_type, at("12:00"), "Eve Else", "eve@example.com", notes="e")
    ivy_ben = await book(gql, ben_type, at("10:00"), "Ivy Invitee", "ivy@example.com", notes="b")
    ben_before = await host_bookings(gql, ben)

    erased = await gql(ERASE_CLIENT, {"e": " IVY@example.com "}, token=anna)
    assert erased.ok() == {"eraseClientData": 2}

    rows = {b["id"]: b for b in await host_bookings(gql, anna)}
    for booking in ivy_anna:
        row = rows[booking["id"]]
        assert (row["attendeeName"], row["attendeeEmail"], row["notes"]) == (
            "[erased]", "[erased]", None,
        )  # fmt: skip
        assert row["status"] == "CONFIRMED"  # still busy time for the host
    assert rows[eve_anna["id"]]["attendeeName"] == "Eve Else"
    assert rows[eve_anna["id"]]["notes"] == "e"
    # Ben's booking with Ivy is Ben's record: untouched.
    assert await host_bookings(gql, ben) == ben_before
    assert (await Booking.get(id=int(ivy_ben["id"]))).attendee_email == "ivy@example.com"
    # The host's notifications never named her; reminders about the kept slot do not either.
    for note in await notifications(gql, anna):
        assert "Ivy" not in note["message"]
    first = await Booking.get(id=int(ivy_anna[0]["id"]))
    sent = await reminders.fire_due(now=first.start - timedelta(minutes=60))
    assert sent >= 1
    for note in await notifications(gql, anna, "REMINDER"):
        assert "Ivy" not in note["message"] and "[erased]" not in note["message"]
    # Erasing again finds nothing more; an unknown client is simply zero.
    assert (await gql(ERASE_CLIENT, {"e": "ivy@example.com"}, token=anna)).ok() == {
        "eraseClientData": 0
    }
    assert (await gql(ERASE_CLIENT, {"e": "nobody@example.com"}, token=anna)).ok() == {
        "eraseClientData": 0
    }


async def test_erase_client_data_needs_a_signed_in_host_and_an_address(gql, hosts):
    (_, anna_type), (ben, _), _ = hosts
    await book(gql, anna_type, at("10:00"), "Ivy Invitee", "ivy@example.com")
    assert (await gql(ERASE_CLIENT, {"e": "ivy@example.com"})).codes == ["UNAUTHENTICATED"]
    assert (await gql(ERASE_CLIENT, {"e": "ivy"}, token=ben)).codes == ["BAD_USER_INPUT"]
    # Another host cannot erase Anna's records of the client.
    assert (await gql(ERASE_CLIENT, {"e": "ivy@example.com"}, token=ben)).ok() == {
        "eraseClientData": 0
    }
    assert await Booking.filter(attendee_email="ivy@example.com").count() == 1


# --- deleting an account ------------------------------------------------------------------------


async def test_delete_account_with_a_wrong_password_changes_nothing(gql, sign_up, hosts):
    (anna, anna_type), _, _ = hosts
    bob, _ = await sign_up(email="bob@example.com", name="Bob Booker")
    (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=bob)).ok()
    await book(gql, anna_type, at("10:00"), "Bob Booker", "bob@example.com", token=bob)
    before_data = (await gql(MY_DATA, token=bob)).ok()["myData"]["data"]
    before_host = await host_bookings(gql, anna)

    for wrong in ("wrong password!", "", PASSWORD.upper()):
        assert (await gql(DELETE, {"p": wrong}, token=bob)).codes == ["UNAUTHENTICATED"]
    assert (await gql(DELETE, {"p": PASSWORD})).codes == ["UNAUTHENTICATED"]  # anonymous

    assert (await gql(ME, token=bob)).ok()["me"] == {"email": "bob@example.com",
                                                     "name": "Bob Booker"}  # fmt: skip
    assert (await gql(MY_DATA, token=bob)).ok()["myData"]["data"] == before_data
    assert await host_bookings(gql, anna) == before_host
    assert await notifications(gql, anna, "BOOKING_CANCELLED") == []


async def test_delete_account_cancels_future_bookings_with_other_hosts(gql, sign_up, hosts):
    (anna, anna_type), (ben, ben_type), (carl, _) = hosts
    bob, _ = await sign_up(email="bob@example.com", name="Bob Booker")
    signed_in = await book(gql, anna_type, at("10:00"), "Bob Booker", "bob@example.com",
                           token=bob, notes="agenda")  # fmt: skip
    by_email = await book(gql, ben_type, at("11:00"), "Bob B.", "bob@example.com")
    eve = await book(gql, anna_type, at("12:00"), "Eve Else", "eve@example.com")
    # A meeting that already happened stays with the host as anonymised busy time.
    anna_user = await User.get(email="anna@example.com")
    past_start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    past = await Booking.create(
        event_type=await EventType.get(id=int(anna_type)), host=anna_user,
        booker=await User.get(email="bob@example.com"), start=past_start,
        end=past_start + timedelta(minutes=30), busy_start=past_start,
        busy_end=past_start + timedelta(minutes=30), attendee_name="Bob Booker",
        attendee_email="bob@example.com",
    )  # fmt: skip
    assert await notifications(gql, anna, "BOOKING_CANCELLED") == []

    assert (await gql(DELETE, {"p": PASSWORD}, token=bob)).ok() == {"deleteAccount": True}
    assert (await gql(ME, token=bob)).ok() == {"me": None}
    assert not await User.filter(email="bob@example.com").exists()

    anna_rows = {b["id"]: b for b in await host_bookings(gql, anna)}
    assert anna_rows[signed_in["id"]]["status"] == "CANCELLED"
    assert anna_rows[signed_in["id"]]["attendeeName"] == "[erased]"
    assert anna_rows[signed_in["id"]]["attendeeEmail"] == "[erased]"
    assert anna_rows[signed_in["id"]]["notes"] is None
    assert anna_rows[str(past.id)]["status"] == "CONFIRMED"
    assert anna_rows[str(past.id)]["attendeeName"] == "[erased]"
    assert anna_rows[eve["id"]]["status"] == "CONFIRMED"
    assert anna_rows[eve["id"]]["attendeeName"] == "Eve Else"
    ben_rows = {b["id"]: b for b in await host_bookings(gql, ben)}
    assert ben_rows[by_email["id"]]["status"] == "CANCELLED"
    assert ben_rows[by_email["id"]]["attendeeEmail"] == "[erased]"

    anna_told = await notifications(gql, anna, "BOOKING_CANCELLED")
    assert [n["bookingId"] for n in anna_told] == [signed_in["id"]]
    ben_told = await notifications(gql, ben, "BOOKING_CANCELLED")
    assert [n["bookingId"] for n in ben_told] == [by_email["id"]]
    for note in anna_told + ben_told:
        assert "Bob" not in note["message"] and "bob@example.com" not in note["message"]
    assert await notifications(gql, carl, "BOOKING_CANCELLED") == []
    # The freed slot can be booked again.
    again = await book(gql, anna_type, at("10:00"), "Fay", "fay@example.com")
    assert again["attendeeName"] == "Fay"
    assert not await Booking.filter(attendee_email="bob@example.com").exists()


async def test_each_users_my_data_holds_only_their_own(gql, sign_up):
    people = {
        "ada@example.com": ("Ada Lovelace-Qx", "ada-secret-detail"),
        "bob@example.com": ("Bob Bobbington-Zy", "bob-secret-detail"),
    }
    tokens = {}
    for email, (name, detail) in people.items():
        token, _ = await sign_up(email=email, name=name)
        tokens[email] = token
        (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
        (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=token)).ok()
        (await gql(SUBMIT, {"k": "ACCESS", "d": detail}, token=token)).ok()
        (await gql("mutation($p: String!) { recordActivity(path: $p) }", {"p": f"/{detail}"},
                   token=token)).ok()  # fmt: skip
        (await gql("mutation { requestDataExport }", token=token)).ok()

    for email, token in tokens.items():
        data = (await gql(MY_DATA, token=token)).ok()["myData"]
        dumped = json.dumps(data)
        name, detail = people[email]
        assert data["subject"]["email"] == email
        assert email in dumped and name in dumped and detail in dumped
        [(other_email, (other_name, other_detail))] = [
            (e, v) for e, v in people.items() if e != email
        ]
        assert other_email not in dumped
        assert other_name not in dumped and other_detail not in dumped
        user = await User.get(email=email)
        other = await User.get(email=other_email)
        assert data["data"]["account"] == [
            {**data["data"]["account"][0], "id": user.id, "email": email, "name": name}
        ]
        assert all(r["id"] != other.id for r in data["data"]["account"])
        assert len(data["data"]["privacyRequests"]) == 1
        assert len(data["data"]["activity"]) == 1
        assert len(data["data"]["consentHistory"]) == 2
        assert len(data["data"]["sessions"]) == 1
        assert len(data["data"]["dataExports"]) == 1


async def test_my_data_needs_sign_in(gql):
    assert (await gql(MY_DATA)).codes == ["UNAUTHENTICATED"]
