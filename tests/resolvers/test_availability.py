"""Working hours through the schema: weekly rules, date overrides, and what bad input leaves."""

import pytest

from models.schedule import DateOverride
from tests.graphql_ops import CREATE_TYPE

WEEKLY = """mutation($tz: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $tz, rules: $rules) { timeZone rules { weekday start end } } }"""
OVERRIDE = """mutation($d: Date!, $i: [TimeRangeInput!]!) {
  setDateOverride(date: $d, intervals: $i) { timeZone } }"""
CLEAR = """mutation($d: Date!) { clearDateOverride(date: $d) }"""
SCHEDULE = """{ schedule { timeZone rules { weekday start end } } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e, timeZone: "UTC") { start } }"""

# Monday 2030-01-07 and the Sunday before it, in UTC.
MONDAY = ("2030-01-07T00:00:00Z", "2030-01-08T00:00:00Z")
SUNDAY = ("2030-01-06T00:00:00Z", "2030-01-07T00:00:00Z")


def rule(weekday, start, end):
    return {"weekday": weekday, "start": start, "end": end}


NINE_TO_FIVE = [rule(d, "09:00", "17:00") for d in ("MONDAY", "TUESDAY", "WEDNESDAY")]


@pytest.fixture
async def host(gql, sign_up):
    """A host working 09:00-17:00 UTC Monday to Wednesday, with a 60-minute event type."""
    token, _ = await sign_up()
    (await gql(WEEKLY, {"tz": "UTC", "rules": NINE_TO_FIVE}, token=token)).ok()
    values = {"title": "Call", "slug": "call", "durationMinutes": 60}
    type_id = (await gql(CREATE_TYPE, {"i": values}, token=token)).ok()["createEventType"]["id"]
    return token, type_id


@pytest.fixture
def hours(gql):
    """hours(type_id, window) -> the UTC start times ("HH:MM") of the slots in the window."""

    async def query(type_id, window):
        result = await gql(SLOTS, {"id": type_id, "s": window[0], "e": window[1]})
        return [s["start"][11:16] for s in result.ok()["availableSlots"]]

    return query


WHOLE_DAY = ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]


# --- setWeeklyAvailability -----------------------------------------------------------------------


async def test_schedule_returns_the_rules_that_were_set_in_weekday_and_time_order(gql, host):
    token, _ = host
    rules = [
        rule("FRIDAY", "13:00", "17:00"),
        rule("MONDAY", "14:00", "18:00"),
        rule("FRIDAY", "08:30", "12:00"),
        rule("MONDAY", "08:00", "12:00"),
    ]
    set_result = (await gql(WEEKLY, {"tz": "Europe/Berlin", "rules": rules}, token=token)).ok()
    expected = {
        "timeZone": "Europe/Berlin",
        "rules": [
            rule("MONDAY", "08:00", "12:00"),
            rule("MONDAY", "14:00", "18:00"),
            rule("FRIDAY", "08:30", "12:00"),
            rule("FRIDAY", "13:00", "17:00"),
        ],
    }
    assert set_result["setWeeklyAvailability"] == expected
    assert (await gql(SCHEDULE, token=token)).ok()["schedule"] == expected


async def test_a_new_weekly_schedule_replaces_the_old_one(gql, host, hours):
    token, type_id = host
    (
        await gql(WEEKLY, {"tz": "UTC", "rules": [rule("SUNDAY", "10:00", "12:00")]}, token=token)
    ).ok()
    assert await hours(type_id, MONDAY) == []
    assert await hours(type_id, SUNDAY) == ["10:00", "11:00"]
    schedule = (await gql(SCHEDULE, token=token)).ok()["schedule"]
    assert schedule["rules"] == [rule("SUNDAY", "10:00", "12:00")]


async def test_several_intervals_on_one_weekday(gql, host, hours):
    token, type_id = host
    rules = [rule("MONDAY", "09:00", "12:00"), rule("MONDAY", "13:00", "15:00")]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    assert await hours(type_id, MONDAY) == ["09:00", "10:00", "11:00", "13:00", "14:00"]


async def test_touching_intervals_are_allowed(gql, host, hours):
    token, type_id = host
    rules = [rule("MONDAY", "09:00", "11:00"), rule("MONDAY", "11:00", "12:00")]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    assert await hours(type_id, MONDAY) == ["09:00", "10:00", "11:00"]


async def test_24_00_ends_the_day_at_midnight(gql, host, hours):
    token, type_id = host
    rules = [rule("SUNDAY", "22:00", "24:00"), rule("MONDAY", "00:00", "01:00")]
    result = (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    assert result["setWeeklyAvailability"]["rules"] == [
        rule("MONDAY", "00:00", "01:00"),
        rule("SUNDAY", "22:00", "24:00"),
    ]
    assert await hours(type_id, SUNDAY) == ["22:00", "23:00"]
    assert await hours(type_id, MONDAY) == ["00:00"]


async def test_setting_the_schedule_sets_the_host_zone(gql, host):
    token, _ = host
    (await gql(WEEKLY, {"tz": "Asia/Tokyo", "rules": NINE_TO_FIVE}, token=token)).ok()
    me = (await gql("{ me { timeZone } }", token=token)).ok()["me"]
    assert me == {"timeZone": "Asia/Tokyo"}


@pytest.mark.parametrize(
    ("zone", "rules", "field"),
    [
        (
            "UTC",
            [rule("MONDAY", "09:00", "12:00"), rule("MONDAY", "11:00", "13:00")],
            "rules[MONDAY]",
        ),
        (
            "UTC",
            [rule("MONDAY", "09:00", "17:00"), rule("MONDAY", "10:00", "11:00")],
            "rules[MONDAY]",
        ),
        ("UTC", [rule("TUESDAY", "12:00", "09:00")], "rules[TUESDAY]"),
        ("UTC", [rule("TUESDAY", "09:00", "09:00")], "rules[TUESDAY]"),
        ("UTC", [rule("MONDAY", "9am", "17:00")], "rules[MONDAY].start"),
        ("UTC", [rule("MONDAY", "9:00", "17:00")], "rules[MONDAY].start"),
        ("UTC", [rule("MONDAY", "09:00", "5pm")], "rules[MONDAY].end"),
        ("UTC", [rule("MONDAY", "09:00", "24:30")], "rules[MONDAY].end"),
        ("UTC", [rule("MONDAY", "24:00", "24:00")], "rules[MONDAY].start"),
        ("Europe/Atlantis", NINE_TO_FIVE, "timeZone"),
        ("", NINE_TO_FIVE, "timeZone"),
    ],
)
async def test_bad_weekly_rules_are_rejected_and_change_nothing(
    gql, host, hours, zone, rules, field
):
    token, type_id = host
    result = await gql(WEEKLY, {"tz": zone, "rules": rules}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert result.errors[0]["message"].startswith(f"{field}: ")
    schedule = (await gql(SCHEDULE, token=token)).ok()["schedule"]
    assert schedule == {"timeZone": "UTC", "rules": NINE_TO_FIVE}
    assert await hours(type_id, MONDAY) == WHOLE_DAY


async def test_an_empty_weekly_schedule_means_never_available(gql, host, hours):
    token, type_id = host
    result = (await gql(WEEKLY, {"tz": "UTC", "rules": []}, token=token)).ok()
    assert result["setWeeklyAvailability"]["rules"] == []
    assert await hours(type_id, MONDAY) == []


# --- setDateOverride / clearDateOverride ---------------------------------------------------------


async def test_an_override_replaces_the_weekly_rules_for_that_date_only(gql, host, hours):
    token, type_id = host
    intervals = [{"start": "13:00", "end": "14:00"}, {"start": "07:00", "end": "09:00"}]
    (await gql(OVERRIDE, {"d": "2030-01-07", "i": intervals}, token=token)).ok()
    assert await hours(type_id, MONDAY) == ["07:00", "08:00", "13:00"]
    assert await hours(type_id, ("2030-01-08T00:00:00Z", "2030-01-09T00:00:00Z")) == WHOLE_DAY


async def test_setting_an_override_again_replaces_it(gql, host, hours):
    token, type_id = host
    (await gql(OVERRIDE, {"d": "2030-01-07", "i": []}, token=token)).ok()
    (
        await gql(
            OVERRIDE, {"d": "2030-01-07", "i": [{"start": "10:00", "end": "11:00"}]}, token=token
        )
    ).ok()
    assert await hours(type_id, MONDAY) == ["10:00"]
    assert await DateOverride.all().count() == 1


async def test_clearing_an_override_restores_the_weekly_rules(gql, host, hours):
    token, type_id = host
    (await gql(OVERRIDE, {"d": "2030-01-07", "i": []}, token=token)).ok()
    assert await hours(type_id, MONDAY) == []
    assert (await gql(CLEAR, {"d": "2030-01-07"}, token=token)).ok() == {"clearDateOverride": True}
    assert await hours(type_id, MONDAY) == WHOLE_DAY
    assert (await gql(CLEAR, {"d": "2030-01-07"}, token=token)).ok() == {"clearDateOverride": False}


async def test_an_override_may_end_at_24_00(gql, host, hours):
    token, type_id = host
    (
        await gql(
            OVERRIDE, {"d": "2030-01-06", "i": [{"start": "22:00", "end": "24:00"}]}, token=token
        )
    ).ok()
    assert await hours(type_id, SUNDAY) == ["22:00", "23:00"]


@pytest.mark.parametrize(
    ("intervals", "field"),
    [
        ([{"start": "09:00", "end": "12:00"}, {"start": "11:59", "end": "13:00"}], "intervals"),
        ([{"start": "12:00", "end": "10:00"}], "intervals"),
        ([{"start": "10:00", "end": "10:00"}], "intervals"),
        ([{"start": "9am", "end": "12:00"}], "intervals.start"),
        ([{"start": "09:00", "end": "noon"}], "intervals.end"),
        ([{"start": "24:00", "end": "24:00"}], "intervals.start"),
    ],
)
async def test_bad_overrides_are_rejected_and_change_nothing(gql, host, hours, intervals, field):
    token, type_id = host
    (
        await gql(
            OVERRIDE, {"d": "2030-01-07", "i": [{"start": "10:00", "end": "12:00"}]}, token=token
        )
    ).ok()
    result = await gql(OVERRIDE, {"d": "2030-01-07", "i": intervals}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await hours(type_id, MONDAY) == ["10:00", "11:00"]
    assert await DateOverride.all().count() == 1


async def test_a_bad_override_date_is_bad_user_input(gql, host):
    token, _ = host
    result = await gql(OVERRIDE, {"d": "2030-02-30", "i": []}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert await DateOverride.all().count() == 0


async def test_overrides_belong_to_their_host(gql, host, sign_up, hours):
    _, type_id = host
    other, _ = await sign_up(email="other@example.com", name="Other")
    (await gql(OVERRIDE, {"d": "2030-01-07", "i": []}, token=other)).ok()
    assert await hours(type_id, MONDAY) == WHOLE_DAY
    assert (await gql(CLEAR, {"d": "2030-01-07"}, token=other)).ok() == {"clearDateOverride": True}


# --- Authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (WEEKLY, {"tz": "UTC", "rules": NINE_TO_FIVE}),
        (OVERRIDE, {"d": "2030-01-07", "i": []}),
        (CLEAR, {"d": "2030-01-07"}),
        (SCHEDULE, None),
    ],
)
async def test_availability_needs_a_signed_in_host(gql, host, hours, query, variables):
    _, type_id = host
    result = await gql(query, variables)
    assert result.codes == ["UNAUTHENTICATED"]
    assert await hours(type_id, MONDAY) == WHOLE_DAY
