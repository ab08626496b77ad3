"""The hosts a booking takes time from (booking_hosts, one row per host; migration 0017).

The database writes the row of the booking's own host and keeps every row in step with the
booking (triggers); this module adds the other hosts of a COLLECTIVE booking and reads who hosts
what. A personal booking has one host, the booking's, and costs no query here."""

from collections.abc import Iterable

from models.booking import Booking
from models.booking_host import BookingHost
from models.event_type import EventType
from models.user import User


async def add_hosts(booking: Booking, host_ids: Iterable[int]) -> None:
    """Inside the booking's transaction, after it is inserted: its other hosts are taken too
    (the database refuses an overlap with any of their bookings)."""
    for host_id in sorted(set(host_ids) - {booking.host_id}):
        await BookingHost.create(
            booking_id=booking.id,
            host_id=host_id,
            event_type_id=booking.event_type_id,
            start=booking.start,
            busy_start=booking.busy_start,
            busy_end=booking.busy_end,
            seat_group=booking.seat_group,
            active=booking.status != "CANCELLED",
        )


async def other_hosts(booking: Booking, event_type: EventType) -> list[int]:
    """The hosts of a team booking besides `booking.host_id`, by id."""
    if event_type.team_id is None:
        return []
    ids = await BookingHost.filter(booking_id=booking.id).values_list("host_id", flat=True)
    return sorted(set(ids) - {booking.host_id})


async def host_ids(booking_id: int) -> list[int]:
    return sorted(await BookingHost.filter(booking_id=booking_id).values_list("host_id", flat=True))


async def hosts_of(booking_ids: list[int]) -> dict[int, list[User]]:
    """Each booking's hosts (the booking's own host first, then by id)."""
    rows = await BookingHost.filter(booking_id__in=booking_ids).values_list("booking_id", "host_id")
    users = {u.id: u for u in await User.filter(id__in={h for _, h in rows})}
    found: dict[int, list[User]] = {}
    for booking_id, host_id in sorted(rows):
        if host_id in users:
            found.setdefault(booking_id, []).append(users[host_id])
    return found


async def is_host(booking_id: int, user_id: int) -> bool:
    return await BookingHost.filter(booking_id=booking_id, host_id=user_id).exists()
