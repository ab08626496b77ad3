"""Bookings: made by anyone, managed by the host, the signed-in booker or the manage token.

No double booking is guaranteed by the database (an exclusion constraint on PostgreSQL, a trigger
on SQLite; see migrations/0002). The check before the insert only gives the clearer answer; the
host's row is locked for the transaction so the daily limit holds under races too.

Races between changes are decided by the database too: every change of a booking is an UPDATE
conditional on the status and sequence its caller read, so of two racing changes exactly one
wins and the other is CONFLICT, and `sequence` counts every change. Every booking transaction
takes its locks in one order (the host, then the booking, then what the change writes), and one
aborted by a concurrent transaction anyway is run again (services/retry.py).
"""

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from domain import questions, validation
from domain.errors import BadUserInput, Conflict, NotFound
from models.booking import CANCELLED, CONFIRMED, PENDING, Booking
from models.event_type import EventType
from models.hold import SlotHold
from models.user import User
from services import changes, event_types, reminders, slots
from services.clock import utcnow
from services.mail import booking as booking_mail
from services.retry import retrying
from services.tokens import new_token, token_hash

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_VIDEO_LINK_TEMPLATE = "https://meet.jit.si/booknmeet-{token}"
SLOT_TAKEN = "This time is not available (taken, outside working hours, or too soon)."
CHANGED = "The booking was changed meanwhile (cancelled, moved or confirmed); load it again."


@dataclass(frozen=True, slots=True)
class BookingRequest:
    event_type_id: int
    start: datetime
    name: str
    email: str
    time_zone: str | None = None
    notes: str | None = None
    idempotency_key: str | None = None
    answers: tuple[tuple[str, str], ...] = ()
    hold_token: str | None = None


@dataclass(frozen=True, slots=True)
class Booked:
    booking: Booking
    manage_token: str | None  # only for the request that created it


def _clean(request: BookingRequest) -> BookingRequest:
    start = validation.instant(request.start)
    if request.time_zone is not None:
        validation.time_zone(request.time_zone)
    key = request.idempotency_key
    if key is not None and not 1 <= len(validation.storable(key, field="idempotencyKey")) <= 200:
        raise BadUserInput("idempotencyKey", "must be 1 to 200 characters long")
    notes = request.notes
    if notes is not None:
        notes = validation.text(notes, field="notes", max_length=5000, required=False) or None
    return BookingRequest(
        event_type_id=request.event_type_id,
        start=start,
        name=validation.text(request.name, field="name", max_length=200),
        email=validation.email_address(request.email),
        time_zone=request.time_zone,
        notes=notes,
        idempotency_key=key,
        answers=request.answers,
        hold_token=request.hold_token,
    )


def _fingerprint(request: BookingRequest) -> str:
    fields = [
        request.event_type_id,
        request.start.isoformat(),
        request.name,
        request.email,
        request.time_zone,
        request.notes,
        [list(a) for a in request.answers],
    ]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


async def _replay(host_id: int, request: BookingRequest) -> Booked | None:
    if request.idempotency_key is None:
        return None
    previous = await Booking.get_or_none(
        host_id=host_id, idempotency_key=request.idempotency_key
    ).select_related("event_type__host")
    if previous is None:
        return None
    if previous.request_fingerprint != _fingerprint(request):
        raise Conflict(
            "This idempotencyKey was used for a different booking.", field="idempotencyKey"
        )
    return Booked(previous, None)


async def lock_host(host_id: int) -> None:
    """The first statement of every booking transaction, so that concurrent changes of a host's
    bookings queue up instead of deadlocking. PostgreSQL: the host's row FOR NO KEY UPDATE, which
    still lets other transactions insert rows that refer to the host (notifications). SQLite
    ignores it: the transaction holds the database's write lock from its start (sqlite_engine)."""
    await User.select_for_update(no_key=True).get(id=host_id)


async def lock_hosts(host_ids: Iterable[int]) -> None:
    """For a transaction that changes bookings of several hosts (an erasure): their rows first, in
    one order, before any booking, as every booking transaction does."""
    for host_id in sorted(set(host_ids)):
        await lock_host(host_id)


def day_window(start: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    local = start.astimezone(tz)
    midnight = datetime.combine(local.date(), datetime.min.time(), tz)
    return midnight - timedelta(hours=3), midnight + timedelta(hours=27)


async def _take_seat(
    event_type: EventType, host_zone: str, start: datetime, exclude: int | None = None
) -> dict[str, object]:
    """The seat a booking of `start` takes (its group, index and the slot's seats), or CONFLICT.
    Inside the booking transaction, after `lock_host`; the database has the last word (one
    booking per seat, seat below seats, no overlap outside the group: migration 0013)."""
    window = day_window(start, ZoneInfo(host_zone))
    data = await slots.inputs(event_type, host_zone, *window, exclude_booking=exclude)
    if slots.seats_left(start, data) <= 0:
        raise Conflict(SLOT_TAKEN, field="start")
    group = seat_group(event_type.id, start)
    taken = Booking.filter(seat_group=group, status__not=CANCELLED)
    if exclude is not None:
        taken = taken.exclude(id=exclude)
    used = set(await taken.values_list("seat", flat=True))
    seats = event_type.seats_per_slot
    free = [seat for seat in range(seats) if seat not in used]
    if not free:
        raise Conflict(SLOT_TAKEN, field="start")
    return {"seat_group": group, "seat": free[0], "seats": seats}


def seat_group(event_type_id: int, start: datetime) -> str:
    """Bookings of one event type at one start share a slot's seats: the event type and the
    start in microseconds since the epoch (exact, as migration 0013 back-fills it)."""
    return f"{event_type_id}@{(start - EPOCH) // timedelta(microseconds=1)}"


def _location(event_type: EventType, video_link_template: str) -> str | None:
    """A fixed location is everyone's; a VIDEO event type without one gives each booking its own
    unguessable link."""
    if event_type.location:
        return event_type.location
    if event_type.location_kind == "VIDEO":
        return video_link_template.replace("{token}", secrets.token_urlsafe(18))
    return None


def _answers(event_type: EventType, request: BookingRequest) -> list[dict[str, str]]:
    return questions.answer(questions.from_stored(event_type.questions), list(request.answers))


async def _use_hold(event_type: EventType, request: BookingRequest) -> None:
    """The hold of `hold_token` on this slot ends as this booking is made; a conditional delete,
    so of two bookings with one token one gets it."""
    if request.hold_token is None:
        return
    used = await SlotHold.filter(
        token_hash=token_hash(request.hold_token),
        event_type_id=event_type.id,
        start=request.start,
        expires_at__gt=utcnow(),
    ).delete()
    if not used:
        raise Conflict("The hold has expired or is for another slot.", field="holdToken")


async def book(
    request: BookingRequest,
    booker: User | None = None,
    *,
    video_link_template: str = DEFAULT_VIDEO_LINK_TEMPLATE,
) -> Booked:
    request = _clean(request)
    event_type = await EventType.get_or_none(
        id=request.event_type_id, active=True, host__suspended_at=None
    ).select_related("host")
    # Also: the host is suspended, or it is hidden and the booker is not its host.
    if event_type is None or not event_types.shown_to(event_type, booker and booker.id):
        raise NotFound("Event type")
    answers = _answers(event_type, request)
    if replay := await _replay(event_type.host_id, request):
        return replay
    location = _location(event_type, video_link_template)
    return await retrying(lambda: _book(event_type, request, booker, answers, location))


async def _book(
    event_type: EventType,
    request: BookingRequest,
    booker: User | None,
    answers: list[dict[str, str]],
    location: str | None,
) -> Booked:
    token = new_token("bnm_m")
    end = request.start + timedelta(minutes=event_type.duration_minutes)
    busy_start, busy_end = slots.busy_range(event_type, request.start, end)
    try:
        async with in_transaction():
            await lock_host(event_type.host_id)
            # A concurrent request with this key held the lock before us and has committed:
            # its booking is the answer (before the slot check, which would find it taken).
            if replay := await _replay(event_type.host_id, request):
                return replay
            await _use_hold(event_type, request)
            seat = await _take_seat(event_type, event_type.host.time_zone, request.start)
            booking = await Booking.create(
                **seat,
                answers=answers,
                location=location,
                event_type=event_type,
                host_id=event_type.host_id,
                booker=booker,
                start=request.start,
                end=end,
                busy_start=busy_start,
                busy_end=busy_end,
                status=PENDING if event_type.requires_confirmation else CONFIRMED,
                attendee_name=request.name,
                attendee_email=request.email,
                attendee_time_zone=request.time_zone,
                notes=request.notes,
                manage_token_hash=token_hash(token),
                manage_token_encrypted=booking_mail.keep_token(token),
                idempotency_key=request.idempotency_key,
                request_fingerprint=_fingerprint(request),
            )
            await changes.booking_changed(
                booking, event_type, event_type.host.time_zone, "CREATED", token
            )
            await reminders.sync(booking, event_type)
    except IntegrityError:
        # The constraints' last word, should anything change a host's bookings without taking
        # the host's lock first: a concurrent booking of the slot, or a retry with the same key
        # (committed by now: the unique check waits for the inserting transaction).
        if replay := await _replay(event_type.host_id, request):
            return replay
        raise Conflict(SLOT_TAKEN, field="start") from None
    booking.event_type = event_type
    return Booked(booking, token)


async def managed(booking_id: int, user: User | None, manage_token: str | None) -> Booking:
    """The booking, if the caller is its host, its signed-in booker or holds its manage token."""
    booking = await Booking.get_or_none(id=booking_id).select_related("event_type__host")
    if booking is not None:
        if user is not None and user.id in (booking.host_id, booking.booker_id):
            return booking
        if manage_token and booking.manage_token_hash == token_hash(manage_token):
            return booking
    raise NotFound("Booking")


async def hosted(booking_id: int, host: User) -> Booking:
    booking = await Booking.get_or_none(id=booking_id, host_id=host.id).select_related(
        "event_type__host"
    )
    if booking is None:
        raise NotFound("Booking")
    return booking


def _reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return validation.text(reason, field="reason", max_length=2000, required=False) or None


@dataclass(frozen=True, slots=True)
class Read:
    """The state of a booking its caller read: a change applies only if it is still this."""

    status: str
    sequence: int

    @classmethod
    def of(cls, booking: Booking) -> "Read":
        return cls(booking.status, booking.sequence)


async def _advance(booking: Booking, read: Read, **changes: object) -> None:
    """Applies `changes` and counts one change in `sequence`, only if the booking is still in the
    state `read` (a conditional UPDATE: the database decides which racing change wins). Call
    inside the change's transaction, after `lock_host`; `booking` then holds the new state."""
    changed = await Booking.filter(
        id=booking.id, status=read.status, sequence=read.sequence
    ).update(sequence=read.sequence + 1, **changes)
    if not changed:
        raise Conflict(CHANGED, field="id")
    booking.update_from_dict({"status": read.status, **changes, "sequence": read.sequence + 1})


def _check_notice(booking: Booking, by_host: bool) -> None:
    """Within the event type's cancellation notice only the host may still cancel or move."""
    notice = timedelta(minutes=booking.event_type.minimum_cancel_notice_minutes)
    if not by_host and notice and booking.start - utcnow() < notice:
        raise Conflict(
            f"Within {booking.event_type.minimum_cancel_notice_minutes} minutes of the start "
            "only the host can cancel or move this booking.",
            field="id",
        )


async def cancel(booking: Booking, reason: str | None, *, by_host: bool = True) -> Booking:
    reason = _reason(reason)
    if booking.status == CANCELLED:
        raise Conflict("The booking is already cancelled.", field="id")
    _check_notice(booking, by_host)
    read = Read.of(booking)

    async def attempt() -> Booking:
        async with in_transaction():
            await lock_host(booking.host_id)
            await _advance(booking, read, status=CANCELLED, cancel_reason=reason)
            await _changed(booking, "CANCELLED")
        return booking

    return await retrying(attempt)


async def _changed(booking: Booking, kind: str) -> None:
    event_type = booking.event_type
    await changes.booking_changed(booking, event_type, event_type.host.time_zone, kind)
    await reminders.sync(booking, event_type)


async def reschedule(
    booking: Booking, start: datetime, reason: str | None, *, by_host: bool = True
) -> Booking:
    reason = _reason(reason)
    start = validation.instant(start)
    if booking.status == CANCELLED:
        raise Conflict("A cancelled booking cannot be moved.", field="id")
    _check_notice(booking, by_host)
    read = Read.of(booking)
    event_type = booking.event_type
    start = start.astimezone(ZoneInfo("UTC"))
    end = start + timedelta(minutes=event_type.duration_minutes)
    busy_start, busy_end = slots.busy_range(event_type, start, end)

    async def attempt() -> Booking:
        try:
            async with in_transaction():
                await lock_host(booking.host_id)
                seat = await _take_seat(
                    event_type, event_type.host.time_zone, start, exclude=booking.id
                )
                await _advance(
                    booking,
                    read,
                    **seat,
                    start=start,
                    end=end,
                    busy_start=busy_start,
                    busy_end=busy_end,
                    reschedule_reason=reason,
                )
                moved = await Booking.get(id=booking.id).select_related("event_type__host")
                await _changed(moved, "RESCHEDULED")
        except IntegrityError:
            raise Conflict(SLOT_TAKEN, field="start") from None
        return moved

    return await retrying(attempt)


async def correct_answers(booking: Booking, given: list[tuple[str, str]]) -> Booking:
    """Right to correction of the booker's answers: validated like at booking, applied only to
    the state the booker read (like every change), the host told with a notification."""
    answers = questions.answer(questions.from_stored(booking.event_type.questions), given)
    read = Read.of(booking)

    async def attempt() -> Booking:
        async with in_transaction():
            await lock_host(booking.host_id)
            await _advance(booking, read, answers=answers)
            await changes.notify(
                [booking.host_id],
                "PERSON_UPDATED",
                "A client corrected their answers; the booking shows the new ones.",
                {"bookingIds": [booking.id], "bookingId": booking.id},
            )
        return booking

    return await retrying(attempt)


async def confirm(booking: Booking) -> Booking:
    if booking.status != PENDING:
        raise Conflict(f"Only a pending booking can be confirmed (it is {booking.status}).")
    read = Read.of(booking)

    async def attempt() -> Booking:
        async with in_transaction():
            await lock_host(booking.host_id)
            await _advance(booking, read, status=CONFIRMED)
            await _changed(booking, "CONFIRMED")
        return booking

    return await retrying(attempt)


@dataclass
class Page:
    rows: list[tuple[Booking, list[object]]]  # (booking, cursor key), in the order asked for
    has_more: bool  # beyond the page, in the direction it was read
    count_query: Any  # the rows before paging: counted only when totalCount is asked
    beyond_cursor: object  # a query for what lies on the other side of the cursor, or None

    async def total(self) -> int:
        return await self.count_query.count()


async def page(
    host: User,
    *,
    first: int,
    after: list[object] | None,
    status: str | None,
    order: str,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
    backward: bool = False,
) -> Page:
    """Keyset pages: NEWEST_FIRST by id descending (ids grow with time), START_ASC by start, id.
    `backward`: the `first` items before the cursor `after` (the last ones without a cursor),
    still in the order asked for."""
    query = Booking.filter(host_id=host.id)
    if status:
        query = query.filter(status=status)
    if start_from:
        query = query.filter(start__gte=start_from)
    if start_to:
        query = query.filter(start__lt=start_to)
    count_query = query
    beyond = None
    argument = "before" if backward else "after"
    try:
        if order == "START_ASC":
            fields = ["start", "id"]
            if after:
                start, key_id = datetime.fromisoformat(str(after[0])), int(str(after[1]))
                earlier = Q(start__lt=start) | Q(start=start, id__lt=key_id)
                later = Q(start__gt=start) | Q(start=start, id__gt=key_id)
                at = Q(start=start, id=key_id)
                wanted, other_side = (earlier, later | at) if backward else (later, earlier | at)
                query, beyond = query.filter(wanted), query.filter(other_side)
        else:
            fields = ["-id"]
            if after:
                if len(after) != 1:
                    raise ValueError("cursor of another order")
                key_id = int(str(after[0]))
                if backward:
                    query, beyond = query.filter(id__gt=key_id), query.filter(id__lte=key_id)
                else:
                    query, beyond = query.filter(id__lt=key_id), query.filter(id__gte=key_id)
    except (ValueError, IndexError, TypeError):
        raise BadUserInput(argument, "not a cursor from this API for this order") from None
    if backward:
        fields = [f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields]
    rows = await query.order_by(*fields).limit(first + 1).select_related("event_type__host")
    chosen = rows[:first]
    if backward:
        chosen.reverse()
    keyed = [
        (row, [row.start.isoformat(), row.id] if order == "START_ASC" else [row.id])
        for row in chosen
    ]
    return Page(keyed, len(rows) > first, count_query, beyond)


@dataclass(frozen=True, slots=True)
class ClientSummary:
    name: str
    email: str
    booking_count: int
    last_booking_at: datetime


async def clients(host: User) -> list[ClientSummary]:
    """The host's clients, derived from bookings: most recent first."""
    rows = (
        await Booking.filter(host_id=host.id)
        .annotate(count=Count("id"), last=Max("start"), name=Max("attendee_name"))
        .group_by("attendee_email")
        .values("attendee_email", "count", "last", "name")
    )
    summaries = [
        ClientSummary(r["name"], r["attendee_email"], r["count"], _aware(r["last"])) for r in rows
    ]
    return sorted(summaries, key=lambda c: (c.last_booking_at, c.email), reverse=True)


def _aware(value: datetime | str) -> datetime:
    # Aggregates come back as text on SQLite.
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo("UTC"))
