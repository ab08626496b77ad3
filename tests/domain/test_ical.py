import contextlib
import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

import domain.ical as ical
from domain.ical import ExportEvent, FeedError, busy_intervals, export_calendar, feed_fingerprint
from domain.slots import Interval

ICS = Path(__file__).resolve().parent.parent / "fixtures" / "ics"
LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
CHICAGO = ZoneInfo("America/Chicago")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
VANCOUVER = ZoneInfo("America/Vancouver")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(name: str) -> bytes:
    return (ICS / name).read_bytes()


def busy(
    data: bytes,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: ZoneInfo = LONDON,
) -> list[Interval]:
    return busy_intervals(
        data,
        window_start=start or utc(2025, 12, 1),
        window_end=end or utc(2027, 1, 1),
        host_zone=zone,
    )


def feed(*events: str, header: str = "") -> bytes:
    """A minimal VCALENDAR around VEVENT bodies (property lines separated by newlines)."""
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


# --- real-world feeds: recurring-ical-events itself is the reference ------------------------------


def reference(data: bytes, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
    """Busy time straight from recurring_ical_events, with the same free/busy rules, merged."""
    spans = []
    for event in recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(start, end):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        s = max(to_utc(event["DTSTART"].dt, zone), start)
        e = min(to_utc(event["DTEND"].dt, zone), end)
        if s < e:
            spans.append((s, e))
    merged: list[Interval] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def to_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


# (file, window start, window end, host zone, minimum number of busy intervals)
REAL_FEEDS = [
    ("google_chicago_school.ics", utc(2020, 9, 1), utc(2021, 1, 1), CHICAGO, 100),
    ("google_moved_occurrence.ics", utc(2014, 1, 1), utc(2018, 1, 1), LOS_ANGELES, 3),
    ("outlook_exchange_gmt.ics", utc(2024, 6, 1), utc(2024, 11, 1), LONDON, 3),
    ("apple_macos_vancouver.ics", utc(2022, 7, 1), utc(2022, 7, 10), VANCOUVER, 3),
    ("thunderbird_moved_occurrences.ics", utc(2019, 3, 1), utc(2019, 4, 1), BERLIN, 7),
]


@pytest.mark.parametrize(("name", "start", "end", "zone", "at_least"), REAL_FEEDS)
def test_real_feed_matches_recurring_ical_events(
    name: str, start: datetime, end: datetime, zone: ZoneInfo, at_least: int
) -> None:
    data = read(name)
    result = busy(data, start, end, zone)
    assert result == reference(data, start, end, zone)
    assert len(result) >= at_least


@pytest.mark.parametrize(("name", "start", "end", "zone", "at_least"), REAL_FEEDS)
def test_output_is_only_sorted_disjoint_utc_instants(
    name: str, start: datetime, end: datetime, zone: ZoneInfo, at_least: int
) -> None:
    data = read(name)
    result = busy(data, start, end, zone)
    assert isinstance(result, list)
    for item in result:
        assert type(item) is tuple and len(item) == 2
        assert all(type(moment) is datetime and moment.tzinfo is UTC for moment in item)
        assert start <= item[0] < item[1] <= end
    assert all(a[1] < b[0] for a, b in pairwise(result))
    # Nothing of the feed's text survives, not even in a repr.
    calendar = icalendar.Calendar.from_ical(data)
    texts = {
        str(value).strip()
        for event in calendar.walk("VEVENT")
        for key in ("SUMMARY", "DESCRIPTION", "LOCATION", "ATTENDEE", "ORGANIZER", "UID")
        for value in (event.get(key) if isinstance(event.get(key), list) else [event.get(key)])
        if value is not None and len(str(value).strip()) > 3
    }
    assert texts  # the fixture does carry text
    assert not [text for text in texts if text in repr(result)]


def test_only_timing_properties_reach_the_expander(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[icalendar.Calendar] = []
    real_of = recurring_ical_events.of

    def spy(calendar: icalendar.Calendar, *args: Any, **kwargs: Any) -> Any:
        seen.append(calendar)
        return real_of(calendar, *args, **kwargs)

    monkeypatch.setattr(recurring_ical_events, "of", spy)
    busy(read("apple_macos_vancouver.ics"), utc(2022, 7, 1), utc(2022, 7, 10))
    (calendar,) = seen
    for event in calendar.walk("VEVENT"):
        assert set(event) <= set(ical._TIMING)
    text = calendar.to_ical().decode()
    for secret in ("SUMMARY", "DESCRIPTION", "ATTENDEE", "ORGANIZER", "example.com", "Tentative"):
        assert secret not in text


def test_google_moved_occurrence_and_exdate() -> None:
    result = busy(
        read("google_moved_occurrence.ics"),
        utc(2014, 1, 1),
        utc(2018, 1, 1),
        LOS_ANGELES,
    )
    assert result == [
        (utc(2014, 8, 2, 1, 30), utc(2014, 8, 2, 2, 30)),  # moved to 18:30 PDT
        (utc(2015, 8, 2, 2), utc(2015, 8, 2, 3)),
        (utc(2017, 8, 2, 2), utc(2017, 8, 2, 3)),  # 2016 is an EXDATE
    ]


def test_outlook_windows_zone_all_day_series_and_exdate() -> None:
    result = busy(read("outlook_exchange_gmt.ics"), utc(2024, 6, 1), utc(2024, 11, 1), LONDON)
    assert result == [
        (utc(2024, 6, 30, 23), utc(2024, 7, 7, 23)),  # DATE 1-8 July in London (BST)
        (utc(2024, 7, 28, 23), utc(2024, 8, 4, 23)),  # 15 July is an EXDATE
        (utc(2024, 10, 4, 17, 30), utc(2024, 10, 4, 18)),  # 18:30 "GMT Standard Time" = BST
    ]


def test_apple_statuses() -> None:
    result = busy(
        read("apple_macos_vancouver.ics"),
        utc(2022, 7, 1),
        utc(2022, 7, 10),
        VANCOUVER,
    )
    assert result == [
        (utc(2022, 7, 4, 23), utc(2022, 7, 4, 23, 50)),  # TENTATIVE is busy
        (utc(2022, 7, 5, 16), utc(2022, 7, 5, 17)),  # CONFIRMED
        (utc(2022, 7, 7, 16), utc(2022, 7, 7, 17)),  # no STATUS; 6 July is CANCELLED
    ]


# --- one rule each --------------------------------------------------------------------------------

TRANSP_STATUS = read("rules_transp_status.ics")


def test_transparent_is_free() -> None:
    result = busy(TRANSP_STATUS, utc(2026, 3, 2), utc(2026, 3, 3))
    assert (utc(2026, 3, 2, 9), utc(2026, 3, 2, 10)) in result  # TRANSP:OPAQUE
    assert all(not (s < utc(2026, 3, 2, 12) and e > utc(2026, 3, 2, 11)) for s, e in result)


def test_cancelled_is_free_and_tentative_busy() -> None:
    assert busy(TRANSP_STATUS, utc(2026, 3, 2, 12), utc(2026, 3, 2, 17)) == [
        (utc(2026, 3, 2, 15), utc(2026, 3, 2, 16))  # the cancelled 13:00 is not there
    ]


def test_cancelled_or_transparent_single_occurrence_is_free() -> None:
    assert busy(TRANSP_STATUS, utc(2026, 3, 3), utc(2026, 3, 6)) == [
        (utc(2026, 3, 3, 8), utc(2026, 3, 3, 8, 30))  # 4th cancelled, 5th transparent
    ]


ALL_DAY = read("rules_all_day.ics")


def test_all_day_blocks_whole_host_days_across_dst() -> None:
    assert busy(ALL_DAY, zone=LONDON) == [
        (utc(2026, 3, 29), utc(2026, 3, 29, 23)),  # 23-hour day: London springs forward
        (utc(2026, 5, 31, 23), utc(2026, 6, 1, 23)),  # DATE without DTEND: one day
        (utc(2026, 10, 23, 23), utc(2026, 10, 26)),  # two days, one of them 25 hours long
    ]  # the TRANSPARENT day (2 June) is free


def test_all_day_follows_the_host_zone() -> None:
    assert busy(ALL_DAY, utc(2026, 3, 1), utc(2026, 4, 1), zone=NEW_YORK) == [
        (utc(2026, 3, 29, 4), utc(2026, 3, 30, 4))  # EDT since 8 March
    ]


FLOATING = read("rules_floating.ics")


def test_floating_times_use_x_wr_timezone() -> None:
    assert busy(FLOATING, zone=BERLIN) == [
        (utc(2026, 1, 15, 14), utc(2026, 1, 15, 15)),  # 09:00 EST
        (utc(2026, 1, 15, 20), utc(2026, 1, 15, 21)),  # a UTC time stays put
        (utc(2026, 3, 2, 14), utc(2026, 3, 2, 14, 30)),
        (utc(2026, 3, 9, 13), utc(2026, 3, 9, 13, 30)),  # 09:00 EDT after 8 March
        (utc(2026, 3, 16, 13), utc(2026, 3, 16, 13, 30)),
    ]


@pytest.mark.parametrize("replacement", [b"", b"X-WR-TIMEZONE:Mars/Olympus_Mons\r\n"])
def test_floating_times_without_usable_x_wr_timezone_use_the_host_zone(replacement: bytes) -> None:
    data = FLOATING.replace(b"X-WR-TIMEZONE:America/New_York\r\n", replacement)
    data = data.replace(b"X-WR-TIMEZONE:America/New_York\n", replacement)
    assert b"America/New_York" not in data
    assert busy(data, zone=BERLIN) == [
        (utc(2026, 1, 15, 8), utc(2026, 1, 15, 9)),  # 09:00 CET
        (utc(2026, 1, 15, 20), utc(2026, 1, 15, 21)),
        (utc(2026, 3, 2, 8), utc(2026, 3, 2, 8, 30)),
        (utc(2026, 3, 9, 8), utc(2026, 3, 9, 8, 30)),
        (utc(2026, 3, 16, 8), utc(2026, 3, 16, 8, 30)),
    ]


def test_duration_and_missing_dtend() -> None:
    assert busy(read("rules_duration.ics"), utc(2026, 2, 1), utc(2026, 3, 1), zone=LONDON) == [
        (utc(2026, 2, 10, 10), utc(2026, 2, 10, 11, 30)),  # DURATION:PT1H30M
        # 14:00 with neither DTEND nor DURATION lasts no time at all
        (utc(2026, 2, 11), utc(2026, 2, 12)),  # a DATE without DTEND is one day
        (utc(2026, 2, 13), utc(2026, 2, 15)),  # DURATION:P2D on a DATE
    ]


RECURRENCE = read("rules_recurrence.ics")
JANUARY = (utc(2026, 1, 1), utc(2026, 3, 1))


def test_rrule_expands_in_the_embedded_vtimezone() -> None:
    starts = [s for s, _ in busy(RECURRENCE, *JANUARY)]
    for day in (5, 26):
        assert utc(2026, 1, day, 9) in starts  # 10:00 CET
    assert utc(2026, 2, 9, 9) in starts  # sixth and last (COUNT=6)
    assert max(starts) == utc(2026, 2, 9, 9)


def test_exdate_removes_an_occurrence() -> None:
    assert not [s for s, _ in busy(RECURRENCE, *JANUARY) if s.date() == date(2026, 1, 12)]


def test_rdate_adds_an_occurrence_with_the_series_length() -> None:
    assert (utc(2026, 1, 14, 14), utc(2026, 1, 14, 15)) in busy(RECURRENCE, *JANUARY)


def test_recurrence_id_moves_an_occurrence() -> None:
    result = busy(RECURRENCE, *JANUARY)
    assert (utc(2026, 1, 20, 15), utc(2026, 1, 20, 16)) in result
    assert not [s for s, _ in result if s.date() == date(2026, 1, 19)]


CUSTOM_ZONE = read("rules_custom_tzid.ics")


def test_custom_tzid_uses_the_embedded_vtimezone() -> None:
    assert busy(CUSTOM_ZONE) == [
        (utc(2026, 1, 15, 9), utc(2026, 1, 15, 10)),  # 12:00 at +03:00 (its standard time)
        (utc(2026, 7, 15, 8), utc(2026, 7, 15, 9)),  # 12:00 at +04:00 (its summer time)
    ]


def test_custom_tzid_is_read_per_feed() -> None:
    """icalendar caches the first VTIMEZONE of a name process-wide; another feed's wins no more."""
    busy(CUSTOM_ZONE)
    other = re.sub(rb"TZOFFSET(FROM|TO):\+0[34]00", rb"TZOFFSET\1:+0500", CUSTOM_ZONE)
    assert busy(other) == [
        (utc(2026, 1, 15, 7), utc(2026, 1, 15, 8)),
        (utc(2026, 7, 15, 7), utc(2026, 7, 15, 8)),
    ]


def test_window_clips_and_touching_intervals_merge() -> None:
    data = feed(
        "UID:a\nDTSTART:20260105T080000Z\nDTEND:20260105T100000Z",
        "UID:b\nDTSTART:20260105T100000Z\nDTEND:20260105T110000Z",  # touches a
        "UID:c\nDTSTART:20260105T103000Z\nDTEND:20260105T120000Z",  # overlaps b
        "UID:d\nDTSTART:20260105T130000Z\nDTEND:20260105T140000Z",
        "UID:e\nDTSTART:20260105T150000Z\nDTEND:20260105T170000Z",
    )
    assert busy(data, utc(2026, 1, 5, 9), utc(2026, 1, 5, 16)) == [
        (utc(2026, 1, 5, 9), utc(2026, 1, 5, 12)),
        (utc(2026, 1, 5, 13), utc(2026, 1, 5, 14)),
        (utc(2026, 1, 5, 15), utc(2026, 1, 5, 16)),
    ]


def test_window_bounds_must_be_aware_and_may_be_empty() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        busy_intervals(
            TRANSP_STATUS,
            window_start=datetime(2026, 3, 2),
            window_end=utc(2026, 3, 3),
            host_zone=LONDON,
        )
    assert busy(TRANSP_STATUS, utc(2026, 3, 3), utc(2026, 3, 2)) == []


def test_window_in_another_zone_means_the_same_instants() -> None:
    start = datetime(2026, 3, 2, 10, tzinfo=BERLIN)  # 09:00Z
    assert busy(TRANSP_STATUS, start, start + 7 * HOUR) == busy(
        TRANSP_STATUS, utc(2026, 3, 2, 9), utc(2026, 3, 2, 16)
    )


# --- malformed input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty feed"),
        (b" \r\n\t", "empty feed"),
        (bytes(range(256)) * 8, "not an iCalendar file"),
        (b"<!DOCTYPE html><html><body>Please sign in</body></html>", "not an iCalendar file"),
        (b'{"error": "unauthorized"}', "not an iCalendar file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an iCalendar file"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Someone\r\nEND:VCARD\r\n", "no VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "truncated feed: VCALENDAR is not closed"),
        (b"BEGIN:VCALENDAR\r\n<html>\r\nEND:VCALENDAR\r\n", "cannot parse iCalendar data"),
    ],
)
def test_malformed_feed_is_a_feed_error(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as raised:
        busy(data)
    assert raised.value.reason.startswith(reason)
    assert str(raised.value) == raised.value.reason


@pytest.mark.parametrize("fraction", [0.1, 0.33, 0.5, 0.8, 0.99])
@pytest.mark.parametrize("name", [name for name, *_ in REAL_FEEDS])
def test_truncated_feed_is_a_feed_error(name: str, fraction: float) -> None:
    data = read(name)
    with pytest.raises(FeedError):
        busy(data[: int(len(data) * fraction)])


@pytest.mark.parametrize(
    ("events", "header", "reason"),
    [
        (["UID:a\nDTSTART:2026-01-05 10:00\nDTEND:20260105T110000Z"], "", "invalid DTSTART"),
        (["UID:a\nDTSTART:20260105T100000Z\nRRULE:FREQ=SOMETIMES"], "", "invalid RRULE"),
        (
            ["UID:a\nDTSTART:20260105T100000Z\nDTEND:20260105T110000Z"],
            "CALSCALE:HEBREW\n",
            "cannot expand",
        ),
    ],
)
def test_broken_timing_is_a_feed_error(events: list[str], header: str, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        busy(feed(*events, header=header))


def test_parse_error_does_not_echo_feed_text() -> None:
    data = b"BEGIN:VCALENDAR\r\n<b>Secret meeting with Dr Who</b>\r\nEND:VCALENDAR\r\n"
    with pytest.raises(FeedError) as raised:
        busy(data)
    assert "Secret" not in raised.value.reason


def test_event_without_dtstart_or_with_a_stray_line_is_read() -> None:
    data = feed(
        "UID:a\nSUMMARY:no time",
        "UID:b\nDTSTART:20260105T100000Z\nDTEND:20260105T110000Z\nstray text without a colon",
    )
    assert busy(data) == [(utc(2026, 1, 5, 10), utc(2026, 1, 5, 11))]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_after_begin_give_intervals_or_a_feed_error(tail: bytes) -> None:
    try:
        result = busy(b"BEGIN:VCALENDAR\r\n" + tail)
    except FeedError:
        return
    assert all(s < e for s, e in result)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_damaged_real_feed_gives_intervals_or_a_feed_error(data: st.DataObject) -> None:
    original = read("google_chicago_school.ics")
    start = data.draw(st.integers(0, len(original) - 1))
    length = data.draw(st.integers(1, 60))
    damaged = original[:start] + data.draw(st.binary(max_size=20)) + original[start + length :]
    with contextlib.suppress(FeedError):
        busy(damaged, utc(2020, 9, 1), utc(2021, 1, 1))


# --- expansion limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=MINUTELY;INTERVAL=2"])
def test_huge_expansion_is_refused(rule: str) -> None:
    data = feed(f"UID:a\nDTSTART:20260101T000000Z\nDTEND:20260101T000001Z\nRRULE:{rule}")
    with pytest.raises(FeedError, match="too many events"):
        busy(data, utc(2026, 1, 1), utc(2027, 2, 5))


def test_expansion_before_the_window_counts_too() -> None:
    """dateutil steps through every occurrence since DTSTART, so those cost as much."""
    data = feed("UID:a\nDTSTART:20200101T000000Z\nDTEND:20200101T000001Z\nRRULE:FREQ=MINUTELY")
    with pytest.raises(FeedError, match="too many events"):
        busy(data, utc(2026, 1, 1), utc(2026, 1, 2))


def test_long_running_daily_series_is_fine() -> None:
    data = feed("UID:a\nDTSTART:19900101T090000Z\nDTEND:19900101T093000Z\nRRULE:FREQ=DAILY")
    assert len(busy(data, utc(2026, 1, 1), utc(2026, 1, 8))) == 7


def test_occurrence_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ical, "MAX_OCCURRENCES", 9)
    data = feed("UID:a\nDTSTART:20260101T090000Z\nDTEND:20260101T093000Z\nRRULE:FREQ=DAILY")
    assert len(busy(data, utc(2026, 1, 1), utc(2026, 1, 6))) == 5
    with pytest.raises(FeedError, match="too many events"):
        busy(data, utc(2026, 1, 1), utc(2026, 1, 31))


def test_expansion_guard_sees_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard reads recurring-ical-events internals; this fails if it stops finding them."""
    monkeypatch.setattr(ical, "MAX_EXPANSION_STEPS", 20)
    data = feed("UID:a\nDTSTART:20250101T090000Z\nDTEND:20250101T093000Z\nRRULE:FREQ=DAILY")
    with pytest.raises(FeedError, match="too many events"):
        busy(data, utc(2026, 1, 1), utc(2026, 1, 2))


# --- fingerprint --------------------------------------------------------------------------------


def test_fingerprint_is_stable_for_the_same_busy_time() -> None:
    a = [(utc(2026, 1, 5, 9), utc(2026, 1, 5, 10)), (utc(2026, 1, 6, 9), utc(2026, 1, 6, 10))]
    split = [
        (utc(2026, 1, 6, 9), utc(2026, 1, 6, 9, 30)),
        (utc(2026, 1, 6, 9, 30).astimezone(BERLIN), utc(2026, 1, 6, 10).astimezone(BERLIN)),
        (utc(2026, 1, 5, 9), utc(2026, 1, 5, 10)),
        (utc(2026, 1, 7), utc(2026, 1, 7)),  # empty
    ]
    assert feed_fingerprint(a) == feed_fingerprint(split) == feed_fingerprint(iter(a))
    assert re.fullmatch(r"[0-9a-f]{64}", feed_fingerprint(a))
    assert feed_fingerprint([]) == feed_fingerprint([])


def test_fingerprint_changes_with_the_busy_time() -> None:
    a = [(utc(2026, 1, 5, 9), utc(2026, 1, 5, 10))]
    assert feed_fingerprint(a) != feed_fingerprint([(utc(2026, 1, 5, 9), utc(2026, 1, 5, 11))])
    assert feed_fingerprint(a) != feed_fingerprint([])
    with pytest.raises(ValueError, match="timezone-aware"):
        feed_fingerprint([(datetime(2026, 1, 5, 9), utc(2026, 1, 5, 10))])


def test_fingerprint_of_a_feed_ignores_changed_titles() -> None:
    kwargs: dict[str, Any] = {"start": utc(2020, 9, 1), "end": utc(2021, 1, 1)}
    data = read("google_chicago_school.ics")
    renamed = data.replace(b"SUMMARY:Event#", b"SUMMARY:Renamed#")
    moved = data.replace(b"20201113T141500Z", b"20201113T151500Z")
    assert feed_fingerprint(busy(data, **kwargs)) == feed_fingerprint(busy(renamed, **kwargs))
    assert feed_fingerprint(busy(data, **kwargs)) != feed_fingerprint(busy(moved, **kwargs))


# --- export -------------------------------------------------------------------------------------

EXPORTED = [
    ExportEvent(
        uid="booking-1@booknmeet",
        start=utc(2027, 1, 4, 9),
        end=utc(2027, 1, 4, 9, 30),
        summary="Intro call, with Ada; notes\\ and a\nnew line — ünïcödé",
        sequence=0,
        status="CONFIRMED",
        location="Room 1, floor 2",
        description="Bring the contract.\nSecond line",
        last_modified=utc(2026, 12, 20, 8, 15, 30),
    ),
    ExportEvent(
        uid="booking-2@booknmeet",
        start=datetime(2027, 1, 5, 14, tzinfo=BERLIN),  # 13:00Z
        end=datetime(2027, 1, 5, 15, tzinfo=BERLIN),
        summary="Pending",
        sequence=1,
        status="TENTATIVE",
    ),
    ExportEvent(
        uid="booking-3@booknmeet",
        start=utc(2027, 1, 6, 9),
        end=utc(2027, 1, 6, 10),
        summary="Cancelled demo",
        sequence=3,
        status="CANCELLED",
    ),
]


def test_export_calendar_headers_and_properties() -> None:
    data = export_calendar(EXPORTED, name="Ada's bookings")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == "-//Book N Meet//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Ada's bookings"
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    for event in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY"} <= set(event)
        for key in ("DTSTAMP", "DTSTART", "DTEND"):
            assert event[key].dt.utcoffset() == timedelta(0)
    text = data.decode()
    assert "DTSTART:20270105T130000Z" in text  # 14:00 Berlin, written in UTC
    assert "STATUS:CANCELLED" in text
    assert "DTSTAMP:20261220T081530Z" in text  # last_modified, so the output is stable
    assert "LAST-MODIFIED:20261220T081530Z" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_export_round_trips_through_recurring_ical_events() -> None:
    calendar = icalendar.Calendar.from_ical(export_calendar(EXPORTED, name="x"))
    found = {
        str(e["UID"]): (e["DTSTART"].dt, e["DTEND"].dt, int(e["SEQUENCE"]), str(e["STATUS"]))
        for e in recurring_ical_events.of(calendar).between(utc(2027, 1, 1), utc(2027, 2, 1))
    }
    assert found == {
        e.uid: (e.start.astimezone(UTC), e.end.astimezone(UTC), e.sequence, e.status)
        for e in EXPORTED
    }
    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    first = by_uid["booking-1@booknmeet"]
    assert str(first["SUMMARY"]) == EXPORTED[0].summary
    assert str(first["LOCATION"]) == EXPORTED[0].location
    assert str(first["DESCRIPTION"]) == EXPORTED[0].description
    assert "LOCATION" not in by_uid["booking-2@booknmeet"]


def test_exported_feed_reads_back_as_busy_time() -> None:
    data = export_calendar(EXPORTED, name="x")
    assert busy(data, utc(2027, 1, 1), utc(2027, 2, 1)) == [
        (utc(2027, 1, 4, 9), utc(2027, 1, 4, 9, 30)),
        (utc(2027, 1, 5, 13), utc(2027, 1, 5, 14)),  # tentative is busy, cancelled is not
    ]


def test_export_of_nothing_is_a_valid_calendar() -> None:
    calendar = icalendar.Calendar.from_ical(export_calendar([], name="empty"))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "empty"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"uid": ""}, "uid"),
        ({"status": "BUSY"}, "status"),
        ({"start": datetime(2027, 1, 4, 9)}, "timezone-aware"),
        ({"last_modified": datetime(2027, 1, 4, 9)}, "timezone-aware"),
        ({"end": utc(2027, 1, 4, 9)}, "after start"),
        ({"sequence": -1}, "sequence"),
    ],
)
def test_export_event_is_validated(changes: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "uid": "u",
        "start": utc(2027, 1, 4, 9),
        "end": utc(2027, 1, 4, 10),
        "summary": "s",
        "sequence": 0,
        "status": "CONFIRMED",
    }
    with pytest.raises(ValueError, match=message):
        ExportEvent(**(base | changes))
