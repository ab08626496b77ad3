"""Reminders: scheduled with confirmed bookings, replaced when they move, sent exactly once."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from models.booking import Booking
from models.event_type import EventType
from models.notification import Notification
from models.reminder import Reminder
from models.user import User
from services import availability, bookings, reminders
from services.clock import utcnow
from tests.conftest import start_server, wait_until

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)


async def _host() -> tuple[User, EventType]:
    host = await User.create(email="host@example.com", name="Hanna", password_hash="x")
    await availability.set_weekly(
        host, "UTC", [(d, "08:00", "18:00") for d in ("MONDAY", "TUESDAY")]
    )
    event_type = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    return host, event_type


async def _book(event_type: EventType, start: datetime, booker: User | None = None):
    request = bookings.BookingRequest(event_type.id, start, "Ivy", "ivy@example.com")
    return (await bookings.book(request, booker=booker)).booking


async def test_a_confirmed_booking_gets_a_day_and_an_hour_reminder(clean_db):
    _, event_type = await _host()
    booking = await _book(event_type, MONDAY_10)
    due = sorted(await Reminder.filter(booking_id=booking.id).values_list("due_at", flat=True))
    assert due == [MONDAY_10 - timedelta(days=1), MONDAY_10 - timedelta(hours=1)]


async def test_pending_bookings_get_reminders_only_once_confirmed(clean_db):
    _, event_type = await _host()
    await EventType.filter(id=event_type.id).update(requires_confirmation=True)
    event_type = await EventType.get(id=event_type.id)
    booking = await _book(event_type, MONDAY_10)
    assert await Reminder.filter(booking_id=booking.id).count() == 0
    managed = await bookings.managed(booking.id, await User.get(id=event_type.host_id), None)
    await bookings.confirm(managed)
    assert await Reminder.filter(booking_id=booking.id).count() == 2


async def test_cancel_removes_and_reschedule_replaces_unsent_reminders(clean_db):
    host, event_type = await _host()
    booking = await _book(event_type, MONDAY_10)
    moved_to = MONDAY_10 + timedelta(days=1, hours=2)
    managed = await bookings.managed(booking.id, host, None)
    await bookings.reschedule(managed, moved_to, None)
    due = sorted(await Reminder.filter(booking_id=booking.id).values_list("due_at", flat=True))
    assert due == [moved_to - timedelta(days=1), moved_to - timedelta(hours=1)]
    await bookings.cancel(await bookings.managed(booking.id, host, None), None)
    assert await Reminder.filter(booking_id=booking.id).count() == 0


async def test_due_reminders_notify_host_and_signed_in_booker_once(clean_db):
    host, event_type = await _host()
    booker = await User.create(email="ivy@example.com", name="Ivy", password_hash="x")
    await _book(event_type, MONDAY_10, booker=booker)
    an_hour_before = MONDAY_10 - timedelta(minutes=59)
    first, second = await asyncio.gather(
        reminders.fire_due(now=an_hour_before), reminders.fire_due(now=an_hour_before)
    )
    assert first + second == 2  # the day-before and the hour-before reminder, once each
    sent = await Notification.filter(kind="REMINDER").values_list("user_id", flat=True)
    assert sorted(sent) == sorted([host.id, booker.id] * 2)
    assert await reminders.fire_due(now=an_hour_before) == 0


async def test_a_stale_claim_sends_nothing(clean_db):
    _, event_type = await _host()
    booking = await _book(event_type, MONDAY_10)
    # The booking moved behind the reminder's back: its due time no longer matches.
    await Booking.filter(id=booking.id).update(start=MONDAY_10 + timedelta(minutes=30))
    assert await reminders.fire_due(now=MONDAY_10) == 0
    assert await Notification.filter(kind="REMINDER").count() == 0


async def test_two_server_processes_send_each_due_reminder_once(clean_db, settings, tmp_path):
    host, event_type = await _host()
    start = (utcnow() + timedelta(minutes=60)).replace(microsecond=0)
    reminder_ids = []
    for i in range(5):
        at = start + timedelta(hours=i)
        booking = await Booking.create(
            event_type=event_type, host=host, start=at, end=at + timedelta(minutes=30),
            busy_start=at, busy_end=at + timedelta(minutes=30),
            attendee_name=f"G{i}", attendee_email=f"g{i}@example.com",
        )  # fmt: skip
        reminder = await Reminder.create(
            booking=booking, offset_minutes=60 + 60 * i, due_at=start - timedelta(minutes=60)
        )
        reminder_ids.append(reminder.id)

    async def all_sent() -> bool:
        return not await Reminder.filter(id__in=reminder_ids, sent_at=None).exists()

    env = {"REMINDER_POLL_SECONDS": "0.05"}
    servers = [start_server(settings, tmp_path, env=env) for _ in range(2)]
    try:
        await wait_until(all_sent, within=20)
        await asyncio.sleep(0.5)  # a second sender, if any, would have written by now
    finally:
        for server in servers:
            server.stop()
    assert await Notification.filter(kind="REMINDER").count() == 5


@pytest.mark.parametrize("offsets", [[0], [1, 2, 3, 4, 5, 6], [60 * 24 * 31]])
async def test_reminder_offsets_are_validated(gql, sign_up, offsets):
    token, _ = await sign_up()
    mutation = """mutation($o: [Int!]) { createEventType(input: {title: "T", slug: "t",
      durationMinutes: 30, reminderOffsetsMinutes: $o}) { id } }"""
    assert (await gql(mutation, {"o": offsets}, token=token)).codes == ["BAD_USER_INPUT"]
    assert await EventType.all().count() == 0
