from datetime import datetime

import strawberry

from domain.errors import BadUserInput
from models.booking import Booking as BookingRow
from resolvers.ids import parse_id
from schema import budget
from schema.booking import Booking as BookingType
from schema.booking import (
    BookingConnection,
    BookingEdge,
    BookingOrder,
    BookingStatus,
    BookMeetingInput,
    Client,
    ClientConnection,
    ClientEdge,
    Slot,
)
from schema.context import Info
from schema.pagination import (
    PageInfo,
    cursor_id,
    cursor_int,
    decode_cursor,
    encode_cursor,
    page_size,
)
from schema.scalars import parse_datetime
from services import bookings, events, slots


async def available_slots(
    info: Info,
    event_type_id: strawberry.ID,
    start: datetime,
    end: datetime,
    time_zone: str | None = None,
) -> list[Slot]:
    max_slots = info.context.settings.max_slots
    found, zone = await slots.available(
        parse_id(event_type_id, "Event type"),
        start,
        end,
        time_zone,
        limit=budget.slots_left(max_slots),
    )
    budget.spend_slots(len(found), max_slots)
    return [Slot(start=s.astimezone(zone), end=e.astimezone(zone)) for s, e in found]


async def bookings_page(
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    status: BookingStatus | None = None,
    order: BookingOrder = BookingOrder.NEWEST_FIRST,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
) -> BookingConnection:
    host = info.context.require_user()
    result = await bookings.page(
        host,
        first=page_size(first),
        after=_after(after, order) if after else None,
        status=status.value if status else None,
        order=order.value,
        start_from=start_from,
        start_to=start_to,
    )
    edges = []
    for row, key in result.rows:
        info.context.loaders.prime_event_type(row.event_type)
        edges.append(BookingEdge(node=BookingType.from_model(row), cursor=encode_cursor(*key)))
    return BookingConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=result.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        count_query=result.count_query,
    )


def _after(cursor: str, order: BookingOrder) -> list[object]:
    """The key of a bookings cursor of this order: [id], or [start, id] for START_ASC."""
    key = decode_cursor(cursor)
    if order == BookingOrder.START_ASC and len(key) == 2 and isinstance(key[0], str):
        try:
            parse_datetime(key[0])
        except ValueError:
            pass
        else:
            return [key[0], cursor_int(key[1])]
    elif order != BookingOrder.START_ASC and len(key) == 1:
        return [cursor_int(key[0])]
    raise BadUserInput("after", "not a cursor from this API for this order")


async def booking(info: Info, id: strawberry.ID) -> BookingType | None:
    host = info.context.require_user()
    row = await bookings.hosted(parse_id(id, "Booking"), host)
    info.context.loaders.prime_event_type(row.event_type)
    return BookingType.from_model(row)


async def clients(info: Info, first: int | None = 20, after: str | None = None) -> ClientConnection:
    host = info.context.require_user()
    size = page_size(first)
    everyone = await bookings.clients(host)
    offset = cursor_id(after) if after else 0
    chosen = everyone[offset : offset + size]
    edges = [
        ClientEdge(
            node=Client(
                name=c.name,
                email=c.email,
                booking_count=c.booking_count,
                last_booking_at=c.last_booking_at,
            ),
            cursor=encode_cursor(offset + i + 1),
        )
        for i, c in enumerate(chosen)
    ]
    return ClientConnection(
        edges=edges,
        page_info=PageInfo(
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
    )
    booked = await bookings.book(request, booker=info.context.user)
    await events.flush(info.context.bus)
    info.context.loaders.prime_event_type(booked.booking.event_type)
    return BookingType.from_model(booked.booking, manage_token=booked.manage_token)


async def _managed(info: Info, id: strawberry.ID, manage_token: str | None) -> BookingRow:
    return await bookings.managed(parse_id(id, "Booking"), info.context.user, manage_token)


async def cancel_booking(
    info: Info, id: strawberry.ID, reason: str | None = None, manage_token: str | None = None
) -> BookingType:
    row = await bookings.cancel(await _managed(info, id, manage_token), reason)
    await events.flush(info.context.bus)
    return BookingType.from_model(row)


async def reschedule_booking(
    info: Info,
    id: strawberry.ID,
    start: datetime,
    reason: str | None = None,
    manage_token: str | None = None,
) -> BookingType:
    row = await bookings.reschedule(await _managed(info, id, manage_token), start, reason)
    await events.flush(info.context.bus)
    return BookingType.from_model(row)


async def confirm_booking(info: Info, id: strawberry.ID) -> BookingType:
    host = info.context.require_user()
    row = await bookings.confirm(await bookings.hosted(parse_id(id, "Booking"), host))
    await events.flush(info.context.bus)
    return BookingType.from_model(row)
