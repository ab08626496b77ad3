"""Slot holds: `holdSlot` keeps a slot for someone filling in the booking form.

A hold is a row (it survives a restart) that takes one seat of its slot until it expires; taking
it is a booking-like transaction (the host's lock first, the slot checked inside it) and tells
the booking pages at once. The sweep job deletes expired holds and tells them again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain import holds, validation
from domain.errors import Conflict, NotFound
from models.event_type import EventType
from models.hold import SlotHold
from services import bookings, changes, event_types, slots
from services.clock import utcnow
from services.retry import retrying
from services.tokens import new_token, token_hash


@dataclass(frozen=True, slots=True)
class Hold:
    token: str
    expires_at: datetime


async def hold(
    event_type_id: int, start: datetime, minutes: float, viewer_id: int | None = None
) -> Hold:
    start = validation.instant(start)
    event_type = await EventType.get_or_none(
        id=event_type_id, active=True, host__suspended_at=None
    ).select_related("host")
    if event_type is None or not event_types.shown_to(event_type, viewer_id):
        raise NotFound("Event type")
    if event_type.team_id is not None:
        raise Conflict("Team event types take no holds: book directly.", field="eventTypeId")
    end = start + timedelta(minutes=event_type.duration_minutes)
    busy_start, busy_end = slots.busy_range(event_type, start, end)
    host_zone = event_type.host.time_zone

    async def attempt() -> Hold:
        token = new_token("bnm_h")
        async with in_transaction():
            await bookings.lock_host(event_type.host_id)
            window = bookings.day_window(start, ZoneInfo(host_zone))
            data = await slots.inputs(event_type, host_zone, *window)
            if slots.seats_left(start, data) <= 0:
                raise Conflict(bookings.SLOT_TAKEN, field="start")
            row = await SlotHold.create(
                event_type_id=event_type.id,
                host_id=event_type.host_id,
                start=start,
                end=end,
                busy_start=busy_start,
                busy_end=busy_end,
                token_hash=token_hash(token),
                expires_at=holds.expires_at(utcnow(), minutes),
            )
            await changes.availability_changed(event_type.host_id)
        return Hold(token, row.expires_at)

    return await retrying(attempt)


async def sweep() -> int:
    """Deletes expired holds; each host whose hold this worker deleted is announced (a hold
    another worker deleted first is theirs to announce)."""
    now = utcnow()
    expired = await SlotHold.filter(expires_at__lte=now).values_list("id", "host_id")
    freed: set[int] = set()
    async with in_transaction():
        for hold_id, host_id in expired:
            if await SlotHold.filter(id=hold_id, expires_at__lte=now).delete():
                freed.add(host_id)
        for host_id in sorted(freed):
            await changes.availability_changed(host_id, now)
    return len(expired)
