from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.availability import (
    END_OF_DAY,
    WeeklyRule,
    format_hhmm,
    local_to_utc,
    parse_hhmm,
    validate_intervals,
    working_intervals,
)
from domain.errors import BadUserInput

LONDON = ZoneInfo("Europe/London")
EVERY_DAY_9_TO_5 = [WeeklyRule(d, time(9), time(17)) for d in range(7)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_day(tz: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    return local_to_utc(day, time(0), tz), local_to_utc(day, END_OF_DAY, tz)


# --- parse_hhmm / validate_intervals -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", time(0)), ("09:00", time(9)), ("17:30", time(17, 30)), ("23:59", time(23, 59))],
)
def test_parse_hhmm_reads_24_hour_clock(text: str, expected: time) -> None:
    assert parse_hhmm(text, field="start") == expected
    assert format_hhmm(expected) == text


def test_24_00_is_end_of_day_only_when_allowed() -> None:
    assert parse_hhmm("24:00", field="end", allow_24=True) == END_OF_DAY
    assert format_hhmm(END_OF_DAY) == "24:00"
    with pytest.raises(BadUserInput) as err:
        parse_hhmm("24:00", field="end")
    assert err.value.field == "end"


@pytest.mark.parametrize(
    "text",
    [
        "9:00",
        "0900",
        "09:0",
        "25:00",
        "24:01",
        "12:60",
        "",
        "09:00:00",
        " 09:00",
        "09:00\n",
        "ab:cd",
    ],
)
def test_parse_hhmm_rejects_bad_format_naming_the_field(text: str) -> None:
    with pytest.raises(BadUserInput) as err:
        parse_hhmm(text, field="rules.0.start", allow_24=True)
    assert err.value.field == "rules.0.start"
    assert err.value.extensions == {"code": "BAD_USER_INPUT", "field": "rules.0.start"}
    assert "rules.0.start" in err.value.message


@pytest.mark.parametrize(
    "intervals",
    [
        [(time(9), time(9))],  # empty
        [(time(17), time(9))],  # reversed
        [(time(9), time(12)), (time(11, 59), time(13))],  # overlap
        [(time(13), time(17)), (time(9), time(18))],  # overlap, unsorted
        [(time(9), time(12)), (time(9), time(12))],  # duplicate
    ],
)
def test_validate_intervals_rejects_empty_reversed_and_overlapping(
    intervals: list[tuple[time, time]],
) -> None:
    with pytest.raises(BadUserInput) as err:
        validate_intervals(intervals, field="intervals")
    assert err.value.field == "intervals"


def test_validate_intervals_accepts_touching_unsorted_and_end_of_day() -> None:
    validate_intervals(
        [(time(13), time(17)), (time(9), time(13)), (time(22), END_OF_DAY)], field="intervals"
    )
    validate_intervals([], field="intervals")


def test_weekly_rule_guards_its_invariants() -> None:
    with pytest.raises(ValueError):
        WeeklyRule(7, time(9), time(17))
    with pytest.raises(ValueError):
        WeeklyRule(0, time(9), time(0))


# --- local_to_utc: the DST policy ----------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected"),
    [
        ("Europe/London", date(2027, 3, 28), time(1, 30), utc(2027, 3, 28, 1)),
        ("America/New_York", date(2027, 3, 14), time(2, 30), utc(2027, 3, 14, 7)),
        ("Australia/Lord_Howe", date(2027, 10, 3), time(2, 15), utc(2027, 10, 2, 15, 30)),
        ("Pacific/Auckland", date(2027, 9, 26), time(2, 30), utc(2027, 9, 25, 14)),
    ],
)
def test_nonexistent_wall_time_maps_to_the_transition_instant(
    zone: str, day: date, wall: time, expected: datetime
) -> None:
    assert local_to_utc(day, wall, ZoneInfo(zone)) == expected


@pytest.mark.parametrize(
    ("zone", "day", "wall", "first", "second"),
    [
        ("Europe/London", date(2027, 10, 31), time(1, 30), utc(2027, 10, 31, 0, 30), 1),
        ("America/New_York", date(2027, 11, 7), time(1, 30), utc(2027, 11, 7, 5, 30), 1),
        ("Australia/Lord_Howe", date(2027, 4, 4), time(1, 45), utc(2027, 4, 3, 14, 45), 0.5),
        ("Pacific/Auckland", date(2027, 4, 4), time(2, 30), utc(2027, 4, 3, 13, 30), 1),
    ],
)
def test_ambiguous_wall_time_maps_to_its_first_occurrence(
    zone: str, day: date, wall: time, first: datetime, second: float
) -> None:
    tz = ZoneInfo(zone)
    # Both instants really show this wall time; the earlier one is chosen.
    later = first + timedelta(hours=second)
    for instant in (first, later):
        assert instant.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, wall)
    assert local_to_utc(day, wall, tz) == first


def test_end_of_day_is_next_local_midnight() -> None:
    assert local_to_utc(date(2027, 3, 27), END_OF_DAY, LONDON) == utc(2027, 3, 28, 0)
    assert local_to_utc(date(2027, 3, 28), END_OF_DAY, LONDON) == utc(2027, 3, 28, 23)


@pytest.mark.parametrize(
    ("zone", "day", "real_length"),
    [
        ("Europe/London", date(2027, 3, 28), timedelta(hours=2)),
        ("Europe/London", date(2027, 10, 31), timedelta(hours=4)),
        ("America/New_York", date(2027, 3, 14), timedelta(hours=2)),
        ("America/New_York", date(2027, 11, 7), timedelta(hours=4)),
        ("Australia/Lord_Howe", date(2027, 10, 3), timedelta(hours=2, minutes=30)),
        ("Australia/Lord_Howe", date(2027, 4, 4), timedelta(hours=3, minutes=30)),
        ("Pacific/Auckland", date(2027, 9, 26), timedelta(hours=2)),
        ("Pacific/Auckland", date(2027, 4, 4), timedelta(hours=4)),
    ],
)
def test_rule_across_a_transition_has_its_real_time_length(
    zone: str, day: date, real_length: timedelta
) -> None:
    tz = ZoneInfo(zone)
    weekly = [WeeklyRule(day.weekday(), time(0, 30), time(3, 30))]
    [(start, end)] = working_intervals(tz, weekly, {}, *local_day(tz, day))
    assert start == local_to_utc(day, time(0, 30), tz)
    assert end - start == real_length


def test_whole_day_rule_follows_day_length_and_stays_one_interval_per_day() -> None:
    weekly = [WeeklyRule(d, time(0), END_OF_DAY) for d in range(7)]
    start, end = utc(2027, 3, 27, 0), utc(2027, 3, 30, 0)
    # Not merged across midnight: each day's slot grid starts at that day's 00:00.
    assert working_intervals(LONDON, weekly, {}, start, end) == [
        (utc(2027, 3, 27, 0), utc(2027, 3, 28, 0)),
        (utc(2027, 3, 28, 0), utc(2027, 3, 28, 23)),
        (utc(2027, 3, 28, 23), utc(2027, 3, 29, 23)),
        (utc(2027, 3, 29, 23), utc(2027, 3, 30, 23)),
    ]
    spring = working_intervals(LONDON, weekly, {}, *local_day(LONDON, date(2027, 3, 28)))
    autumn = working_intervals(LONDON, weekly, {}, *local_day(LONDON, date(2027, 10, 31)))
    assert [e - s for s, e in spring] == [timedelta(hours=23)]
    assert [e - s for s, e in autumn] == [timedelta(hours=25)]


# --- working_intervals: rules, overrides, window -------------------------------------------


def test_weekly_rules_apply_on_their_weekday_only() -> None:
    weekly = [WeeklyRule(0, time(9), time(12)), WeeklyRule(0, time(13), time(17))]
    result = working_intervals(LONDON, weekly, {}, utc(2027, 1, 4), utc(2027, 1, 11))
    assert result == [
        (utc(2027, 1, 4, 9), utc(2027, 1, 4, 12)),
        (utc(2027, 1, 4, 13), utc(2027, 1, 4, 17)),
    ]


def test_override_empty_list_is_a_day_off() -> None:
    overrides = {date(2027, 1, 5): []}
    result = working_intervals(
        LONDON, EVERY_DAY_9_TO_5, overrides, utc(2027, 1, 4), utc(2027, 1, 7)
    )
    assert result == [
        (utc(2027, 1, 4, 9), utc(2027, 1, 4, 17)),
        (utc(2027, 1, 6, 9), utc(2027, 1, 6, 17)),
    ]


def test_override_replaces_weekly_rules_for_that_day() -> None:
    weekly = [WeeklyRule(1, time(9), time(17))]  # Tuesdays
    overrides = {
        date(2027, 1, 5): [(time(10), time(12))],  # shorter Tuesday
        date(2027, 1, 9): [(time(14), time(15))],  # Saturday with no weekly rule
    }
    result = working_intervals(LONDON, weekly, overrides, utc(2027, 1, 4), utc(2027, 1, 13))
    assert result == [
        (utc(2027, 1, 5, 10), utc(2027, 1, 5, 12)),
        (utc(2027, 1, 9, 14), utc(2027, 1, 9, 15)),
        (utc(2027, 1, 12, 9), utc(2027, 1, 12, 17)),
    ]


def test_window_selects_whole_intervals_and_may_be_given_in_any_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    start = datetime(2027, 1, 4, 19, tzinfo=tokyo)  # 10:00Z
    end = datetime(2027, 1, 5, 20, tzinfo=tokyo)  # 11:00Z next day
    result = working_intervals(LONDON, EVERY_DAY_9_TO_5, {}, start, end)
    # Not clipped: the grid keeps its anchor at 09:00 whatever the window.
    assert result == [
        (utc(2027, 1, 4, 9), utc(2027, 1, 4, 17)),
        (utc(2027, 1, 5, 9), utc(2027, 1, 5, 17)),
    ]
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in result)


def test_local_days_are_host_days_not_utc_days() -> None:
    # 20:00-23:00 Monday in New York is 01:00-04:00Z on Tuesday.
    new_york = ZoneInfo("America/New_York")
    weekly = [WeeklyRule(0, time(20), time(23))]
    result = working_intervals(new_york, weekly, {}, utc(2027, 1, 4), utc(2027, 1, 6))
    assert result == [(utc(2027, 1, 5, 1), utc(2027, 1, 5, 4))]


def test_empty_window_and_naive_window() -> None:
    assert working_intervals(LONDON, EVERY_DAY_9_TO_5, {}, utc(2027, 1, 5), utc(2027, 1, 4)) == []
    with pytest.raises(ValueError):
        working_intervals(LONDON, EVERY_DAY_9_TO_5, {}, datetime(2027, 1, 4), utc(2027, 1, 5))


# --- properties ----------------------------------------------------------------------------

DST_ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "America/Santiago",  # transitions at midnight
    "America/Havana",
]
FIXED_ZONES = ["UTC", "Asia/Kolkata", "Asia/Kathmandu"]


@settings(max_examples=300)
@given(
    zone=st.sampled_from(DST_ZONES),
    day=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    wall=st.times(),
)
def test_local_to_utc_shows_the_wall_time_or_sits_at_the_gap_end(
    zone: str, day: date, wall: time
) -> None:
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, wall)
    result = local_to_utc(day, wall, tz)
    shown = result.astimezone(tz).replace(tzinfo=None)
    if shown != naive:
        # Only a wall time in a gap may move, and only to the instant the clock jumps past it.
        just_before = (result - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None)
        assert just_before < naive < shown
        assert shown - just_before > timedelta(seconds=1)
    else:
        earlier = result - timedelta(hours=3)
        # First occurrence: no earlier instant within the transition span shows the same wall time.
        assert all(
            (earlier + timedelta(minutes=m)).astimezone(tz).replace(tzinfo=None) != naive
            for m in range(180)
        )


_rule_times = st.integers(0, 24 * 4).map(
    lambda q: END_OF_DAY if q == 96 else time(q // 4, q % 4 * 15)
)


@st.composite
def _weekly_rules(draw: st.DrawFn) -> list[WeeklyRule]:
    rules = []
    for weekday in range(7):
        bounds = sorted(set(draw(st.lists(_rule_times, max_size=6))))
        rules += [
            WeeklyRule(weekday, s, e) for s, e in zip(bounds[::2], bounds[1::2], strict=False)
        ]
    return rules


@settings(max_examples=200)
@given(
    zone=st.sampled_from(FIXED_ZONES),
    weekly=_weekly_rules(),
    start_minutes=st.integers(0, 14 * 24 * 60),
    length_minutes=st.integers(0, 4 * 24 * 60),
    probes=st.lists(st.integers(0, 4 * 24 * 60), max_size=40),
)
def test_working_time_is_exactly_the_wall_clock_rules_in_a_fixed_zone(
    zone: str, weekly: list[WeeklyRule], start_minutes: int, length_minutes: int, probes: list[int]
) -> None:
    tz = ZoneInfo(zone)
    start = utc(2027, 1, 1) + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=length_minutes)
    result = working_intervals(tz, weekly, {}, start, end)

    # Whole intervals that intersect the window, disjoint and in order (touching allowed).
    assert all(s < e and e > start and s < end for s, e in result)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(result))
    for probe in probes:
        instant = start + timedelta(minutes=probe)
        if instant >= end:
            continue
        local = instant.astimezone(tz)
        expected = any(
            rule.weekday == local.weekday() and rule.start <= local.time() < rule.end
            for rule in weekly
        )
        assert any(s <= instant < e for s, e in result) == expected
