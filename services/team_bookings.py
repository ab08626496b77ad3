"""Bookings of team event types: ROUND_ROBIN gives each to one free host, COLLECTIVE takes all.

Every transaction here locks all the event type's hosts first, in one order (`lock_hosts`), and
decides inside it who is free (their weekly rules, overrides, bookings of any event type, linked
calendars and limits: services/slots.py per host). ROUND_ROBIN picks the free host with the fewest
bookings of the event type made in the last 30 days, ties to the one booked least recently, then
the lowest id. The database has the last word per host (booking_hosts, migration 0017): a
constraint violation runs the transaction again, a bounded number of times, then CONFLICT.
"""

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import Conflict
from models.booking import CANCELLED, Booking
from models.booking_host import BookingHost
from models.event_type import EventType
from models.team import COLLECTIVE, ROUND_ROBIN
from models.user import User
from services import booking_hosts, changes, reminders, slots
from services.bookings import (
    SLOT_TAKEN,
    Booked,
    BookingRequest,
    _fingerprint,
    _reason,
    lock_hosts,
    requested,
    seat_group,
)
from services.clock import utcnow
from services.retry import retrying
from services.tokens import new_token

__all__ = ["book", "release_host", "reschedule", "retrying"]

FAIRNESS_WINDOW = timedelta(days=30)
DAY_AROUND = timedelta(hours=27)
CONSTRAINT_ATTEMPTS = 3
HOST_LEFT = "The host is no longer available for this meeting."


async def hosts(event_type: EventType) -> list[User]:
    """The event type's hosts who can take bookings (not suspended), by id."""
    return await slots.team_hosts(event_type)


async def free_hosts(
    event_type: EventType, candidates: list[User], start: datetime, exclude: int | None = None
) -> list[User]:
    """Those of `candidates` free for a booking of `event_type` at `start`. Inside the booking
    transaction, after their locks. The window covers each host's local day of `start`."""
    if not candidates:
        return []
    data = await slots.team_inputs(
        event_type,
        start - DAY_AROUND,
        start + DAY_AROUND,
        hosts=candidates,
        exclude_booking=exclude,
    )
    return [h for h in candidates if slots.seats_left(start, data[h.id]) > 0]


def _aware(value: datetime | str | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def choose(event_type: EventType, free: list[User]) -> User:
    """The free host with the fewest bookings of the event type made in the last 30 days; ties:
    the one booked least recently, then the lowest id."""
    rows = (
        await Booking.filter(
            event_type_id=event_type.id,
            host_id__in=[h.id for h in free],
            status__not=CANCELLED,
            created_at__gte=utcnow() - FAIRNESS_WINDOW,
        )
        .annotate(count=Count("id"), last=Max("created_at"))
        .group_by("host_id")
        .values("host_id", "count", "last")
    )
    load = {r["host_id"]: (r["count"], _aware(r["last"])) for r in rows}
    never = (0, _aware(None))
    return min(free, key=lambda h: (*load.get(h.id, never), h.id))


def _group(event_type: EventType, start: datetime, host_id: int) -> str:
    """ROUND_ROBIN: one seat per host at a start (the seat index is unique per group)."""
    group = seat_group(event_type.id, start)
    return f"{group}/{host_id}" if event_type.assignment == ROUND_ROBIN else group


async def _replay(event_type: EventType, request: BookingRequest) -> Booked | None:
    if request.idempotency_key is None:
        return None
    previous = await Booking.get_or_none(
        event_type_id=event_type.id, idempotency_key=request.idempotency_key
    ).select_related("event_type__host")
    if previous is None:
        return None
    if previous.request_fingerprint != _fingerprint(request):
        raise Conflict(
            "This idempotencyKey was used for a different booking.", field="idempotencyKey"
        )
    return Booked(previous, None)


async def book(
    event_type: EventType,
    request: BookingRequest,
    booker: User | None,
    answers: list[dict[str, str]],
    location: str | None,
) -> Booked:
    """`request` is clean (services/bookings.book); `event_type` is a team's, with its host."""
    if replay := await _replay(event_type, request):
        return replay
    if request.hold_token is not None:
        raise Conflict("Team event types take no holds.", field="holdToken")
    candidates = await hosts(event_type)
    for _ in range(CONSTRAINT_ATTEMPTS):
        try:
            return await retrying(
                lambda: _book(event_type, candidates, request, booker, answers, location)
            )
        except IntegrityError:
            if replay := await _replay(event_type, request):
                return replay
    raise Conflict(SLOT_TAKEN, field="start")


async def _book(
    event_type: EventType,
    candidates: list[User],
    request: BookingRequest,
    booker: User | None,
    answers: list[dict[str, str]],
    location: str | None,
) -> Booked:
    token = new_token("bnm_m")
    end = request.start + timedelta(minutes=event_type.duration_minutes)
    busy_start, busy_end = slots.busy_range(event_type, request.start, end)
    async with in_transaction():
        await lock_hosts(h.id for h in candidates)
        if replay := await _replay(event_type, request):
            return replay
        free = await free_hosts(event_type, candidates, request.start)
        if not candidates or not free:
            raise Conflict(SLOT_TAKEN, field="start")
        if event_type.assignment == COLLECTIVE:
            if len(free) < len(candidates):
                raise Conflict(SLOT_TAKEN, field="start")
            host = candidates[0]
        else:
            host = await choose(event_type, free)
        booking = await Booking.create(
            seat_group=_group(event_type, request.start, host.id),
            seat=0,
            seats=1,
            answers=answers,
            location=location,
            event_type=event_type,
            host_id=host.id,
            booker=booker,
            start=request.start,
            end=end,
            busy_start=busy_start,
            busy_end=busy_end,
            **requested(event_type, request, token),
        )
        if event_type.assignment == COLLECTIVE:
            await booking_hosts.add_hosts(booking, [h.id for h in candidates])
        await changes.booking_changed(
            booking, event_type, event_type.host.time_zone, "CREATED", token
        )
        await reminders.sync(booking, event_type)
    booking.event_type = event_type
    return Booked(booking, token)


async def reschedule(booking: Booking, start: datetime, reason: str | None) -> Booking:
    """A team booking moves with its hosts: the same host (ROUND_ROBIN) or all of them
    (COLLECTIVE) must be free at the new time. Permission and notice are checked by the caller."""
    reason = _reason(reason)
    start = validation.instant(start).astimezone(UTC)
    event_type = booking.event_type
    end = start + timedelta(minutes=event_type.duration_minutes)
    busy_start, busy_end = slots.busy_range(event_type, start, end)
    host_ids = await booking_hosts.host_ids(booking.id)
    sequence, status = booking.sequence, booking.status

    async def attempt() -> Booking:
        try:
            async with in_transaction():
                await lock_hosts(host_ids)
                taking = await User.filter(id__in=host_ids).order_by("id")
                free = await free_hosts(event_type, taking, start, exclude=booking.id)
                if len(free) < len(taking):
                    raise Conflict(SLOT_TAKEN, field="start")
                changed = await Booking.filter(
                    id=booking.id, status=status, sequence=sequence
                ).update(
                    sequence=sequence + 1,
                    start=start,
                    end=end,
                    busy_start=busy_start,
                    busy_end=busy_end,
                    seat_group=_group(event_type, start, booking.host_id),
                    reschedule_reason=reason,
                )
                if not changed:
                    raise Conflict("The booking was changed meanwhile; load it again.", field="id")
                moved = await Booking.get(id=booking.id).select_related("event_type__host")
                await changes.booking_changed(
                    moved, moved.event_type, moved.event_type.host.time_zone, "RESCHEDULED"
                )
                await reminders.sync(moved, moved.event_type)
        except IntegrityError:
            raise Conflict(SLOT_TAKEN, field="start") from None
        return moved

    return await retrying(attempt)


async def release_host(event_type_ids: list[int], user_id: int) -> None:
    """Inside the transaction that removes `user_id` from a team (their hosts locked): each of
    their future bookings of these event types goes to another free host of a ROUND_ROBIN type,
    or is cancelled (COLLECTIVE, or no one free); the invitee and the hosts are told."""
    booking_ids = await BookingHost.filter(
        event_type_id__in=event_type_ids, host_id=user_id, active=True, start__gt=utcnow()
    ).values_list("booking_id", flat=True)
    for booking in await Booking.filter(id__in=booking_ids).select_related("event_type__host"):
        event_type = booking.event_type
        zone = event_type.host.time_zone
        heir = None
        if event_type.assignment == ROUND_ROBIN:
            others = [h for h in await hosts(event_type) if h.id != user_id]
            free = await free_hosts(event_type, others, booking.start, exclude=booking.id)
            heir = await choose(event_type, free) if free else None
        if heir is not None:
            await Booking.filter(id=booking.id).update(
                host_id=heir.id,
                seat_group=_group(event_type, booking.start, heir.id),
                sequence=booking.sequence + 1,
                reschedule_reason=f"{heir.name} hosts this meeting now.",
            )
            kind = "RESCHEDULED"
        else:
            await Booking.filter(id=booking.id).update(
                status=CANCELLED, sequence=booking.sequence + 1, cancel_reason=HOST_LEFT
            )
            kind = "CANCELLED"
        changed = await Booking.get(id=booking.id).select_related("event_type__host")
        await changes.booking_changed(changed, changed.event_type, zone, kind)
        await reminders.sync(changed, changed.event_type)
