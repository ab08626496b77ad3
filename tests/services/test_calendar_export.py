"""Book N Meet meetings as iCalendar over HTTP: they parse, round-trip and update in place."""

from datetime import UTC, datetime, timedelta

import icalendar
import recurring_ical_events

from models.event_type import EventType
from models.user import User
from services import availability, bookings, calendar_export
from tests.conftest import PASSWORD, SIGN_UP


def _next_monday_ten() -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=7)
    day += timedelta(days=-day.weekday() % 7)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


START = _next_monday_ten()  # inside the feed's window (the last 30 and next 400 days)


async def _setup():
    host = await User.create(email="host@example.com", name="Hanna", password_hash="x")
    await availability.set_weekly(host, "UTC", [("MONDAY", "08:00", "18:00")])
    event_type = await EventType.create(
        host=host, title="Intro", slug="intro", duration_minutes=30, location="Room 1"
    )
    request = bookings.BookingRequest(event_type.id, START, "Ivy", "ivy@example.com", notes="Hi")
    booked = await bookings.book(request)
    return host, booked


def _events(body: bytes, start: datetime, end: datetime) -> list:
    calendar = icalendar.Calendar.from_ical(body)
    return list(recurring_ical_events.of(calendar).between(start, end))


async def test_host_feed_round_trips_and_updates_in_place(clean_db):
    host, booked = await _setup()
    token = await calendar_export.rotate_feed(host)
    body = await calendar_export.host_feed(token)
    assert body is not None
    (event,) = _events(body, START - timedelta(days=1), START + timedelta(days=1))
    # The booking's one UID, the same as in its e-mail invitations.
    assert (
        str(event["UID"])
        == booked.booking.calendar_uid()
        == f"booking-{booked.booking.id}@booknmeet"
    )
    assert event["DTSTART"].dt == START and event["DTEND"].dt == START + timedelta(minutes=30)
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Intro with Ivy"

    moved = START + timedelta(hours=2)
    managed = await bookings.managed(booked.booking.id, host, None)
    await bookings.reschedule(managed, moved, None)
    await bookings.cancel(await bookings.managed(booked.booking.id, host, None), None)
    body = await calendar_export.host_feed(token)
    (event,) = _events(body, START - timedelta(days=1), START + timedelta(days=1))
    assert str(event["UID"]) == booked.booking.calendar_uid()
    assert event["DTSTART"].dt == moved
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"


async def test_feed_over_http_and_rotation_kills_the_old_url(http):
    host, _ = await _setup()
    first = await calendar_export.rotate_feed(host)
    response = await http.get(f"/ical/{first}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "no-store" in response.headers["cache-control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Intro with Ivy"]
    second = await calendar_export.rotate_feed(host)
    assert (await http.get(f"/ical/{first}.ics")).status_code == 404
    assert (await http.get(f"/ical/{second}.ics")).status_code == 200
    assert (await http.get("/ical/bnm_f_forged.ics")).status_code == 404


async def test_a_booker_downloads_their_booking_with_the_manage_token(http):
    _, booked = await _setup()
    booking_id, token = booked.booking.id, booked.manage_token
    url = f"/ical/booking/{booking_id}.ics"
    response = await http.get(f"{url}?token={token}")
    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Intro with Hanna"
    assert "DESCRIPTION" not in event  # the host's notes view is not the booker's
    assert (await http.get(f"{url}?token=bnm_m_forged")).status_code == 404
    assert (await http.get(url)).status_code == 404


async def test_a_host_rotates_the_feed_address_through_the_api(http):
    variables = {"input": {"email": "feed@example.com", "password": PASSWORD, "name": "Feed"}}
    token = (await http.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    rotate = "mutation { rotateCalendarFeed }"
    first = (await http.post(rotate, token=token)).ok()["rotateCalendarFeed"]
    assert first.startswith("/ical/") and first.endswith(".ics")
    assert (await http.get(first)).status_code == 200
    second = (await http.post(rotate, token=token)).ok()["rotateCalendarFeed"]
    assert (await http.get(first)).status_code == 404
    assert (await http.get(second)).status_code == 200
    assert (await http.post(rotate)).codes == ["UNAUTHENTICATED"]
