"""availableSlots through the schema: working hours across DST, overrides, buffers, the event
type's rules, the zone slots are shown in, and what bad input does."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.graphql_ops import CREATE_TYPE, WEEKLY

OVERRIDE = """mutation($d: Date!, $i: [TimeRangeInput!]!) {
  setDateOverride(date: $d, intervals: $i) { timeZone } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!, $tz: String) {
  availableSlots(eventTypeId: $id, start: $s, end: $e, timeZone: $tz) { start end } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id start } }"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
EVERY_DAY = [*WEEKDAYS, "SATURDAY", "SUNDAY"]


def rules(days=WEEKDAYS, start="09:00", end="17:00"):
    return [{"weekday": d, "start": start, "end": end} for d in days]


@pytest.fixture
def host(gql, sign_up):
    """host(zone, weekly_rules, **event_type) -> (token, event type id) of a fresh host."""
    count = 0

    async def create(zone="UTC", weekly=None, **event_type):
        nonlocal count
        count += 1
        token, _ = await sign_up(email=f"host{count}@example.com", name=f"Host {count}")
        weekly = rules() if weekly is None else weekly
        (await gql(WEEKLY, {"tz": zone, "rules": weekly}, token=token)).ok()
        values = {"title": "Call", "slug": "call", "durationMinutes": 30, **event_type}
        created = (await gql(CREATE_TYPE, {"i": values}, token=token)).ok()
        return token, created["createEventType"]["id"]

    return create


@pytest.fixture
def slots(gql):
    """slots(type_id, start, end, tz=None) -> the offered slot starts, as returned."""

    async def query(type_id, start, end, tz=None):
        result = await gql(SLOTS, {"id": type_id, "s": start, "e": end, "tz": tz})
        return [s["start"] for s in result.ok()["availableSlots"]]

    return query


@pytest.fixture
def book(gql):
    async def create(type_id, start, email="ivy@example.com"):
        variables = {"i": {"eventTypeId": type_id, "start": start, "name": "Ivy", "email": email}}
        return (await gql(BOOK, variables)).ok()["bookMeeting"]

    return create


def local_day(zone: str, day: str) -> tuple[str, str]:
    """The window of one local day in `zone`, as DateTimes with offsets."""
    tz = ZoneInfo(zone)
    first = date.fromisoformat(day)
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(first + timedelta(days=1), time(0), tz)
    return start.isoformat(), end.isoformat()


def utc(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


# --- DST: weekly 09:00-17:00 wall-clock rules move in UTC with the host's zone ---------------


@pytest.mark.parametrize(
    ("zone", "day", "first", "last"),
    [
        ("Europe/London", "2027-03-26", "2027-03-26T09:00", "2027-03-26T16:00"),
        ("Europe/London", "2027-03-29", "2027-03-29T08:00", "2027-03-29T15:00"),
        ("Europe/London", "2027-10-29", "2027-10-29T08:00", "2027-10-29T15:00"),
        ("Europe/London", "2027-11-01", "2027-11-01T09:00", "2027-11-01T16:00"),
        ("America/New_York", "2027-03-12", "2027-03-12T14:00", "2027-03-12T21:00"),
        ("America/New_York", "2027-03-15", "2027-03-15T13:00", "2027-03-15T20:00"),
        ("America/New_York", "2027-11-05", "2027-11-05T13:00", "2027-11-05T20:00"),
        ("America/New_York", "2027-11-08", "2027-11-08T14:00", "2027-11-08T21:00"),
        ("Pacific/Auckland", "2027-04-02", "2027-04-01T20:00", "2027-04-02T03:00"),
        ("Pacific/Auckland", "2027-04-05", "2027-04-04T21:00", "2027-04-05T04:00"),
        ("Australia/Lord_Howe", "2027-04-02", "2027-04-01T22:00", "2027-04-02T05:00"),
        ("Australia/Lord_Howe", "2027-04-05", "2027-04-04T22:30", "2027-04-05T05:30"),
    ],
)
async def test_weekday_hours_in_utc_either_side_of_a_dst_change(
    host, slots, zone, day, first, last
):
    _, type_id = await host(zone, durationMinutes=60)
    found = await slots(type_id, *local_day(zone, day), "UTC")
    assert len(found) == 8
    assert (found[0], found[-1]) == (f"{first}:00+00:00", f"{last}:00+00:00")


async def test_one_window_across_the_london_spring_change_shifts_by_an_hour(host, slots):
    _, type_id = await host("Europe/London", durationMinutes=60)
    found = await slots(type_id, "2027-03-26T00:00:00Z", "2027-03-30T00:00:00Z", "UTC")
    assert len(found) == 16
    assert found[:2] == ["2027-03-26T09:00:00+00:00", "2027-03-26T10:00:00+00:00"]
    assert found[7:9] == ["2027-03-26T16:00:00+00:00", "2027-03-29T08:00:00+00:00"]
    assert found[-1] == "2027-03-29T15:00:00+00:00"


async def test_slots_default_to_the_host_zone_and_its_offset_of_the_day(host, slots):
    _, type_id = await host("Europe/London", durationMinutes=60)
    found = await slots(type_id, "2027-03-26T00:00:00Z", "2027-03-30T00:00:00Z")
    assert found[0] == "2027-03-26T09:00:00+00:00"
    assert found[8] == "2027-03-29T09:00:00+01:00"


async def test_slots_carry_the_offset_of_the_requested_zone(gql, host):
    _, type_id = await host("Europe/London", durationMinutes=60)
    variables = {"id": type_id, "s": "2027-03-12T00:00:00Z", "e": "2027-03-16T00:00:00Z"}
    result = await gql(SLOTS, {**variables, "tz": "America/New_York"})
    found = result.ok()["availableSlots"]
    assert found[0] == {"start": "2027-03-12T04:00:00-05:00", "end": "2027-03-12T05:00:00-05:00"}
    assert found[8] == {"start": "2027-03-15T05:00:00-04:00", "end": "2027-03-15T06:00:00-04:00"}


async def test_a_sunday_rule_across_the_lord_howe_half_hour_fall_back(host, slots):
    # 02:00 +11:00 becomes 01:30 +10:30: 01:00-03:00 on the wall lasts 2.5 h, 01:30 happens twice.
    _, type_id = await host("Australia/Lord_Howe", weekly=rules(["SUNDAY"], "01:00", "03:00"))
    found = await slots(type_id, *local_day("Australia/Lord_Howe", "2027-04-04"))
    assert found == [
        "2027-04-04T01:00:00+11:00",
        "2027-04-04T01:30:00+11:00",
        "2027-04-04T01:30:00+10:30",
        "2027-04-04T02:00:00+10:30",
        "2027-04-04T02:30:00+10:30",
    ]


async def test_a_sunday_rule_across_the_auckland_fall_back(host, slots):
    # 03:00 +13:00 becomes 02:00 +12:00: 01:00-04:00 on the wall lasts 4 h.
    _, type_id = await host(
        "Pacific/Auckland", weekly=rules(["SUNDAY"], "01:00", "04:00"), durationMinutes=60
    )
    found = await slots(type_id, *local_day("Pacific/Auckland", "2027-04-04"))
    assert found == [
        "2027-04-04T01:00:00+13:00",
        "2027-04-04T02:00:00+13:00",
        "2027-04-04T02:00:00+12:00",
        "2027-04-04T03:00:00+12:00",
    ]
    assert [utc(s) for s in found] == [
        "2027-04-03T12:00:00+00:00",
        "2027-04-03T13:00:00+00:00",
        "2027-04-03T14:00:00+00:00",
        "2027-04-03T15:00:00+00:00",
    ]


async def test_a_rule_starting_in_the_spring_gap_starts_at_the_transition(host, slots):
    # 01:30 does not exist in London on 2027-03-28: the rule starts at 01:00Z (02:00 BST).
    _, type_id = await host("Europe/London", weekly=rules(["SUNDAY"], "01:30", "03:00"))
    found = await slots(type_id, *local_day("Europe/London", "2027-03-28"))
    assert found == ["2027-03-28T02:00:00+01:00", "2027-03-28T02:30:00+01:00"]


async def test_a_rule_starting_at_an_ambiguous_time_starts_at_its_first_occurrence(host, slots):
    # 01:30 happens twice in London on 2027-10-31; the first is 00:30Z, so 01:30-03:00 lasts 2.5 h.
    _, type_id = await host("Europe/London", weekly=rules(["SUNDAY"], "01:30", "03:00"))
    found = await slots(type_id, *local_day("Europe/London", "2027-10-31"), "UTC")
    assert found == [
        "2027-10-31T00:30:00+00:00",
        "2027-10-31T01:00:00+00:00",
        "2027-10-31T01:30:00+00:00",
        "2027-10-31T02:00:00+00:00",
        "2027-10-31T02:30:00+00:00",
    ]


async def test_the_repeated_half_hour_can_be_booked_and_only_that_instant_goes(host, slots, book):
    zone = "Australia/Lord_Howe"
    _, type_id = await host(zone, weekly=rules(["SUNDAY"], "01:00", "03:00"))
    booked = await book(type_id, "2027-04-04T01:30:00+10:30")
    assert utc(booked["start"]) == "2027-04-03T15:00:00+00:00"
    found = await slots(type_id, *local_day(zone, "2027-04-04"))
    assert "2027-04-04T01:30:00+11:00" in found
    assert "2027-04-04T01:30:00+10:30" not in found and len(found) == 4


async def test_new_york_spring_sunday_loses_the_missing_hour(host, slots):
    _, type_id = await host(
        "America/New_York", weekly=rules(["SUNDAY"], "01:00", "04:00"), durationMinutes=60
    )
    found = await slots(type_id, *local_day("America/New_York", "2027-03-14"))
    assert found == ["2027-03-14T01:00:00-05:00", "2027-03-14T03:00:00-04:00"]


# --- Overrides ---------------------------------------------------------------------------------

MONDAY = ("2030-01-07T00:00:00Z", "2030-01-08T00:00:00Z")
TUESDAY = ("2030-01-08T00:00:00Z", "2030-01-09T00:00:00Z")
SATURDAY = ("2030-01-12T00:00:00Z", "2030-01-13T00:00:00Z")


async def test_a_day_off_override_removes_every_slot_of_that_day_only(gql, host, slots):
    token, type_id = await host()
    (await gql(OVERRIDE, {"d": "2030-01-07", "i": []}, token=token)).ok()
    assert await slots(type_id, *MONDAY) == []
    assert len(await slots(type_id, *TUESDAY)) == 16


async def test_a_shorter_day_override_replaces_the_weekly_rules(gql, host, slots):
    token, type_id = await host()
    (
        await gql(
            OVERRIDE, {"d": "2030-01-07", "i": [{"start": "10:00", "end": "12:00"}]}, token=token
        )
    ).ok()
    assert await slots(type_id, *MONDAY) == [
        "2030-01-07T10:00:00+00:00",
        "2030-01-07T10:30:00+00:00",
        "2030-01-07T11:00:00+00:00",
        "2030-01-07T11:30:00+00:00",
    ]


async def test_an_override_on_a_weekend_day_adds_slots(gql, host, slots):
    token, type_id = await host()
    assert await slots(type_id, *SATURDAY) == []
    (
        await gql(
            OVERRIDE, {"d": "2030-01-12", "i": [{"start": "10:00", "end": "11:00"}]}, token=token
        )
    ).ok()
    assert await slots(type_id, *SATURDAY) == [
        "2030-01-12T10:00:00+00:00",
        "2030-01-12T10:30:00+00:00",
    ]


async def test_an_override_is_read_in_the_host_zone(gql, host, slots):
    # Auckland (+13:00 in January): the local Monday 10:00-11:00 is Sunday 21:00-22:00 UTC.
    token, type_id = await host("Pacific/Auckland")
    (
        await gql(
            OVERRIDE, {"d": "2030-01-07", "i": [{"start": "10:00", "end": "11:00"}]}, token=token
        )
    ).ok()
    found = await slots(type_id, *local_day("Pacific/Auckland", "2030-01-07"), "UTC")
    assert found == ["2030-01-06T21:00:00+00:00", "2030-01-06T21:30:00+00:00"]


# --- Bookings and buffers ----------------------------------------------------------------------


async def test_another_event_types_buffer_after_blocks_the_next_slot(gql, host, slots, book):
    token, type_id = await host()
    other = {"title": "Long", "slug": "long", "durationMinutes": 30, "bufferAfterMinutes": 15}
    other_id = (await gql(CREATE_TYPE, {"i": other}, token=token)).ok()["createEventType"]["id"]
    await book(other_id, "2030-01-07T10:00:00Z")
    found = await slots(type_id, "2030-01-07T09:00:00Z", "2030-01-07T12:00:00Z")
    assert found == [
        "2030-01-07T09:00:00+00:00",
        "2030-01-07T09:30:00+00:00",
        "2030-01-07T11:00:00+00:00",
        "2030-01-07T11:30:00+00:00",
    ]


async def test_the_event_types_own_buffer_before_blocks_the_slot_after_a_booking(
    gql, host, slots, book
):
    token, type_id = await host(bufferBeforeMinutes=15)
    plain = {"title": "Plain", "slug": "plain", "durationMinutes": 30}
    plain_id = (await gql(CREATE_TYPE, {"i": plain}, token=token)).ok()["createEventType"]["id"]
    await book(plain_id, "2030-01-07T10:00:00Z")
    found = await slots(type_id, "2030-01-07T09:00:00Z", "2030-01-07T12:00:00Z")
    assert found == [
        "2030-01-07T09:00:00+00:00",
        "2030-01-07T09:30:00+00:00",
        "2030-01-07T11:00:00+00:00",
        "2030-01-07T11:30:00+00:00",
    ]
    assert await slots(plain_id, "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z") == [
        "2030-01-07T10:30:00+00:00"
    ]


async def test_a_slot_interval_shorter_than_the_meeting_overlaps_slots(gql, host, slots):
    _, type_id = await host(
        weekly=rules(["MONDAY"], "09:00", "12:00"), durationMinutes=60, slotIntervalMinutes=30
    )
    result = await gql(SLOTS, {"id": type_id, "s": MONDAY[0], "e": MONDAY[1]})
    found = result.ok()["availableSlots"]
    assert [s["start"][11:16] for s in found] == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert found[1] == {"start": "2030-01-07T09:30:00+00:00", "end": "2030-01-07T10:30:00+00:00"}


async def test_a_slot_interval_longer_than_the_meeting_leaves_gaps(host, slots):
    _, type_id = await host(
        weekly=rules(["MONDAY"], "09:00", "12:00"), durationMinutes=30, slotIntervalMinutes=60
    )
    found = await slots(type_id, *MONDAY)
    assert found == [
        "2030-01-07T09:00:00+00:00",
        "2030-01-07T10:00:00+00:00",
        "2030-01-07T11:00:00+00:00",
    ]


async def test_max_bookings_per_day_counts_the_host_local_day(host, slots, book):
    # Auckland is +13:00 in January: the local Tuesday 09:00-17:00 is Monday 20:00 - Tuesday 04:00
    # UTC. Two bookings early on the local Tuesday fill it, including its hours on the UTC Tuesday.
    _, type_id = await host("Pacific/Auckland", durationMinutes=60, maxBookingsPerDay=2)
    await book(type_id, "2030-01-08T09:00:00+13:00")
    await book(type_id, "2030-01-08T10:00:00+13:00", email="eve@example.com")
    assert await slots(type_id, *local_day("Pacific/Auckland", "2030-01-08")) == []
    wednesday = await slots(type_id, *local_day("Pacific/Auckland", "2030-01-09"))
    assert len(wednesday) == 8 and wednesday[0] == "2030-01-09T09:00:00+13:00"


async def test_max_bookings_per_day_leaves_the_day_open_below_the_limit(host, slots, book):
    _, type_id = await host(durationMinutes=60, maxBookingsPerDay=2)
    await book(type_id, "2030-01-07T09:00:00Z")
    found = await slots(type_id, *MONDAY)
    assert len(found) == 7 and found[0] == "2030-01-07T10:00:00+00:00"


async def test_a_cancelled_booking_does_not_count_towards_the_daily_limit(gql, host, slots, book):
    _, type_id = await host(durationMinutes=60, maxBookingsPerDay=1)
    booked = await gql(
        """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id manageToken } }""",
        {
            "i": {
                "eventTypeId": type_id,
                "start": "2030-01-07T09:00:00Z",
                "name": "Ivy",
                "email": "ivy@example.com",
            }
        },
    )
    booking = booked.ok()["bookMeeting"]
    assert await slots(type_id, *MONDAY) == []
    cancel = """mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { id } }"""
    (await gql(cancel, {"id": booking["id"], "t": booking["manageToken"]})).ok()
    assert len(await slots(type_id, *MONDAY)) == 8


# --- Rules relative to now: minimum notice and horizon -------------------------------------------


def whole_hour_at_or_after(instant: datetime) -> datetime:
    floor = instant.replace(minute=0, second=0, microsecond=0)
    return floor if floor == instant else floor + timedelta(hours=1)


def whole_hour_before(instant: datetime) -> datetime:
    return whole_hour_at_or_after(instant) - timedelta(hours=1)


def midnight(instant: datetime) -> datetime:
    return instant.replace(hour=0, minute=0, second=0, microsecond=0)


async def test_minimum_notice_hides_slots_too_soon(host, slots):
    _, type_id = await host(
        weekly=rules(EVERY_DAY, "00:00", "24:00"), durationMinutes=60, minimumNoticeMinutes=180
    )
    before = datetime.now(UTC)
    start = midnight(before)
    found = await slots(type_id, start.isoformat(), (start + timedelta(days=3)).isoformat())
    after = datetime.now(UTC)
    first = datetime.fromisoformat(found[0])
    assert first in {
        whole_hour_at_or_after(before + timedelta(hours=3)),
        whole_hour_at_or_after(after + timedelta(hours=3)),
    }
    assert datetime.fromisoformat(found[-1]) == start + timedelta(days=3, hours=-1)


async def test_horizon_days_hides_slots_too_far_ahead(host, slots):
    _, type_id = await host(
        weekly=rules(EVERY_DAY, "00:00", "24:00"), durationMinutes=60, horizonDays=2
    )
    before = datetime.now(UTC)
    start = midnight(before) + timedelta(days=1)
    found = await slots(type_id, start.isoformat(), (start + timedelta(days=5)).isoformat())
    after = datetime.now(UTC)
    assert datetime.fromisoformat(found[0]) == start
    last = datetime.fromisoformat(found[-1])
    assert last in {
        whole_hour_before(before + timedelta(days=2)),
        whole_hour_before(after + timedelta(days=2)),
    }
    assert len(found) == int((last - start) / timedelta(hours=1)) + 1


async def test_slots_in_the_past_are_never_offered(host, slots):
    _, type_id = await host(weekly=rules(EVERY_DAY, "00:00", "24:00"), durationMinutes=60)
    now = datetime.now(UTC)
    found = await slots(
        type_id, midnight(now - timedelta(days=3)).isoformat(), midnight(now).isoformat()
    )
    assert found == []


# --- The window --------------------------------------------------------------------------------


async def test_the_window_is_half_open(host, slots):
    _, type_id = await host()
    found = await slots(type_id, "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z")
    assert found == ["2030-01-07T10:00:00+00:00", "2030-01-07T10:30:00+00:00"]


async def test_a_window_of_exactly_62_days_is_allowed(host, slots):
    _, type_id = await host(durationMinutes=480)
    found = await slots(type_id, "2030-01-07T00:00:00Z", "2030-03-10T00:00:00Z")
    assert len(found) == 45  # 8 weeks and Mon-Sat: 45 working days, one 8-hour slot each


async def test_a_window_starting_mid_slot_keeps_the_slot_grid(host, slots):
    _, type_id = await host()
    found = await slots(type_id, "2030-01-07T09:10:00Z", "2030-01-07T11:00:00Z")
    assert found == [
        "2030-01-07T09:30:00+00:00",
        "2030-01-07T10:00:00+00:00",
        "2030-01-07T10:30:00+00:00",
    ]


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "tz"),
    [
        ("2030-01-08T00:00:00Z", "2030-01-07T00:00:00Z", None),  # end before start
        ("2030-01-07T00:00:00Z", "2030-01-07T00:00:00Z", None),  # empty window
        ("2030-01-07T00:00:00Z", "2030-03-10T00:00:01Z", None),  # more than 62 days
        ("2030-01-07T00:00:00Z", "2030-01-08T00:00:00Z", "Mars/Olympus_Mons"),
        ("2030-01-07T09:00:00", "2030-01-08T00:00:00Z", None),  # no offset
        ("2030-01-07T00:00:00Z", "2030-01-08", None),  # not a date-time
    ],
)
async def test_bad_windows_are_bad_user_input(gql, host, start, end, tz):
    _, type_id = await host()
    result = await gql(SLOTS, {"id": type_id, "s": start, "e": end, "tz": tz})
    assert result.codes == ["BAD_USER_INPUT"] and result.data is None


async def test_an_empty_time_zone_is_bad_user_input(gql, host):
    _, type_id = await host()
    result = await gql(SLOTS, {"id": type_id, "s": MONDAY[0], "e": MONDAY[1], "tz": ""})
    assert result.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("type_id", ["999999", "abc", "0", "-1"])
async def test_an_unknown_event_type_is_not_found(gql, host, type_id):
    await host()
    result = await gql(SLOTS, {"id": type_id, "s": MONDAY[0], "e": MONDAY[1]})
    assert result.codes == ["NOT_FOUND"]
