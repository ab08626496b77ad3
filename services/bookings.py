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
from models.booking_host import BookingHost
from models.event_type import EventType
from models.fresh import fresh
from models.hold import SlotHold
from models.user import User
from services import batch, booking_check, changes, event_types, reminders, slots
from services.batch import Guard
from services.clock import utcnow
from services.mail import booking as booking_mail
from services.prepared import Lookup
from services.retry import retrying
from services.tokens import new_token, token_hash

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_VIDEO_LINK_TEMPLATE = "https://meet.jit.si/booknmeet-{token}"
SLOT_TAKEN = "This time is not available (taken, outside working hours, or too soon)."
HOLD_GONE = "The hold has expired or is for another slot."
KEY_REUSED = "This idempotencyKey was used for a different booking."
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
        raise Conflict(KEY_REUSED, field="idempotencyKey")
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


day_window = slots.day_window


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


def _hold_guard(request: BookingRequest, event_type: EventType, now: datetime) -> Guard | None:
    """The hold of `hold_token` on this slot ends as this booking is made; a conditional delete,
    so of two bookings with one token one gets it."""
    if request.hold_token is None:
        return None
    return Guard(
        SlotHold,
        equal=(
            ("token_hash", token_hash(request.hold_token)),
            ("event_type_id", event_type.id),
            ("start", request.start),
        ),
        later=(("expires_at", now),),
        conflict=Conflict(HOLD_GONE, field="holdToken"),
    )


# The event type, with its host's row locked for the transaction (lock_host's lock).
_open_event_type = Lookup(
    EventType,
    int,
    lambda i: EventType.get_or_none(id=i, active=True, host__suspended_at=None).select_related(
        "host"
    ),
    lock="event_types__host",
)


async def book(
    request: BookingRequest,
    booker: User | None = None,
    *,
    video_link_template: str = DEFAULT_VIDEO_LINK_TEMPLATE,
) -> Booked:
    request = _clean(request)
    try:
        return await retrying(lambda: _book(request, booker, video_link_template))
    except _TeamEventType as team:
        from services import team_bookings  # it builds on this module

        event_type = team.event_type
        answers = _answers(event_type, request)
        location = _location(event_type, video_link_template)
        return await team_bookings.book(event_type, request, booker, answers, location)


class _TeamEventType(Exception):
    """A team's event type: booked by services/team_bookings.py, which locks all its hosts."""

    def __init__(self, event_type: EventType) -> None:
        self.event_type = event_type


async def _book(request: BookingRequest, booker: User | None, video_link_template: str) -> Booked:
    """Four statements on PostgreSQL: the event type with the host's lock, everything the
    checks need (services/booking_check.py), every row of the booking (services/batch.py), and
    after the commit the outbox's publishing. The database's constraints have the last word."""
    token = new_token("bnm_m")
    try:
        async with in_transaction():
            event_type = await _open_event_type(request.event_type_id)
            # Also: the host is suspended, or it is hidden and the booker is not its host.
            if event_type is None or not event_types.shown_to(event_type, booker and booker.id):
                raise NotFound("Event type")
            if event_type.team_id is not None:
                raise _TeamEventType(event_type)
            answers = _answers(event_type, request)
            host = event_type.host
            now = utcnow()
            found = await booking_check.read(
                booking_check.Ask(
                    event_type=event_type,
                    tz=ZoneInfo(host.time_zone),
                    start=request.start,
                    seat_group=seat_group(event_type.id, request.start),
                    idempotency_key=request.idempotency_key,
                    hold_hash=token_hash(request.hold_token) if request.hold_token else None,
                    notifications=1 + (booker is not None and booker.id != host.id),
                    now=now,
                )
            )
            # A request with this key held the lock before us and has committed: its booking is
            # the answer (before the slot check, which would find it taken).
            if found.replay is not None:
                return await _replayed(*found.replay, request)
            if request.hold_token is not None and not found.hold_found:
                raise Conflict(HOLD_GONE, field="holdToken")
            booking = fresh(
                Booking,
                id=found.booking_id,
                **_seat(event_type, request.start, found),
                answers=answers,
                location=_location(event_type, video_link_template),
                host_id=event_type.host_id,
                start=request.start,
                end=request.start + timedelta(minutes=event_type.duration_minutes),
                **requested(event_type, request, token),
                created_at=now,
                updated_at=now,
            )
            # The related rows in hand, as Booking(event_type=..., booker=...) would attach them.
            booking.event_type, booking.booker = event_type, booker
            booking.busy_start, booking.busy_end = slots.busy_range(
                event_type, booking.start, booking.end
            )
            # The one place a booking's rows are written: the booking first, then what it
            # tells people (changes.booking_made_rows).
            rows = [booking]
            rows += changes.booking_made_rows(
                booking, event_type, host, token, found.audience, found.notification_ids, now
            )
            await batch.write(rows, guard=_hold_guard(request, event_type, now))
    except IntegrityError:
        # The constraints' last word, should anything change a host's bookings without taking
        # the host's lock first: a concurrent booking of the slot, or a retry with the same key
        # (committed by now: the unique check waits for the inserting transaction).
        if replay := await _replay(booking.host_id, request):
            return replay
        raise Conflict(SLOT_TAKEN, field="start") from None
    booking.event_type = event_type
    return Booked(booking, token)


def requested(event_type: EventType, request: BookingRequest, token: str) -> dict[str, Any]:
    """A new booking's columns that come from the request and its manage token."""
    return {
        "status": PENDING if event_type.requires_confirmation else CONFIRMED,
        "attendee_name": request.name,
        "attendee_email": request.email,
        "attendee_time_zone": request.time_zone,
        "notes": request.notes,
        "manage_token_hash": token_hash(token),
        "manage_token_encrypted": booking_mail.keep_token(token),
        "idempotency_key": request.idempotency_key,
        "request_fingerprint": _fingerprint(request),
    }


def _seat(event_type: EventType, start: datetime, found: booking_check.Found) -> dict[str, Any]:
    if slots.seats_left(start, found.inputs) <= 0:
        raise Conflict(SLOT_TAKEN, field="start")
    free = [seat for seat in range(event_type.seats_per_slot) if seat not in found.seats_taken]
    if not free:
        raise Conflict(SLOT_TAKEN, field="start")
    return {
        "seat_group": seat_group(event_type.id, start),
        "seat": free[0],
        "seats": event_type.seats_per_slot,
    }


async def _replayed(booking_id: int, fingerprint: str | None, request: BookingRequest) -> Booked:
    if fingerprint != _fingerprint(request):
        raise Conflict(KEY_REUSED, field="idempotencyKey")
    previous = await Booking.get(id=booking_id).select_related("event_type__host")
    return Booked(previous, None)


async def managed(booking_id: int, user: User | None, manage_token: str | None) -> Booking:
    """The booking, if the caller is its host, its signed-in booker or holds its manage token."""
    booking = await Booking.get_or_none(id=booking_id).select_related("event_type__host")
    if booking is not None:
        if user is not None and user.id in (booking.host_id, booking.booker_id):
            return booking
        if user is not None and await _team_host(booking, user):
            return booking
        if manage_token and booking.manage_token_hash == token_hash(manage_token):
            return booking
    raise NotFound("Booking")


async def by_manage_token(manage_token: str) -> Booking | None:
    """The booking whose manage token this is (found by the token's hash), or None."""
    if not manage_token or len(manage_token) > 200:
        return None
    return await Booking.get_or_none(manage_token_hash=token_hash(manage_token)).select_related(
        "event_type__host"
    )


async def hosted(booking_id: int, host: User) -> Booking:
    booking = await Booking.get_or_none(id=booking_id).select_related("event_type__host")
    if booking is None or (booking.host_id != host.id and not await _team_host(booking, host)):
        raise NotFound("Booking")
    return booking


async def _team_host(booking: Booking, user: User) -> bool:
    """Another host of a team booking (COLLECTIVE) may manage it like its host."""
    if booking.event_type.team_id is None:
        return False
    return await BookingHost.filter(booking_id=booking.id, host_id=user.id).exists()


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
    if booking.event_type.team_id is not None:
        from services import team_bookings  # it builds on this module

        return await team_bookings.reschedule(booking, start, reason)
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


# What a page reads of a booking: what schema/booking.py BookingType shows, not the bookkeeping
# (busy window, seats, tokens, idempotency); of its event type, what EventTypeType shows; of the
# event type's host, what PublicHostType shows. One joined statement, converted by `_Rows`: each
# event type and host once per page, not once per booking as select_related does.
PAGE_COLUMNS = (
    "id", "event_type_id", "host_id", "booker_id", "start", "end", "status", "attendee_name",
    "attendee_email", "attendee_time_zone", "notes", "cancel_reason", "location", "answers",
    "created_at",
)  # fmt: skip
HOST_COLUMNS = ("id", "name", "time_zone")


class _Rows:
    """Model instances from the raw columns of a joined row (`prefix` + column), converted as
    tortoise's Model._init_from_db converts them, for the given columns only."""

    def __init__(self, model: type[Any], columns: Iterable[str], prefix: str = "") -> None:
        meta = model._meta
        self.columns = wanted = tuple(columns)
        every = [*meta.db_native_fields, *meta.db_default_fields, *meta.db_complex_fields]
        self.model, self.partial = model, set(wanted) != {k for k, _, _ in every}
        self.native = [(prefix + k, f) for k, f, _ in meta.db_native_fields if k in wanted]
        self.default = [
            (prefix + k, f, field.field_type)
            for k, f, field in meta.db_default_fields
            if k in wanted
        ]
        self.complex = [
            (prefix + k, f, field.to_python_value)
            for k, f, field in meta.db_complex_fields
            if k in wanted
        ]

    def __call__(self, row: dict[str, Any]) -> Any:
        instance = self.model.__new__(self.model)
        _set = object.__setattr__
        _set(instance, "_partial", self.partial)
        _set(instance, "_saved_in_db", True)
        _set(instance, "_custom_generated_pk", False)
        _set(instance, "_await_when_save", {})
        for key, name in self.native:
            _set(instance, name, row[key])
        for key, name, kind in self.default:
            value = row[key]
            _set(instance, name, value if value is None else kind(value))
        for key, name, convert in self.complex:
            _set(instance, name, convert(row[key]))
        return instance


_page_rows: dict[str, tuple[_Rows, _Rows, _Rows]] = {}


def _converters(dialect: str) -> tuple[_Rows, _Rows, _Rows]:
    converters = _page_rows.get(dialect)
    if converters is None:
        shown = [k for k in EventType._meta.fields_db_projection if k != "active"]
        converters = _page_rows[dialect] = (
            _Rows(Booking, PAGE_COLUMNS),
            _Rows(EventType, shown, "t_"),
            _Rows(User, HOST_COLUMNS, "h_"),
        )
    return converters


async def _read_page(query: Any, host: User) -> list[Booking]:
    """The page's bookings, each with its event type (`_event_type`) and that one's host
    (`_host`) attached, as select_related would, from one statement."""
    db = Booking._choose_db()
    bookings, event_types, hosts = _converters(db.capabilities.dialect)
    columns = {c: c for c in PAGE_COLUMNS}
    columns |= {f"t_{c}": f"event_type__{c}" for c in event_types.columns}
    columns |= {f"h_{c}": f"event_type__host__{c}" for c in HOST_COLUMNS}
    values = query.values(**columns)
    values._db = db
    values._make_query()
    rows = await db.execute_query_dict(*values.query.get_parameterized_sql())
    types: dict[int, EventType] = {}
    users: dict[int, User] = {host.id: host}
    page = []
    for row in rows:
        booking = bookings(row)
        event_type = types.get(row["t_id"])
        if event_type is None:
            event_type = types[row["t_id"]] = event_types(row)
            user = users.get(row["h_id"])
            if user is None:
                user = users[row["h_id"]] = hosts(row)
            object.__setattr__(event_type, "_host", user)
        object.__setattr__(booking, "_event_type", event_type)
        page.append(booking)
    return page


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
    rows = await _read_page(query.order_by(*fields).limit(first + 1), host)
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
