"""The database itself refuses overlapping busy ranges of one host (not only the Python check)."""

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from models.booking import CANCELLED, Booking
from models.event_type import EventType
from models.user import User
from services.bookings import seat_group

T = datetime(2030, 1, 7, 9, tzinfo=UTC)


async def _booking(host: User, et: EventType, start: datetime, minutes: int = 30, **extra):
    return await Booking.create(
        event_type=et,
        host=host,
        start=start,
        end=start + timedelta(minutes=minutes),
        busy_start=start,
        busy_end=start + timedelta(minutes=minutes),
        attendee_name="A",
        attendee_email="a@example.com",
        **extra,
    )


async def test_overlap_is_refused_touching_is_fine_cancelled_does_not_count(clean_db):
    host = await User.create(email="h@example.com", name="H", password_hash="x")
    other = await User.create(email="o@example.com", name="O", password_hash="x")
    et = await EventType.create(host=host, title="t", slug="t", duration_minutes=30)
    et2 = await EventType.create(host=other, title="t", slug="t", duration_minutes=30)
    first = await _booking(host, et, T)
    with pytest.raises(IntegrityError):
        await _booking(host, et, T + timedelta(minutes=15))
    await _booking(host, et, T + timedelta(minutes=30))  # touching
    await _booking(other, et2, T)  # another host
    await _booking(host, et, T - timedelta(minutes=30), status=CANCELLED)
    await Booking.filter(id=first.id).update(status=CANCELLED)
    await _booking(host, et, T + timedelta(minutes=-10), minutes=40)
    moved = await _booking(host, et, T + timedelta(hours=2))
    with pytest.raises(IntegrityError):
        await Booking.filter(id=moved.id).update(
            busy_start=T + timedelta(minutes=45), busy_end=T + timedelta(minutes=75)
        )
    assert await Booking.filter(host=host).exclude(status=CANCELLED).count() == 3


async def test_a_seat_group_shares_its_slot_one_booking_per_seat_below_its_seats(clean_db):
    """Migration 0013: bookings of one seat group may share the host's time, each on its own
    seat below `seats`; anything outside the group still may not overlap them."""
    host = await User.create(email="h@example.com", name="H", password_hash="x")
    et = await EventType.create(host=host, title="t", slug="t", duration_minutes=30)
    group = {"seat_group": seat_group(et.id, T), "seats": 3}
    for seat in range(3):
        await _booking(host, et, T, seat=seat, **group)
    with pytest.raises(IntegrityError):  # a fourth seat of three
        await _booking(host, et, T, seat=3, **group)
    with pytest.raises(IntegrityError):  # a seat twice
        await _booking(host, et, T, seat=1, **{**group, "seats": 4})
    with pytest.raises(IntegrityError):  # another group, overlapping
        await _booking(host, et, T + timedelta(minutes=15), seat=0, seat_group="x", seats=3)
    with pytest.raises(IntegrityError):  # no group, overlapping
        await _booking(host, et, T)
    await Booking.filter(seat_group=group["seat_group"], seat=1).update(status=CANCELLED)
    await _booking(host, et, T, seat=1, **group)  # a cancelled booking's seat is free
    assert await Booking.exclude(status=CANCELLED).count() == 3
