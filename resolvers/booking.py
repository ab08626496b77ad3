from datetime import datetime
from typing import Annotated

import strawberry

from domain.errors import BadUserInput, Forbidden
from models.booking import Booking
from resolvers.ids import parse_id
from schema import budget
from schema.booking import (
    BookingConnectionType,
    BookingEdgeType,
    BookingOrder,
    BookingStatus,
    BookingType,
    BookMeetingInput,
    ClientConnectionType,
    ClientEdgeType,
    ClientType,
    SlotType,
)
from schema.context import Info
from schema.pagination import (
    BEFORE,
    LAST,
    PageRequest,
    cursor_id,
    cursor_int,
    encode_cursor,
    exists,
    page_info,
    page_request,
)
from schema.scalars import parse_datetime
from schema.scheduling import AnswerInput, SlotHoldType
from services import bookings, holds, slots


async def available_slots(
    info: Info,
    event_type_id: strawberry.ID,
    start: datetime,
    end: datetime,
    time_zone: str | None = None,
) -> list[SlotType]:
    max_slots = info.context.settings.max_slots
    found, zone = await slots.available(
        parse_id(event_type_id, "Event type"),
        start,
        end,
        time_zone,
        limit=budget.slots_left(max_slots),
        viewer_id=info.context.user_id,
    )
    budget.spend_slots(len(found), max_slots)
    return [
        SlotType(start=s.astimezone(zone), end=e.astimezone(zone), seats_left=left)
        for s, e, left in found
    ]


async def bookings_page(
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    status: BookingStatus | None = None,
    order: BookingOrder = BookingOrder.NEWEST_FIRST,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
    last: Annotated[int | None, LAST] = None,
    before: Annotated[str | None, BEFORE] = None,
) -> BookingConnectionType:
    host = info.context.require_user()
    request = page_request(first, after, last, before)
    result = await bookings.page(
        host,
        first=request.size,
        after=_cursor_key(request, order),
        status=status.value if status else None,
        order=order.value,
        start_from=start_from,
        start_to=start_to,
        backward=request.backward,
    )
    edges = [BookingEdgeType(node=BookingType.from_model(row), key=key) for row, key in result.rows]
    return BookingConnectionType(
        edges=edges,
        page_info=page_info(
            [encode_cursor(*edge.key) for edge in (edges[:1] + edges[-1:])],
            request,
            more=result.has_more,
            beyond_cursor=exists(result.beyond_cursor),
        ),
        count=result.total,
    )


def _cursor_key(request: PageRequest, order: BookingOrder) -> list[object] | None:
    """The key of a bookings cursor of this order: [id], or [start, id] for START_ASC."""
    key = request.cursor
    if key is None:
        return None
    if order == BookingOrder.START_ASC and len(key) == 2 and isinstance(key[0], str):
        try:
            parse_datetime(key[0])
        except ValueError:
            pass
        else:
            return [key[0], cursor_int(key[1], request.argument)]
    elif order != BookingOrder.START_ASC and len(key) == 1:
        return [cursor_int(key[0], request.argument)]
    raise BadUserInput(request.argument, "not a cursor from this API for this order")


async def booking(info: Info, id: strawberry.ID) -> BookingType | None:
    host = info.context.require_user()
    row = await bookings.hosted(parse_id(id, "Booking"), host)
    info.context.loaders.prime_event_type(row.event_type)
    return BookingType.from_model(row)


async def managed_booking(info: Info, manage_token: str) -> BookingType | None:
    row = await bookings.by_manage_token(manage_token)
    if row is None:
        return None
    info.context.loaders.prime_event_type(row.event_type)
    return BookingType.from_model(row)


async def clients(
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    last: Annotated[int | None, LAST] = None,
    before: Annotated[str | None, BEFORE] = None,
) -> ClientConnectionType:
    host = info.context.require_user()
    request = page_request(first, after, last, before)
    everyone = await bookings.clients(host)
    position = cursor_id(request)  # the 1-based position of its client in the list
    if request.backward:
        end = len(everyone) if position is None else max(min(position - 1, len(everyone)), 0)
        start = max(end - request.size, 0)
    else:
        start = max(position or 0, 0)
        end = start + request.size
    chosen = everyone[start:end]
    edges = [
        ClientEdgeType(
            node=ClientType(
                name=c.name,
                email=c.email,
                booking_count=c.booking_count,
                last_booking_at=c.last_booking_at,
            ),
            cursor=encode_cursor(start + i + 1),
        )
        for i, c in enumerate(chosen)
    ]
    more = start > 0 if request.backward else end < len(everyone)
    other_side = end < len(everyone) if request.backward else start > 0
    return ClientConnectionType(
        edges=edges,
        page_info=page_info(
            [edge.cursor for edge in edges],
            request,
            more=more,
            beyond_cursor=position is not None and other_side,
        ),
        total_count=len(everyone),
    )


async def book_meeting(info: Info, input: BookMeetingInput) -> BookingType:
    request = bookings.BookingRequest(
        event_type_id=parse_id(input.event_type_id, "Event type"),
        start=input.start,
        name=input.name,
        email=input.email,
        time_zone=input.time_zone,
        notes=input.notes,
        idempotency_key=input.idempotency_key,
        answers=tuple((a.key, a.value) for a in input.answers or ()),
        hold_token=input.hold_token,
    )
    booked = await bookings.book(
        request,
        booker=info.context.user,
        video_link_template=info.context.settings.video_link_template,
    )
    info.context.loaders.prime_event_type(booked.booking.event_type)
    return BookingType.from_model(booked.booking, manage_token=booked.manage_token)


async def _managed(info: Info, id: strawberry.ID, manage_token: str | None) -> Booking:
    return await bookings.managed(parse_id(id, "Booking"), info.context.user, manage_token)


def _by_host(info: Info, booking: Booking) -> bool:
    user = info.context.user
    return user is not None and user.id == booking.host_id


async def cancel_booking(
    info: Info, id: strawberry.ID, reason: str | None = None, manage_token: str | None = None
) -> BookingType:
    row = await _managed(info, id, manage_token)
    row = await bookings.cancel(row, reason, by_host=_by_host(info, row))
    return BookingType.from_model(row)


async def reschedule_booking(
    info: Info,
    id: strawberry.ID,
    start: datetime,
    reason: str | None = None,
    manage_token: str | None = None,
) -> BookingType:
    row = await _managed(info, id, manage_token)
    row = await bookings.reschedule(row, start, reason, by_host=_by_host(info, row))
    return BookingType.from_model(row)


async def correct_booking_answers(
    info: Info, id: strawberry.ID, answers: list[AnswerInput], manage_token: str | None = None
) -> BookingType:
    row = await _managed(info, id, manage_token)
    if _by_host(info, row) and row.booker_id != row.host_id:
        raise Forbidden("Answers are the booker's to correct.")
    row = await bookings.correct_answers(row, [(a.key, a.value) for a in answers])
    return BookingType.from_model(row)


async def hold_slot(info: Info, event_type_id: strawberry.ID, start: datetime) -> SlotHoldType:
    held = await holds.hold(
        parse_id(event_type_id, "Event type"),
        start,
        info.context.settings.slot_hold_minutes,
        viewer_id=info.context.user_id,
    )
    return SlotHoldType(token=held.token, expires_at=held.expires_at)


async def confirm_booking(info: Info, id: strawberry.ID) -> BookingType:
    host = info.context.require_user()
    row = await bookings.confirm(await bookings.hosted(parse_id(id, "Booking"), host))
    return BookingType.from_model(row)
