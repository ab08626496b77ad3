"""Linked calendars' busy time for slot computations, read the cheap way.

A host with a few two-way calendars has hundreds of busy rows in a month's window; turning each
into a model value through tortoise cost more than the rest of `availableSlots` together. So the
SQL is compiled once per database dialect (tortoise builds it, markers in place of the values),
only the two columns are read as plain tuples, and each value is parsed once. A covering index
(owner_id, start, end) answers the query from the index alone.
"""

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.slots import Interval
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
