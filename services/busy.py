"""Linked calendars' busy time for slot computations, read the cheap way.

A host with a few two-way calendars has hundreds of busy rows in a month's window; turning each
into a model value through tortoise cost more than the rest of `availableSlots` together. So the
SQL is compiled once per database dialect (tortoise builds it, markers in place of the values),
only the two columns are read as plain tuples, and each value is parsed once. A covering index
(owner_id, start, end) answers the query from the index alone.
"""

from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.slots import Interval
from models.booking_host import BookingHost
from models.calendar import CalendarBusy

# Values no real query uses, found again in the compiled parameter list.
_OWNER = -1_987_654_321
_AFTER = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
_BEFORE = datetime(1902, 3, 4, 5, 6, 7, tzinfo=UTC)

# dialect -> (SQL, parameter template, positions of owner, after, before in it)
_compiled: dict[str, tuple[str, list[object], tuple[int, int, int]]] = {}


def _compile(db: BaseDBAsyncClient) -> tuple[str, list[object], tuple[int, int, int]]:
    query = (
        CalendarBusy.filter(owner_id=_OWNER, end__gt=_AFTER, start__lt=_BEFORE)
        .using_db(db)
        .values_list("start", "end")
    )
    query._make_query()
    sql, values = query.query.get_parameterized_sql()
    positions = (values.index(_OWNER), values.index(_AFTER), values.index(_BEFORE))
    compiled = (sql, list(values), positions)
    _compiled[db.capabilities.dialect] = compiled
    return compiled


def _instant(value: datetime | str) -> datetime:
    # SQLite hands back tortoise's ISO text, PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def calendar_busy(owner_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The owner's calendar busy intervals that overlap [start, end), in no particular order."""
    db = CalendarBusy._choose_db()
    sql, template, (at_owner, at_after, at_before) = _compiled.get(
        db.capabilities.dialect
    ) or _compile(db)
    values = list(template)
    # UTC: SQLite compares the stored UTC text, so the bounds must be written the same way.
    values[at_owner], values[at_after], values[at_before] = (
        owner_id,
        start.astimezone(UTC),
        end.astimezone(UTC),
    )
    _, rows = await db.execute_query(sql, values)
    return [(_instant(s), _instant(e)) for s, e in rows]


# Several hosts at once (the hosts of a team event type): compiled once per dialect, query and
# number of hosts, the same way.
_EXCLUDED = -1_987_654_000
_compiled_many: dict[tuple[str, str, int], tuple[str, list[object], list[int]]] = {}


def _compile_many(
    db: BaseDBAsyncClient, what: str, count: int
) -> tuple[str, list[object], list[int]]:
    ids = [_OWNER - i for i in range(count)]
    if what == "calendar":
        query: Any = CalendarBusy.filter(owner_id__in=ids, end__gt=_AFTER, start__lt=_BEFORE)
        query = query.using_db(db).values_list("owner_id", "start", "end")
    else:
        query = BookingHost.filter(
            host_id__in=ids, active=True, busy_end__gt=_AFTER, busy_start__lt=_BEFORE
        )
        if what == "bookings-but":
            query = query.exclude(booking_id=_EXCLUDED)
        query = query.using_db(db).values_list(
            "host_id", "event_type_id", "start", "busy_start", "busy_end"
        )
    query._make_query()
    sql, values = query.query.get_parameterized_sql()
    markers = [*ids, _AFTER, _BEFORE] + ([_EXCLUDED] if what == "bookings-but" else [])
    compiled = (sql, list(values), [values.index(m) for m in markers])
    _compiled_many[(db.capabilities.dialect, what, count)] = compiled
    return compiled


async def _read_many(
    what: str, ids: list[int], start: datetime, end: datetime, exclude: int | None = None
) -> list[tuple[Any, ...]]:
    db = CalendarBusy._choose_db()
    key = (db.capabilities.dialect, what, len(ids))
    sql, template, positions = _compiled_many.get(key) or _compile_many(db, what, len(ids))
    values = list(template)
    given: list[object] = [*ids, start.astimezone(UTC), end.astimezone(UTC)]
    if exclude is not None:
        given.append(exclude)
    for position, value in zip(positions, given, strict=True):
        values[position] = value
    _, rows = await db.execute_query(sql, values)
    return [tuple(row) for row in rows]


async def calendar_busy_of(
    owner_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Interval]]:
    """Each owner's calendar busy intervals that overlap [start, end)."""
    found: dict[int, list[Interval]] = {owner_id: [] for owner_id in owner_ids}
    if owner_ids:
        for owner_id, s, e in await _read_many("calendar", owner_ids, start, end):
            found[owner_id].append((_instant(s), _instant(e)))
    return found


async def booking_busy_of(
    host_ids: list[int], start: datetime, end: datetime, exclude_booking: int | None = None
) -> list[tuple[int, int, datetime, datetime, datetime]]:
    """(host, event type, start, busy start, busy end) of every active busy row of these hosts
    overlapping [start, end) (booking_hosts: their bookings of every event type)."""
    if not host_ids:
        return []
    what = "bookings" if exclude_booking is None else "bookings-but"
    rows = await _read_many(what, host_ids, start, end, exclude_booking)
    return [(h, t, _instant(s), _instant(bs), _instant(be)) for h, t, s, bs, be in rows]
