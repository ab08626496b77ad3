"""The Scheduling II rules as pure functions, each against a naive reference: limits (which days
are closed), seats (which slots stay offered and with how many seats left, bookings and holds
alike), closed days inside the slot sweep, and booking questions."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import BadUserInput
from domain.limits import Limits, closed_days, counting_span
from domain.questions import Question, answer, questions
from domain.seats import Occupant, offer, seating
from domain.slots import SlotRules, compute_slots

MIN = timedelta(minutes=1)
LONDON = ZoneInfo("Europe/London")
DAY0 = date(2027, 1, 1)

# --- limits ----------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=120).map(lambda n: DAY0 + timedelta(days=n))
limits = st.builds(
    Limits,
    st.none() | st.integers(1, 3),
    st.none() | st.integers(1, 6),
    st.none() | st.integers(1, 12),
)


def naive_closed(counts: dict[date, int], lim: Limits, first: date, last: date) -> set[date]:
    out = set()
    for n in range((last - first).days + 1):
        d = first + timedelta(days=n)
        week = sum(c for x, c in counts.items() if x.isocalendar()[:2] == d.isocalendar()[:2])
        month = sum(c for x, c in counts.items() if (x.year, x.month) == (d.year, d.month))
        if (
            (lim.per_day is not None and counts.get(d, 0) >= lim.per_day)
            or (lim.per_week is not None and week >= lim.per_week)
            or (lim.per_month is not None and month >= lim.per_month)
        ):
            out.add(d)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(days, max_size=40), limits, days, st.integers(0, 40))
def test_closed_days_match_a_naive_count(booked, lim, first, span):
    last = first + timedelta(days=span)
    counts = dict(Counter(booked))
    assert closed_days(counts, lim, first, last) == naive_closed(counts, lim, first, last)


@given(days, st.integers(0, 70))
def test_the_counting_span_covers_whole_iso_weeks_and_months(first, span):
    last = first + timedelta(days=span)
    low, high = counting_span(first, last)
    for d in (first, last):
        monday = d - timedelta(days=d.weekday())
        assert low <= monday and monday + timedelta(days=6) <= high
        assert low <= d.replace(day=1)
        assert high.month != d.month or (high + timedelta(days=1)).month != d.month


def test_an_iso_week_spans_a_new_year():
    # 2027-01-01 is a Friday of ISO week 2026-W53: a booking on 2026-12-28 counts for it.
    counts = {date(2026, 12, 28): 1}
    closed = closed_days(counts, Limits(per_week=1), date(2027, 1, 1), date(2027, 1, 4))
    assert closed == {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}


# --- seats -----------------------------------------------------------------------------------

BASE = datetime(2027, 1, 4, 9, tzinfo=UTC)
quarter = st.integers(0, 32).map(lambda n: BASE + n * 15 * MIN)


@st.composite
def occupants(draw):
    out = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(quarter)
        kind = draw(st.sampled_from([1, 1, 1, 2]))  # event type 1 (ours) or 2 (another)
        length = 30 * MIN if kind == 1 else draw(st.sampled_from([15, 30, 60])) * MIN
        out.append(Occupant(kind, start, (start - 5 * MIN, start + length + 5 * MIN)))
    return out


def naive_seats(
    candidates: list[tuple[datetime, datetime]], occ: list[Occupant], seats: int
) -> list[tuple[datetime, datetime, int]]:
    """Each candidate slot: the occupants whose busy time meets its widened range must all be
    ours at its own start, and fewer than `seats` of them."""
    out = []
    for s, e in candidates:
        low, high = s - 5 * MIN, e + 5 * MIN
        meeting = [o for o in occ if o.busy[0] < high and o.busy[1] > low]
        if all(o.event_type_id == 1 and o.start == s for o in meeting) and len(meeting) < seats:
            out.append((s, e, seats - len(meeting)))
    return out


@settings(max_examples=300, deadline=None)
@given(occupants(), st.integers(1, 4))
def test_seats_offered_match_a_naive_reference(occ, seats):
    rules = SlotRules(
        duration=30 * MIN, interval=15 * MIN, buffer_before=5 * MIN, buffer_after=5 * MIN
    )
    working = [(BASE, BASE + 9 * 60 * MIN)]
    common = {
        "working": working,
        "rules": rules,
        "now": BASE - timedelta(days=1),
        "window_start": BASE,
        "window_end": BASE + timedelta(days=1),
        "tz": UTC,
    }
    seated = seating(occ, 1, seats)
    found = offer(compute_slots(busy=seated.blocking, **common), seated, 5 * MIN, 5 * MIN)
    assert found == naive_seats(compute_slots(busy=[], **common), occ, seats)


def test_a_hold_takes_a_seat_like_a_booking():
    booking = Occupant(1, BASE, (BASE, BASE + 30 * MIN))
    hold = Occupant(1, BASE, (BASE, BASE + 30 * MIN))
    slot = [(BASE, BASE + 30 * MIN)]
    assert offer(slot, seating([booking], 1, 3), MIN * 0, MIN * 0) == [(*slot[0], 2)]
    assert offer(slot, seating([booking, hold], 1, 3), MIN * 0, MIN * 0) == [(*slot[0], 1)]
    full = seating([booking, hold], 1, 2)
    assert full.blocking == [(BASE, BASE + 30 * MIN)] and full.open_groups == []


# --- closed days in the slot sweep -----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 20).map(lambda n: date(2027, 3, 20) + timedelta(days=n))))
def test_closed_host_local_days_offer_nothing_across_dst(closed):
    """London, 2027-03-20 to 04-10 (the spring change on 03-28), every hour of every day."""
    start = datetime(2027, 3, 20, tzinfo=LONDON)
    end = datetime(2027, 4, 10, tzinfo=LONDON)
    common = {
        "working": [(start, end)],
        "busy": [],
        "rules": SlotRules(duration=60 * MIN, interval=60 * MIN),
        "now": start - timedelta(days=1),
        "window_start": start,
        "window_end": end,
        "tz": LONDON,
    }
    everything = compute_slots(**common)
    found = compute_slots(**common, closed_days=set(closed))
    assert found == [(s, e) for s, e in everything if s.astimezone(LONDON).date() not in closed]


# --- questions -------------------------------------------------------------------------------

ASKED = [
    Question("topic", "Topic", "SHORT_TEXT", required=True),
    Question("size", "Team size", "SINGLE_CHOICE", options=("1-10", "11-50")),
    Question("tools", "Tools", "MULTIPLE_CHOICE", options=("a", "b", "c")),
    Question("terms", "I agree", "CHECKBOX", required=True),
    Question("phone", "Phone", "PHONE"),
]
GOOD = [("topic", "Hiring"), ("terms", "true")]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ([("terms", "true")], "answers.topic"),  # required left out
        ([*GOOD, ("nope", "x")], "answers.nope"),  # unknown key
        ([*GOOD, ("size", "51+")], "answers.size"),  # not an option
        ([*GOOD, ("tools", "a"), ("tools", "z")], "answers.tools"),
        ([*GOOD, ("size", "1-10"), ("size", "11-50")], "answers.size"),  # twice
        ([("topic", "x"), ("terms", "false")], "answers.terms"),  # required box unticked
        ([*GOOD, ("terms", "yes")], "answers.terms"),
        ([*GOOD, ("phone", "020 7946 0958")], "answers.phone"),  # not international
        ([*GOOD, ("phone", "+44 20 7946 095")], "answers.phone"),  # too short
        ([("topic", " "), ("terms", "true")], "answers.topic"),  # blank is not an answer
    ],
)
def test_bad_answers_name_the_question(given, field):
    with pytest.raises(BadUserInput) as error:
        answer(ASKED, given)
    assert error.value.field == field


def test_answers_are_stored_in_question_order_one_entry_per_option():
    given = [("phone", "+44 20 7946 0958"), ("tools", "c"), ("tools", "a"), *GOOD]
    assert answer(ASKED, given) == [
        {"key": "topic", "label": "Topic", "value": "Hiring"},
        {"key": "tools", "label": "Tools", "value": "c"},
        {"key": "tools", "label": "Tools", "value": "a"},
        {"key": "terms", "label": "I agree", "value": "true"},
        {"key": "phone", "label": "Phone", "value": "+442079460958"},
    ]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ([Question("a b", "A", "SHORT_TEXT")], "questions[0].key"),
        ([Question("a", "A", "SHORT_TEXT"), Question("a", "B", "PHONE")], "questions[1].key"),
        ([Question("a", "A", "SINGLE_CHOICE")], "questions[0].options"),
        ([Question("a", "A", "MULTIPLE_CHOICE", options=("x", "x"))], "questions[0].options"),
        ([Question("a", "A", "PHONE", options=("x",))], "questions[0].options"),
        ([Question("a", "", "PHONE")], "questions[0].label"),
        ([Question("a", "A", "DATE")], "questions[0].kind"),
    ],
)
def test_bad_questions_name_the_field(given, field):
    with pytest.raises(BadUserInput) as error:
        questions(given)
    assert error.value.field == field
