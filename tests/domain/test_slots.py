from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.availability import WeeklyRule, local_to_utc, working_intervals
from domain.slots import Interval, SlotRules, compute_slots, is_bookable

LONDON = ZoneInfo("Europe/London")
MIN = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


JAN_1 = utc(2027, 1, 1)


def at(hour: int, minute: int = 0, day: int = 4) -> datetime:
    """January 2027 (GMT, so London wall time == UTC); the 4th is a Monday."""
    return utc(2027, 1, day, hour, minute)


def rules(duration: int = 30, interval: int | None = None, **kwargs: Any) -> SlotRules:
    return SlotRules(
        duration=duration * MIN,
        interval=(interval or duration) * MIN,
        **{k: v * MIN if k.startswith(("buffer", "minimum")) else v for k, v in kwargs.items()},
    )


def starts(
    working: list[Interval],
    busy: list[Interval] | None = None,
    slot_rules: SlotRules | None = None,
    now: datetime = JAN_1,
    window: tuple[datetime, datetime] = (JAN_1, JAN_1 + timedelta(days=31)),
    tz: ZoneInfo = LONDON,
    bookings_per_day: dict[date, int] | None = None,
) -> list[datetime]:
    slots = compute_slots(
        working=working,
        busy=busy or [],
        rules=slot_rules or rules(),
        now=now,
        window_start=window[0],
        window_end=window[1],
        tz=tz,
        bookings_per_day=bookings_per_day,
    )
    assert all(end - start == (slot_rules or rules()).duration for start, end in slots)
    return [start for start, _ in slots]


# --- examples, one rule each ---------------------------------------------------------------


def test_slots_fill_working_time_and_end_inside_it() -> None:
    assert starts([(at(9), at(11))]) == [at(9), at(9, 30), at(10), at(10, 30)]
    assert starts([(at(9), at(10, 59))]) == [at(9), at(9, 30), at(10)]


def test_interval_shorter_than_duration_overlaps_slots() -> None:
    assert starts([(at(9), at(11))], slot_rules=rules(60, 20)) == [
        at(9),
        at(9, 20),
        at(9, 40),
        at(10),
    ]


def test_interval_longer_than_duration_leaves_gaps() -> None:
    assert starts([(at(9), at(11))], slot_rules=rules(30, 45)) == [at(9), at(9, 45), at(10, 30)]


def test_grid_is_anchored_at_each_working_start_not_at_the_window() -> None:
    working = [(at(9), at(10)), (at(13, 10), at(14))]
    window = (at(9, 10), at(23))
    assert starts(working, slot_rules=rules(30, 15), window=window) == [
        at(9, 15),
        at(9, 30),
        at(13, 10),
        at(13, 25),
    ]


def test_window_bounds_apply_to_the_slot_start() -> None:
    assert starts([(at(9), at(12))], window=(at(9, 30), at(11))) == [at(9, 30), at(10), at(10, 30)]


def test_existing_booking_widened_by_its_own_buffers_blocks_slots() -> None:
    # A booking 10:00-10:30 with a 15-minute after-buffer arrives as busy 10:00-10:45.
    busy = [(at(10), at(10, 45))]
    result = starts([(at(9), at(12))], busy, rules(30, 15))
    assert result == [at(9), at(9, 15), at(9, 30), at(10, 45), at(11), at(11, 15), at(11, 30)]


def test_new_slot_buffers_keep_it_clear_of_busy_time() -> None:
    busy = [(at(10), at(10, 30))]
    slot_rules = rules(30, 5, buffer_before=10, buffer_after=20)
    result = starts([(at(9), at(12))], busy, slot_rules)
    assert at(9, 10) in result  # 9:10-9:40 plus 20 min after ends exactly at 10:00
    assert at(9, 15) not in result
    assert at(10, 35) not in result
    assert at(10, 40) in result  # 10 min before starts exactly at 10:30
    assert min(s for s in result if s > at(10)) == at(10, 40)


def test_buffers_may_reach_outside_working_time() -> None:
    slot_rules = rules(30, buffer_before=30, buffer_after=30)
    assert starts([(at(9), at(10))], slot_rules=slot_rules) == [at(9), at(9, 30)]


def test_busy_intervals_may_be_unsorted_overlapping_and_in_any_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    busy = [
        (at(11), at(11, 30)),
        (datetime(2027, 1, 4, 18, 45, tzinfo=tokyo), datetime(2027, 1, 4, 19, tzinfo=tokyo)),
        (at(9, 40), at(10)),
        (at(10, 15), at(10, 15)),  # empty: blocks nothing
    ]
    assert starts([(at(9), at(12))], busy) == [at(9), at(10), at(10, 30), at(11, 30)]


def test_minimum_notice_hides_slots_starting_too_soon() -> None:
    working = [(at(9), at(13))]
    assert starts(working, slot_rules=rules(30, 15, minimum_notice=120), now=at(8, 50))[0] == at(11)
    # Exactly `now + notice` is allowed.
    assert starts(working, slot_rules=rules(30, 15, minimum_notice=60), now=at(9))[0] == at(10)


def test_horizon_hides_slots_too_far_ahead() -> None:
    working = [(at(9, day=d), at(17, day=d)) for d in (4, 5, 6)]
    result = starts(working, slot_rules=rules(60, horizon_days=1), now=at(12))
    assert result[0] == at(12) and result[-1] == at(11, day=5)


def test_daily_limit_counts_bookings_per_host_local_day() -> None:
    # 20:00-23:00 in New York on Mon 4 and Tue 5 January is 01:00-04:00Z on the 5th and 6th.
    new_york = ZoneInfo("America/New_York")
    working = [(utc(2027, 1, 5, 1), utc(2027, 1, 5, 4)), (utc(2027, 1, 6, 1), utc(2027, 1, 6, 4))]
    slot_rules = rules(60, max_per_day=2)
    full_monday = {date(2027, 1, 4): 2, date(2027, 1, 5): 1}
    result = starts(working, slot_rules=slot_rules, tz=new_york, bookings_per_day=full_monday)
    assert result == [utc(2027, 1, 6, 1), utc(2027, 1, 6, 2), utc(2027, 1, 6, 3)]
    assert len(starts(working, slot_rules=slot_rules, tz=new_york)) == 6
    assert starts(working, slot_rules=rules(60, max_per_day=0), tz=new_york) == []


def test_naive_datetimes_and_degenerate_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        starts([(datetime(2027, 1, 4, 9), at(17))])
    with pytest.raises(ValueError):
        SlotRules(duration=30 * MIN, interval=timedelta(0))
    with pytest.raises(ValueError):
        SlotRules(duration=30 * MIN, interval=30 * MIN, buffer_after=-MIN)


# --- DST, end to end -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "first_slots"),
    [
        ("Europe/London", date(2027, 3, 28), [(3, 27, 9, 0), (3, 28, 8, 0), (3, 29, 8, 0)]),
        ("Europe/London", date(2027, 10, 31), [(10, 30, 8, 0), (10, 31, 9, 0), (11, 1, 9, 0)]),
        ("America/New_York", date(2027, 3, 14), [(3, 13, 14, 0), (3, 14, 13, 0), (3, 15, 13, 0)]),
        ("America/New_York", date(2027, 11, 7), [(11, 6, 13, 0), (11, 7, 14, 0), (11, 8, 14, 0)]),
        ("Australia/Lord_Howe", date(2027, 4, 4), [(4, 2, 22, 0), (4, 3, 22, 30), (4, 4, 22, 30)]),
        (
            "Australia/Lord_Howe",
            date(2027, 10, 3),
            [(10, 1, 22, 30), (10, 2, 22, 0), (10, 3, 22, 0)],
        ),
        ("Pacific/Auckland", date(2027, 4, 4), [(4, 2, 20, 0), (4, 3, 21, 0), (4, 4, 21, 0)]),
        ("Pacific/Auckland", date(2027, 9, 26), [(9, 24, 21, 0), (9, 25, 20, 0), (9, 26, 20, 0)]),
    ],
)
def test_nine_to_five_stays_nine_to_five_local_across_dst(
    zone: str, day: date, first_slots: list[tuple[int, int, int, int]]
) -> None:
    tz = ZoneInfo(zone)
    weekly = [WeeklyRule(d, time(9), time(17)) for d in range(7)]
    window = (
        local_to_utc(day - timedelta(days=1), time(0), tz),
        local_to_utc(day + timedelta(days=2), time(0), tz),
    )
    working = working_intervals(tz, weekly, {}, *window)
    assert [e - s for s, e in working] == [timedelta(hours=8)] * 3

    result = starts(working, window=window, tz=tz)
    by_day: dict[date, list[datetime]] = {}
    for start in result:
        by_day.setdefault(start.astimezone(tz).date(), []).append(start)
    assert list(by_day) == [day - timedelta(days=1), day, day + timedelta(days=1)]
    assert [slots[0] for slots in by_day.values()] == [utc(2027, *f) for f in first_slots]
    for slots in by_day.values():
        assert [s.astimezone(tz).time() for s in (slots[0], slots[-1])] == [time(9), time(16, 30)]
        assert len(slots) == 16


def test_london_weekday_host_moves_from_nine_to_eight_utc() -> None:
    weekly = [WeeklyRule(d, time(9), time(17)) for d in range(5)]
    window = (utc(2027, 3, 26), utc(2027, 3, 30))
    result = starts(working_intervals(LONDON, weekly, {}, *window), window=window)
    assert [result[0], result[16]] == [utc(2027, 3, 26, 9), utc(2027, 3, 29, 8)]
    assert len(result) == 32  # nothing at the weekend


def test_slot_grid_steps_in_real_time_across_the_gap() -> None:
    day = date(2027, 3, 28)
    working = working_intervals(
        LONDON, [WeeklyRule(6, time(0, 30), time(3, 30))], {}, utc(2027, 3, 27), utc(2027, 3, 29)
    )
    result = starts(working, window=(utc(2027, 3, 27), utc(2027, 3, 29)))
    assert [s.astimezone(LONDON).time() for s in result] == [
        time(0, 30),
        time(2, 0),
        time(2, 30),
        time(3, 0),
    ]
    assert all(s.astimezone(LONDON).date() == day for s in result)


# --- is_bookable ---------------------------------------------------------------------------


def test_is_bookable_accepts_offered_starts_only() -> None:
    kwargs: dict[str, Any] = {
        "working": [(at(9), at(12))],
        "busy": [(at(10), at(10, 30))],
        "rules": rules(30, 15),
        "now": at(8),
        "tz": LONDON,
    }
    assert is_bookable(at(9, 30), **kwargs)
    assert is_bookable(datetime(2027, 1, 4, 19, 30, tzinfo=ZoneInfo("Asia/Tokyo")), **kwargs)
    assert not is_bookable(at(9, 40), **kwargs)  # off the grid
    assert not is_bookable(at(9, 45), **kwargs)  # overlaps the booking
    assert not is_bookable(at(11, 45), **kwargs)  # would end after working time
    assert not is_bookable(at(8, 30), **kwargs)  # before working time
    assert not is_bookable(at(9, 30), **{**kwargs, "now": at(9, 31)})  # in the past
    full = {"bookings_per_day": {date(2027, 1, 4): 1}, "rules": rules(30, 15, max_per_day=1)}
    assert not is_bookable(at(9, 30), **{**kwargs, **full})


# --- properties ----------------------------------------------------------------------------

BASE = utc(2027, 3, 26)  # spans the London spring change, so host-local days vary in length
ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]


def _span(lo: int, hi: int, max_len: int) -> st.SearchStrategy[Interval]:
    return st.tuples(st.integers(lo, hi), st.integers(0, max_len)).map(
        lambda p: (BASE + p[0] * MIN, BASE + (p[0] + p[1]) * MIN)
    )


_buffer = st.one_of(st.just(0), st.integers(0, 60))


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    now = BASE + draw(st.integers(-600, 3000)) * MIN
    window_start = BASE + draw(st.integers(-600, 3000)) * MIN
    first_day = (BASE - timedelta(days=1)).date()
    return {
        "working": draw(st.lists(_span(0, 2880, 720), max_size=4)),
        "busy": draw(st.lists(_span(-120, 3000, 300), max_size=15)),
        "rules": SlotRules(
            duration=draw(st.integers(1, 180)) * MIN,
            interval=draw(st.integers(1, 180)) * MIN,
            buffer_before=draw(_buffer) * MIN,
            buffer_after=draw(_buffer) * MIN,
            minimum_notice=draw(st.one_of(st.just(0), st.integers(0, 1440))) * MIN,
            max_per_day=draw(st.none() | st.integers(0, 3)),
            horizon_days=draw(st.none() | st.integers(0, 3)),
        ),
        "now": now,
        "window_start": window_start,
        "window_end": window_start + draw(st.integers(0, 3000)) * MIN,
        "tz": tz,
        "bookings_per_day": draw(
            st.dictionaries(
                st.integers(0, 4).map(lambda d: first_day + timedelta(days=d)), st.integers(0, 3)
            )
        ),
    }


def reference_slots(
    *,
    working: list[Interval],
    busy: list[Interval],
    rules: SlotRules,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
    tz: ZoneInfo,
    bookings_per_day: dict[date, int],
) -> list[Interval]:
    """The contract read literally: every grid candidate, checked against every busy interval."""
    found = set()
    for w_start, w_end in working:
        start = w_start
        while start + rules.duration <= w_end:
            lo, hi = start - rules.buffer_before, start + rules.duration + rules.buffer_after
            if (
                all(not max(lo, b_start) < min(hi, b_end) for b_start, b_end in busy)
                and start >= now + rules.minimum_notice
                and (rules.horizon_days is None or start < now + timedelta(days=rules.horizon_days))
                and (
                    rules.max_per_day is None
                    or bookings_per_day.get(start.astimezone(tz).date(), 0) < rules.max_per_day
                )
                and window_start <= start < window_end
            ):
                found.add((start, start + rules.duration))
            start += rules.interval
    return sorted(found)


def _in_zone(intervals: list[Interval], tz: ZoneInfo) -> list[Interval]:
    return [(s.astimezone(tz), e.astimezone(tz)) for s, e in intervals]


@settings(max_examples=400, deadline=None)
@given(case=cases(), shown_in=st.sampled_from(["UTC", "Europe/London", "Asia/Kathmandu"]))
def test_compute_slots_equals_the_naive_reference(case: dict[str, Any], shown_in: str) -> None:
    # Inputs given in another zone must not change anything: arithmetic is on real time.
    zone = ZoneInfo(shown_in)
    shifted = {
        **case,
        "working": _in_zone(case["working"], zone),
        "busy": _in_zone(case["busy"], zone),
        "now": case["now"].astimezone(zone),
    }
    result = compute_slots(**shifted)
    assert result == reference_slots(**case)
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in result)


@settings(max_examples=300, deadline=None)
@given(case=cases())
def test_every_slot_keeps_every_rule(case: dict[str, Any]) -> None:
    rules_, now = case["rules"], case["now"]
    result = compute_slots(**case)
    assert result == sorted(set(result))
    for start, end in result:
        assert end - start == rules_.duration
        assert any(w_s <= start and end <= w_e for w_s, w_e in case["working"])
        widened = (start - rules_.buffer_before, end + rules_.buffer_after)
        assert not any(
            b_s < widened[1] and widened[0] < b_e for b_s, b_e in case["busy"] if b_s < b_e
        )
        assert start >= now + rules_.minimum_notice
        if rules_.horizon_days is not None:
            assert start < now + timedelta(days=rules_.horizon_days)
        if rules_.max_per_day is not None:
            booked = case["bookings_per_day"].get(start.astimezone(case["tz"]).date(), 0)
            assert booked < rules_.max_per_day
        assert case["window_start"] <= start < case["window_end"]


@settings(max_examples=200, deadline=None)
@given(case=cases(), probes=st.lists(st.integers(-600, 3600), max_size=10))
def test_is_bookable_agrees_with_compute_slots(case: dict[str, Any], probes: list[int]) -> None:
    everything = {
        **case,
        "window_start": BASE - timedelta(days=3),
        "window_end": BASE + timedelta(days=6),
    }
    offered = {start for start, _ in compute_slots(**everything)}
    grid = [
        w_s + k * case["rules"].interval
        for w_s, w_e in case["working"]
        for k in range(5)
        if w_s + k * case["rules"].interval < w_e
    ]
    candidates = grid + sorted(offered)[:20] + [BASE + p * MIN for p in probes]
    kwargs = {k: v for k, v in case.items() if k not in ("window_start", "window_end")}
    for candidate in candidates:
        assert is_bookable(candidate, **kwargs) == (candidate in offered)
