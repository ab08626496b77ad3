"""Bookings through the schema: what may be booked, who may manage a booking, idempotency,
isolation between hosts, the host's booking list and clients, and what bad input does."""

from datetime import UTC, datetime, timedelta

import pytest

from models.booking import Booking
from tests.graphql_ops import CREATE_TYPE, SLOTS, WEEKLY

NODE = (
    "id start end status attendeeName attendeeEmail attendeeTimeZone notes cancelReason manageToken"
)
BOOK = f"""mutation($i: BookMeetingInput!) {{ bookMeeting(input: $i) {{ {NODE} }} }}"""
CANCEL = """mutation($id: ID!, $t: String, $r: String) {
  cancelBooking(id: $id, manageToken: $t, reason: $r) { id status cancelReason manageToken } }"""
RESCHEDULE = """mutation($id: ID!, $s: DateTime!, $t: String) {
  rescheduleBooking(id: $id, start: $s, manageToken: $t) { id start end status } }"""
CONFIRM = """mutation($id: ID!) { confirmBooking(id: $id) { id status } }"""
ONE = f"""query($id: ID!) {{ booking(id: $id) {{ {NODE} eventType {{ slug }} }} }}"""
PAGE = """query($f: Int, $a: String, $s: BookingStatus, $o: BookingOrder!) {
  bookings(first: $f, after: $a, status: $s, order: $o) {
    edges { cursor node { id start status manageToken } }
    pageInfo { hasNextPage endCursor } totalCount } }"""
CLIENTS = """query($f: Int, $a: String) { clients(first: $f, after: $a) {
  edges { node { name email bookingCount lastBookingAt } }
  pageInfo { hasNextPage endCursor } totalCount } }"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
EVERY_DAY = [*WEEKDAYS, "SATURDAY", "SUNDAY"]
MONDAY = ("2030-01-07T00:00:00Z", "2030-01-08T00:00:00Z")


def at(hhmm: str, day: str = "2030-01-07") -> str:
    return f"{day}T{hhmm}:00+00:00"


@pytest.fixture
def new_host(gql, sign_up):
    """new_host(email, days, start, end, **event_type) -> (token, type id); UTC working hours."""

    async def create(email="host@example.com", days=WEEKDAYS, start="09:00", end="17:00", **values):
        token, _ = await sign_up(email=email, name="Hanna Host")
        weekly = [{"weekday": d, "start": start, "end": end} for d in days]
        (await gql(WEEKLY, {"tz": "UTC", "rules": weekly}, token=token)).ok()
        event_type = {"title": "Intro", "slug": "intro", "durationMinutes": 30, **values}
        created = (await gql(CREATE_TYPE, {"i": event_type}, token=token)).ok()
        return token, created["createEventType"]["id"]

    return create


@pytest.fixture
async def host(new_host):
    """Hanna works 09:00-17:00 UTC on weekdays and offers a 30-minute intro."""
    return await new_host()


@pytest.fixture
def book(gql):
    """book(type_id, start, token=None, **input) -> the Result of bookMeeting."""

    async def create(type_id, start, token=None, **values):
        values = {"name": "Ivy", "email": "ivy@example.com", **values}
        return await gql(
            BOOK, {"i": {"eventTypeId": type_id, "start": start, **values}}, token=token
        )

    return create


@pytest.fixture
def slots(gql):
    async def query(type_id, window=MONDAY):
        result = await gql(SLOTS, {"id": type_id, "s": window[0], "e": window[1]})
        return [s["start"] for s in result.ok()["availableSlots"]]

    return query


async def row(booking_id):
    found = await Booking.get(id=int(booking_id))
    return found.status, found.start.astimezone(UTC).isoformat()


def next_whole_hour(after: datetime) -> datetime:
    return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


# --- What may be booked --------------------------------------------------------------------------


async def test_a_booking_returns_its_details_and_a_manage_token(host, book):
    _, type_id = host
    result = await book(type_id, "2030-01-07T10:00:00+01:00", timeZone="Asia/Tokyo", notes=" Hi ")
    booking = result.ok()["bookMeeting"]
    assert booking["manageToken"].startswith("bnm_m_")
    assert {k: v for k, v in booking.items() if k not in ("id", "manageToken")} == {
        "start": "2030-01-07T09:00:00+00:00",
        "end": "2030-01-07T09:30:00+00:00",
        "status": "CONFIRMED",
        "attendeeName": "Ivy",
        "attendeeEmail": "ivy@example.com",
        "attendeeTimeZone": "Asia/Tokyo",
        "notes": "Hi",
        "cancelReason": None,
    }
    assert await Booking.all().count() == 1


@pytest.mark.parametrize(
    "start",
    [
        at("08:30"),  # before working hours
        at("17:00"),  # at the end of working hours
        at("16:45"),  # would run past the end
        at("09:10"),  # off the slot grid
        at("10:00", "2030-01-12"),  # Saturday
    ],
)
async def test_a_start_that_is_not_offered_is_a_conflict(host, book, start):
    _, type_id = host
    result = await book(type_id, start)
    assert result.codes == ["CONFLICT"]
    assert result.errors[0]["extensions"]["field"] == "start"
    assert await Booking.all().count() == 0


async def test_a_start_in_the_past_is_a_conflict(new_host, book):
    _, type_id = await new_host(days=EVERY_DAY, start="00:00", end="24:00", durationMinutes=60)
    past = next_whole_hour(datetime.now(UTC) - timedelta(days=2))
    assert (await book(type_id, past.isoformat())).codes == ["CONFLICT"]
    assert await Booking.all().count() == 0


async def test_a_start_before_the_minimum_notice_is_a_conflict(new_host, book):
    _, type_id = await new_host(
        days=EVERY_DAY, start="00:00", end="24:00", durationMinutes=60, minimumNoticeMinutes=1440
    )
    now = datetime.now(UTC)
    too_soon = next_whole_hour(now + timedelta(hours=2))
    assert (await book(type_id, too_soon.isoformat())).codes == ["CONFLICT"]
    assert await Booking.all().count() == 0
    in_time = next_whole_hour(now + timedelta(hours=25))
    assert (await book(type_id, in_time.isoformat())).ok()["bookMeeting"]["status"] == "CONFIRMED"


async def test_a_start_beyond_the_horizon_is_a_conflict(new_host, book):
    _, type_id = await new_host(
        days=EVERY_DAY, start="00:00", end="24:00", durationMinutes=60, horizonDays=2
    )
    now = datetime.now(UTC)
    assert (await book(type_id, next_whole_hour(now + timedelta(days=3)).isoformat())).codes == [
        "CONFLICT"
    ]
    assert (await book(type_id, next_whole_hour(now + timedelta(days=1)).isoformat())).ok()


async def test_a_start_inside_another_bookings_buffer_is_a_conflict(gql, host, book):
    token, type_id = host
    buffered = {"title": "Long", "slug": "long", "durationMinutes": 30, "bufferAfterMinutes": 15}
    other_id = (await gql(CREATE_TYPE, {"i": buffered}, token=token)).ok()["createEventType"]["id"]
    (await book(other_id, at("10:00"))).ok()
    assert (await book(type_id, at("10:30"), email="eve@example.com")).codes == ["CONFLICT"]
    assert (await book(type_id, at("11:00"), email="eve@example.com")).ok()
    assert await Booking.all().count() == 2


async def test_the_daily_limit_refuses_one_more_booking_that_day(new_host, book):
    _, type_id = await new_host(maxBookingsPerDay=1)
    (await book(type_id, at("09:00"))).ok()
    assert (await book(type_id, at("11:00"), email="eve@example.com")).codes == ["CONFLICT"]
    assert (await book(type_id, at("11:00", "2030-01-08"), email="eve@example.com")).ok()
    assert await Booking.all().count() == 2


async def test_every_offered_slot_of_a_round_the_clock_host_can_be_booked(new_host, book, slots):
    _, type_id = await new_host(days=EVERY_DAY, start="00:00", end="24:00", durationMinutes=50)
    offered = await slots(type_id)
    assert offered[:2] == [at("00:00"), at("00:50")]
    assert (await book(type_id, offered[1])).ok()["bookMeeting"]["start"] == offered[1]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"timeZone": "Nowhere/Special"}, "timeZone"),
        ({"notes": "x" * 5001}, "notes"),
        ({"idempotencyKey": ""}, "idempotencyKey"),
    ],
)
async def test_bad_booking_input_is_rejected_and_nothing_is_written(host, book, values, field):
    _, type_id = host
    result = await book(type_id, at("10:00"), **values)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await Booking.all().count() == 0


async def test_a_start_without_offset_is_bad_user_input(host, book):
    _, type_id = host
    result = await book(type_id, "2030-01-07T10:00:00")
    assert result.codes == ["BAD_USER_INPUT"] and result.data is None
    assert await Booking.all().count() == 0


@pytest.mark.parametrize("type_id", ["424242", "x"])
async def test_booking_an_unknown_event_type_is_not_found(host, book, type_id):
    assert (await book(type_id, at("10:00"))).codes == ["NOT_FOUND"]
    assert await Booking.all().count() == 0


# --- Confirmation --------------------------------------------------------------------------------


async def test_a_booking_that_needs_confirmation_is_pending_and_blocks_its_slot(
    new_host, book, slots
):
    _, type_id = await new_host(requiresConfirmation=True)
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    assert booking["status"] == "PENDING"
    assert at("10:00") not in await slots(type_id)
    assert len(await slots(type_id)) == 15
    assert (await book(type_id, at("10:00"), email="eve@example.com")).codes == ["CONFLICT"]


async def test_the_host_confirms_a_pending_booking_once(gql, new_host, book):
    token, type_id = await new_host(requiresConfirmation=True)
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    confirmed = await gql(CONFIRM, {"id": booking["id"]}, token=token)
    assert confirmed.ok()["confirmBooking"] == {"id": booking["id"], "status": "CONFIRMED"}
    assert (await gql(CONFIRM, {"id": booking["id"]}, token=token)).codes == ["CONFLICT"]
    assert await row(booking["id"]) == ("CONFIRMED", at("10:00"))


async def test_only_the_host_can_confirm(gql, new_host, sign_up, book):
    _, type_id = await new_host(requiresConfirmation=True)
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    stranger, _ = await sign_up(email="stranger@example.com", name="Stranger")
    assert (await gql(CONFIRM, {"id": booking["id"]}, token=stranger)).codes == ["NOT_FOUND"]
    assert (await gql(CONFIRM, {"id": booking["id"]})).codes == ["UNAUTHENTICATED"]
    assert await row(booking["id"]) == ("PENDING", at("10:00"))


async def test_a_confirmed_or_cancelled_booking_cannot_be_confirmed(gql, host, book):
    token, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    assert (await gql(CONFIRM, {"id": booking["id"]}, token=token)).codes == ["CONFLICT"]
    (await gql(CANCEL, {"id": booking["id"]}, token=token)).ok()
    assert (await gql(CONFIRM, {"id": booking["id"]}, token=token)).codes == ["CONFLICT"]
    assert await row(booking["id"]) == ("CANCELLED", at("10:00"))


# --- Managing a booking --------------------------------------------------------------------------


async def test_the_manage_token_cancels_without_an_account(gql, host, book, slots):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    result = await gql(CANCEL, {"id": booking["id"], "t": booking["manageToken"], "r": " Ill "})
    assert result.ok()["cancelBooking"] == {
        "id": booking["id"],
        "status": "CANCELLED",
        "cancelReason": "Ill",
        "manageToken": None,
    }
    assert at("10:00") in await slots(type_id)


async def test_the_manage_token_reschedules_without_an_account(gql, host, book, slots):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    variables = {"id": booking["id"], "s": "2030-01-08T14:00:00+01:00", "t": booking["manageToken"]}
    moved = (await gql(RESCHEDULE, variables)).ok()["rescheduleBooking"]
    assert moved == {
        "id": booking["id"],
        "start": at("13:00", "2030-01-08"),
        "end": at("13:30", "2030-01-08"),
        "status": "CONFIRMED",
    }
    assert at("10:00") in await slots(type_id)
    tuesday = ("2030-01-08T00:00:00Z", "2030-01-09T00:00:00Z")
    assert at("13:00", "2030-01-08") not in await slots(type_id, tuesday)
    assert await Booking.all().count() == 1


async def test_a_meeting_can_move_onto_part_of_its_own_time(gql, new_host, book):
    _, type_id = await new_host(durationMinutes=60, slotIntervalMinutes=30)
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    variables = {"id": booking["id"], "s": at("10:30"), "t": booking["manageToken"]}
    assert (await gql(RESCHEDULE, variables)).ok()["rescheduleBooking"]["start"] == at("10:30")


@pytest.mark.parametrize("token", ["bnm_m_forged", "", None])
async def test_without_the_right_token_a_booking_is_not_found_and_unchanged(gql, host, book, token):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    cancel = await gql(CANCEL, {"id": booking["id"], "t": token})
    assert cancel.codes == ["NOT_FOUND"]
    moved = await gql(RESCHEDULE, {"id": booking["id"], "s": at("11:00"), "t": token})
    assert moved.codes == ["NOT_FOUND"]
    assert await row(booking["id"]) == ("CONFIRMED", at("10:00"))


async def test_another_bookings_token_does_not_manage_this_one(gql, host, book):
    _, type_id = host
    mine = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    theirs = (await book(type_id, at("11:00"), email="eve@example.com")).ok()["bookMeeting"]
    assert (await gql(CANCEL, {"id": mine["id"], "t": theirs["manageToken"]})).codes == [
        "NOT_FOUND"
    ]
    assert await row(mine["id"]) == ("CONFIRMED", at("10:00"))


async def test_a_signed_in_booker_cancels_their_own_booking_without_the_token(
    gql, host, book, sign_up
):
    _, type_id = host
    booker, _ = await sign_up(email="bob@example.com", name="Bob")
    booking = (await book(type_id, at("10:00"), token=booker)).ok()["bookMeeting"]
    cancelled = await gql(CANCEL, {"id": booking["id"]}, token=booker)
    assert cancelled.ok()["cancelBooking"]["status"] == "CANCELLED"


async def test_another_signed_in_user_cannot_manage_a_booking(gql, host, book, sign_up):
    _, type_id = host
    booker, _ = await sign_up(email="bob@example.com", name="Bob")
    stranger, _ = await sign_up(email="mallory@example.com", name="Mallory")
    booking = (await book(type_id, at("10:00"), token=booker)).ok()["bookMeeting"]
    assert (await gql(CANCEL, {"id": booking["id"]}, token=stranger)).codes == ["NOT_FOUND"]
    moved = await gql(RESCHEDULE, {"id": booking["id"], "s": at("11:00")}, token=stranger)
    assert moved.codes == ["NOT_FOUND"]
    assert await row(booking["id"]) == ("CONFIRMED", at("10:00"))


async def test_the_host_cancels_without_the_token(gql, host, book):
    token, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    cancelled = await gql(CANCEL, {"id": booking["id"]}, token=token)
    assert cancelled.ok()["cancelBooking"]["status"] == "CANCELLED"


async def test_cancelling_twice_is_a_conflict(gql, host, book):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    variables = {"id": booking["id"], "t": booking["manageToken"]}
    (await gql(CANCEL, {**variables, "r": "first"})).ok()
    assert (await gql(CANCEL, {**variables, "r": "second"})).codes == ["CONFLICT"]
    assert (await Booking.get(id=int(booking["id"]))).cancel_reason == "first"


async def test_a_cancelled_booking_cannot_be_rescheduled(gql, host, book):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    (await gql(CANCEL, {"id": booking["id"], "t": booking["manageToken"]})).ok()
    moved = await gql(
        RESCHEDULE, {"id": booking["id"], "s": at("11:00"), "t": booking["manageToken"]}
    )
    assert moved.codes == ["CONFLICT"]
    assert await row(booking["id"]) == ("CANCELLED", at("10:00"))


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at("11:00"), "CONFLICT"),  # taken by another booking
        (at("11:10"), "CONFLICT"),  # off the slot grid
        (at("08:00"), "CONFLICT"),  # outside working hours
        ("2030-01-07T11:30:00", "BAD_USER_INPUT"),  # no offset
    ],
)
async def test_rescheduling_onto_an_unavailable_start_leaves_the_booking_unchanged(
    gql, host, book, start, code
):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    (await book(type_id, at("11:00"), email="eve@example.com")).ok()
    moved = await gql(RESCHEDULE, {"id": booking["id"], "s": start, "t": booking["manageToken"]})
    assert moved.codes == [code]
    assert await row(booking["id"]) == ("CONFIRMED", at("10:00"))


async def test_the_manage_token_is_never_shown_again(gql, host, book):
    token, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    assert booking["manageToken"]
    one = (await gql(ONE, {"id": booking["id"]}, token=token)).ok()["booking"]
    assert one["manageToken"] is None and one["eventType"] == {"slug": "intro"}
    page = (await gql(PAGE, {"o": "NEWEST_FIRST"}, token=token)).ok()["bookings"]
    assert [e["node"]["manageToken"] for e in page["edges"]] == [None]
    assert (await Booking.get(id=int(booking["id"]))).manage_token_hash != booking["manageToken"]


# --- Idempotency ---------------------------------------------------------------------------------


async def test_the_same_idempotency_key_and_input_return_the_same_booking(host, book):
    _, type_id = host
    first = (await book(type_id, at("10:00"), idempotencyKey="k-1")).ok()["bookMeeting"]
    again = (await book(type_id, at("10:00"), idempotencyKey="k-1")).ok()["bookMeeting"]
    assert again["id"] == first["id"] and again["start"] == at("10:00")
    assert await Booking.all().count() == 1


@pytest.mark.parametrize(
    "change", [{"start": at("11:00")}, {"name": "Eve"}, {"email": "eve@example.com"}]
)
async def test_the_same_idempotency_key_with_different_input_is_a_conflict(host, book, change):
    _, type_id = host
    (await book(type_id, at("10:00"), idempotencyKey="k-1")).ok()
    values = {"start": at("10:00"), "idempotencyKey": "k-1", **change}
    again = await book(type_id, **values)
    assert again.codes == ["CONFLICT"]
    assert again.errors[0]["extensions"]["field"] == "idempotencyKey"
    assert await Booking.all().count() == 1


async def test_different_idempotency_keys_are_different_requests(host, book):
    _, type_id = host
    (await book(type_id, at("10:00"), idempotencyKey="k-1")).ok()
    assert (await book(type_id, at("10:00"), idempotencyKey="k-2")).codes == ["CONFLICT"]
    assert (await book(type_id, at("11:00"), idempotencyKey="k-2")).ok()
    assert await Booking.all().count() == 2


# --- Isolation between hosts ---------------------------------------------------------------------


async def test_another_host_sees_none_of_the_bookings(gql, host, new_host, book):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    other, _ = await new_host(email="other@example.com")
    page = (await gql(PAGE, {"o": "NEWEST_FIRST"}, token=other)).ok()["bookings"]
    assert page == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "totalCount": 0,
    }
    assert (await gql(ONE, {"id": booking["id"]}, token=other)).codes == ["NOT_FOUND"]
    assert (await gql(CANCEL, {"id": booking["id"]}, token=other)).codes == ["NOT_FOUND"]
    assert (await gql(CONFIRM, {"id": booking["id"]}, token=other)).codes == ["NOT_FOUND"]
    clients = (await gql(CLIENTS, {}, token=other)).ok()["clients"]
    assert clients["edges"] == [] and clients["totalCount"] == 0
    assert await row(booking["id"]) == ("CONFIRMED", at("10:00"))


async def test_another_hosts_bookings_do_not_block_this_host(new_host, book, slots):
    _, first = await new_host()
    _, second = await new_host(email="other@example.com")
    (await book(first, at("10:00"))).ok()
    assert at("10:00") in await slots(second)
    assert (await book(second, at("10:00"))).ok()


@pytest.mark.parametrize("query", ["booking", "bookings", "clients"])
async def test_host_views_need_a_signed_in_host(gql, host, book, query):
    _, type_id = host
    booking = (await book(type_id, at("10:00"))).ok()["bookMeeting"]
    operation, variables = {
        "booking": (ONE, {"id": booking["id"]}),
        "bookings": (PAGE, {"o": "START_ASC"}),
        "clients": (CLIENTS, {}),
    }[query]
    assert (await gql(operation, variables)).codes == ["UNAUTHENTICATED"]


async def test_an_unknown_booking_is_not_found(gql, host):
    token, _ = host
    assert (await gql(ONE, {"id": "424242"}, token=token)).codes == ["NOT_FOUND"]


# --- The host's booking list ---------------------------------------------------------------------

# Created in this order; START_ASC sorts them 09:00, 10:00, 11:00, 13:00, 15:00.
CREATED = ["13:00", "09:00", "15:00", "10:00", "11:00"]


@pytest.fixture
async def five(host, book):
    token, type_id = host
    ids = []
    for i, hhmm in enumerate(CREATED):
        booked = await book(type_id, at(hhmm), email=f"c{i}@example.com")
        ids.append(booked.ok()["bookMeeting"]["id"])
    return token, dict(zip(CREATED, ids, strict=True))


async def all_pages(gql, token, order, status=None, first=2):
    """Every page of `bookings`, following endCursor: ([(start HH:MM) per page], totalCounts)."""
    pages, totals, after = [], [], None
    while True:
        variables = {"f": first, "a": after, "o": order, "s": status}
        page = (await gql(PAGE, variables, token=token)).ok()["bookings"]
        pages.append([e["node"]["start"][11:16] for e in page["edges"]])
        totals.append(page["totalCount"])
        if page["edges"]:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return pages, totals
        after = page["pageInfo"]["endCursor"]


async def test_newest_first_pages_cover_every_booking_once(gql, five):
    token, _ = five
    pages, totals = await all_pages(gql, token, "NEWEST_FIRST")
    assert pages == [["11:00", "10:00"], ["15:00", "09:00"], ["13:00"]]
    assert totals == [5, 5, 5]


async def test_start_ascending_pages_cover_every_booking_once(gql, five):
    token, _ = five
    pages, totals = await all_pages(gql, token, "START_ASC")
    assert pages == [["09:00", "10:00"], ["11:00", "13:00"], ["15:00"]]
    assert totals == [5, 5, 5]


async def test_the_status_filter_pages_and_counts_only_that_status(gql, five):
    token, ids = five
    for hhmm in ("09:00", "15:00"):
        (await gql(CANCEL, {"id": ids[hhmm]}, token=token)).ok()
    assert await all_pages(gql, token, "START_ASC", "CANCELLED") == ([["09:00", "15:00"]], [2])
    assert await all_pages(gql, token, "START_ASC", "CONFIRMED") == (
        [["10:00", "11:00"], ["13:00"]],
        [3, 3],
    )
    assert await all_pages(gql, token, "START_ASC", "PENDING") == ([[]], [0])


async def test_the_default_page_is_newest_first(gql, five):
    token, _ = five
    page = (await gql("{ bookings { edges { node { start } } totalCount } }", token=token)).ok()
    starts = [e["node"]["start"][11:16] for e in page["bookings"]["edges"]]
    assert starts == list(reversed(CREATED)) and page["bookings"]["totalCount"] == 5


@pytest.mark.parametrize("first", [101, -1])
async def test_a_page_size_out_of_range_is_bad_user_input(gql, five, first):
    token, _ = five
    result = await gql(PAGE, {"f": first, "o": "NEWEST_FIRST"}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "first"


async def test_a_page_of_100_is_allowed(gql, five):
    token, _ = five
    page = (await gql(PAGE, {"f": 100, "o": "START_ASC"}, token=token)).ok()["bookings"]
    assert len(page["edges"]) == 5 and page["pageInfo"]["hasNextPage"] is False


async def test_a_made_up_cursor_is_bad_user_input(gql, five):
    token, _ = five
    result = await gql(PAGE, {"f": 2, "a": "not-a-cursor", "o": "NEWEST_FIRST"}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("made_for", "used_with"), [("NEWEST_FIRST", "START_ASC"), ("START_ASC", "NEWEST_FIRST")]
)
async def test_a_cursor_of_the_other_order_is_bad_user_input(gql, five, made_for, used_with):
    token, _ = five
    page = (await gql(PAGE, {"f": 2, "o": made_for}, token=token)).ok()["bookings"]
    variables = {"f": 2, "a": page["pageInfo"]["endCursor"], "o": used_with}
    assert (await gql(PAGE, variables, token=token)).codes == ["BAD_USER_INPUT"]


# --- Clients -------------------------------------------------------------------------------------


async def test_clients_are_summarised_from_bookings_most_recent_first(gql, host, book):
    token, type_id = host
    (await book(type_id, at("13:00"), email="IVY@Example.com")).ok()
    (await book(type_id, at("09:00"))).ok()
    (await book(type_id, at("10:00", "2030-01-08"), name="Eve", email="eve@example.com")).ok()
    result = (await gql(CLIENTS, {}, token=token)).ok()["clients"]
    assert [e["node"] for e in result["edges"]] == [
        {
            "name": "Eve",
            "email": "eve@example.com",
            "bookingCount": 1,
            "lastBookingAt": "2030-01-08T10:00:00+00:00",
        },
        {
            "name": "Ivy",
            "email": "ivy@example.com",
            "bookingCount": 2,
            "lastBookingAt": "2030-01-07T13:00:00+00:00",
        },
    ]
    assert result["totalCount"] == 2 and result["pageInfo"]["hasNextPage"] is False


async def test_clients_page_through_with_after(gql, host, book):
    token, type_id = host
    for i, hhmm in enumerate(["09:00", "10:00", "11:00"]):
        (await book(type_id, at(hhmm), email=f"c{i}@example.com")).ok()
    first = (await gql(CLIENTS, {"f": 2}, token=token)).ok()["clients"]
    assert [e["node"]["email"] for e in first["edges"]] == ["c2@example.com", "c1@example.com"]
    assert first["pageInfo"]["hasNextPage"] is True and first["totalCount"] == 3
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(CLIENTS, {"f": 2, "a": after}, token=token)).ok()["clients"]
    assert [e["node"]["email"] for e in rest["edges"]] == ["c0@example.com"]
    assert rest["pageInfo"]["hasNextPage"] is False
