"""Book N Meet meetings as iCalendar over HTTP: they parse, round-trip and update in place."""

from datetime import UTC, datetime, timedelta

import httpx
import icalendar
import recurring_ical_events

from models.booking import Booking
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


async def _get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def test_host_feed_round_trips_and_updates_in_place(server):
    host, booked = await _setup()
    token = await calendar_export.rotate_feed(host)
    body = await calendar_export.host_feed(token)
    assert body is not None
    (event,) = _events(body, START - timedelta(days=1), START + timedelta(days=1))
    # The booking's one UID, the same as in its e-mail invitations.
    assert str(event["UID"]) == booked.booking.calendar_uid() == booked.booking.ical_uid
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


async def test_feed_over_http_and_rotation_kills_the_old_url(server):
    host, _ = await _setup()
    first = await calendar_export.rotate_feed(host)
    response = await _get(f"{server.url}/ical/{first}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "no-store" in response.headers["cache-control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Intro with Ivy"]
    second = await calendar_export.rotate_feed(host)
    assert (await _get(f"{server.url}/ical/{first}.ics")).status_code == 404
    assert (await _get(f"{server.url}/ical/{second}.ics")).status_code == 200
    assert (await _get(f"{server.url}/ical/bnm_f_forged.ics")).status_code == 404


async def test_a_booker_downloads_their_booking_with_the_manage_token(server):
    _, booked = await _setup()
    booking_id, token = booked.booking.id, booked.manage_token
    url = f"{server.url}/ical/booking/{booking_id}.ics"
    response = await _get(f"{url}?token={token}")
    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Intro with Hanna"
    assert "DESCRIPTION" not in event  # the host's notes view is not the booker's
    assert (await _get(f"{url}?token=bnm_m_forged")).status_code == 404
    assert (await _get(url)).status_code == 404


async def test_a_host_rotates_the_feed_address_through_the_api(server):
    variables = {"input": {"email": "feed@example.com", "password": PASSWORD, "name": "Feed"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    rotate = "mutation { rotateCalendarFeed }"
    first = (await server.post(rotate, token=token)).ok()["rotateCalendarFeed"]
    assert first.startswith("/ical/") and first.endswith(".ics")
    assert (await _get(f"{server.url}{first}")).status_code == 200
    second = (await server.post(rotate, token=token)).ok()["rotateCalendarFeed"]
    assert (await _get(f"{server.url}{first}")).status_code == 404
    assert (await _get(f"{server.url}{second}")).status_code == 200
    assert (await server.post(rotate)).codes == ["UNAUTHENTICATED"]


async def test_a_booking_made_before_stored_uids_keeps_the_uid_its_feed_carried(clean_db):
    _, booked = await _setup()
    await Booking.filter(id=booked.booking.id).update(ical_uid=None)
    legacy = await Booking.get(id=booked.booking.id)
    assert legacy.calendar_uid() == f"booking-{legacy.id}@booknmeet"
