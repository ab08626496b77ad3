"""iTIP invitations and one-line header text: pure."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from domain.headers import one_line
from domain.itip import CANCEL, REQUEST, Invitation, Party, itip

START = datetime(2027, 3, 28, 9, tzinfo=ZoneInfo("Europe/London"))


def _invitation(**changes: object) -> Invitation:
    fields: dict[str, object] = {
        "uid": "abc@booknmeet",
        "sequence": 3,
        "start": START,
        "end": START + timedelta(minutes=30),
        "summary": "Intro with Hanna",
        "organizer": Party("Hanna", "no-reply@booknmeet.example"),
        "attendee": Party("Ivy", "ivy@example.com"),
    }
    fields.update(changes)
    return Invitation(**fields)  # type: ignore[arg-type]


def _event(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def test_a_request_carries_uid_sequence_times_in_utc_and_the_parties():
    method, event = _event(itip(_invitation(), REQUEST))
    assert method == "REQUEST"
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        "abc@booknmeet",
        3,
        "CONFIRMED",
    )
    assert event.decoded("DTSTART") == START.astimezone(UTC)  # 08:00 UTC on the DST day
    assert str(event["ORGANIZER"]) == "mailto:no-reply@booknmeet.example"
    assert str(event["ATTENDEE"].params["CN"]) == "Ivy"
    _, tentative = _event(itip(_invitation(tentative=True), REQUEST))
    assert str(tentative["STATUS"]) == "TENTATIVE"


def test_a_cancel_says_cancelled():
    method, event = _event(itip(_invitation(sequence=4), CANCEL))
    assert (method, str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCEL", "CANCELLED", 4)


def test_names_cannot_break_a_line_of_the_calendar():
    data = itip(
        _invitation(attendee=Party("Eve\r\nATTENDEE:mailto:x@evil.example", "e@x.io")), REQUEST
    )
    _, event = _event(data)
    assert "x@evil.example" not in str(event.get("ATTENDEE"))  # one attendee, the real one
    assert b"\r\nATTENDEE:mailto:x@evil" not in data


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        itip(_invitation(), "PUBLISH")
    with pytest.raises(ValueError):
        itip(_invitation(start=datetime(2027, 1, 1)), REQUEST)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Eve\r\nBcc: x@evil.example", "Eve Bcc: x@evil.example"),
        ("a\u2028b\u0085c\td", "a b c d"),
        ("  many   spaces ", "many spaces"),
    ],
)
def test_one_line(value: str, expected: str) -> None:
    assert one_line(value, 200) == expected
    assert one_line("x" * 300, 10) == "x" * 10


def test_text_and_names_survive_escaping_and_line_folding():
    invitation = _invitation(
        summary="Intro; with, Hanna \\ Host " + "é" * 60,
        organizer=Party('Hanna "The" Host; ^x', "no-reply@booknmeet.example"),
        attendee=Party("Ivy, Jr: the second", "ivy@example.com"),
        location="Room 1, floor 2; east wing",
        description="Manage this booking:\nhttps://booknmeet.example/manage/" + "t" * 80,
        url="https://booknmeet.example/manage/" + "t" * 80,
    )
    data = itip(invitation, REQUEST)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    data.decode()  # no UTF-8 sequence split by a fold
    _, event = _event(data)
    assert str(event["SUMMARY"]) == invitation.summary
    assert str(event["ORGANIZER"].params["CN"]) == invitation.organizer.name
    assert str(event["ATTENDEE"].params["CN"]) == invitation.attendee.name
    assert str(event["ATTENDEE"]) == "mailto:ivy@example.com"
    assert str(event["LOCATION"]) == invitation.location
    assert str(event["DESCRIPTION"]) == invitation.description
    assert str(event["URL"]) == invitation.url
    assert event.decoded("DTEND") == (START + timedelta(minutes=30)).astimezone(UTC)
