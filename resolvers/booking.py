from datetime import datetime

import strawberry

from domain.errors import Forbidden
from models.booking import Booking
from resolvers.ids import parse_id
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
from schema.pagination import PageInfoType, decode_cursor, encode_cursor, page_size
from schema.scheduling import AnswerInput, SlotHoldType
from services import bookings, holds, slots


async def available_slots(
    info: Info,
    event_type_id: strawberry.ID,
    start: datetime,
    end: datetime,
    time_zone: str | None = None,
) -> list[SlotType]:
    found, zone = await slots.available(
        parse_id(event_type_id, "Event type"), start, end, time_zone
    )
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
) -> BookingConnectionType:
    host = info.context.require_user()
    result = await bookings.page(
        host,
        first=page_size(first),
        after=decode_cursor(after) if after else None,
        status=status.value if status else None,
        order=order.value,
        start_from=start_from,
        start_to=start_to,
    )
    edges = []
    for row, key in result.rows:
        info.context.loaders.prime_event_type(row.event_type)
        edges.append(BookingEdgeType(node=BookingType.from_model(row), cursor=encode_cursor(*key)))
    return BookingConnectionType(
        edges=edges,
        page_info=PageInfoType(
            has_next_page=result.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        count=result.total,
    )


async def booking(info: Info, id: strawberry.ID) -> BookingType | None:
    host = info.context.require_user()
    row = await bookings.hosted(parse_id(id, "BookingType"), host)
    info.context.loaders.prime_event_type(row.event_type)
    return BookingType.from_model(row)


async def clients(
    info: Info, first: int | None = 20, after: str | None = None
) -> ClientConnectionType:
    host = info.context.require_user()
    size = page_size(first)
    everyone = await bookings.clients(host)
    offset = int(str(decode_cursor(after)[0])) if after else 0
    chosen = everyone[offset : offset + size]
    edges = [
        ClientEdgeType(
            node=ClientType(
                name=c.name,
                email=c.email,
                booking_count=c.booking_count,
                last_booking_at=c.last_booking_at,
            ),
            cursor=encode_cursor(offset + i + 1),
        )
        for i, c in enumerate(chosen)
    ]
    return ClientConnectionType(
        edges=edges,
        page_info=PageInfoType(
            has_next_page=offset + size < len(everyone),
            end_cursor=edges[-1].cursor if edges else None,
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
    return await bookings.managed(parse_id(id, "BookingType"), info.context.user, manage_token)


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
        parse_id(event_type_id, "Event type"), start, info.context.settings.slot_hold_minutes
    )
    return SlotHoldType(token=held.token, expires_at=held.expires_at)


async def confirm_booking(info: Info, id: strawberry.ID) -> BookingType:
    host = info.context.require_user()
    row = await bookings.confirm(await bookings.hosted(parse_id(id, "BookingType"), host))
    return BookingType.from_model(row)
