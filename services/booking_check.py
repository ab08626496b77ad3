"""Everything a booking transaction reads after the host's lock, in one statement.

A booking used to ask ~12 queries between its lock and its insert (bookings and holds in the way,
weekly hours, overrides, calendar busy time, bookings and holds counted by the limits, the seats
taken, an earlier booking with the idempotency key, the host's event types, webhooks and writing
calendars), each a round trip with the host's row locked. Here they are the branches of one
UNION ALL, rows tagged by branch, with the same conditions and windows as services/slots.py
uses, except that busy time (bookings, holds, calendars) is read only where it overlaps the
booked slot's widened range, not over the whole day: the slot's verdict is the same, and a full
day no longer costs a row each. The statement text is built once per dialect and shape. It also
numbers the rows the booking writes that others refer to: the booking and its notifications
(PostgreSQL: from their sequences; SQLite: after the table's last id, safe as the transaction
holds the write lock).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections

from domain.availability import WeeklyRule, working_intervals
from domain.limits import Limits
from domain.seats import Occupant
from domain.slots import Interval
from models.event_type import EventType
from services import availability, slots
from services.changes import Audience
from services.sql_text import Parameters, instant

MINE = "mine"


@dataclass(frozen=True, slots=True)
class Ask:
    """What a booking of `event_type` at `start` needs to know."""

    event_type: EventType
    tz: ZoneInfo
    start: datetime
    seat_group: str
    idempotency_key: str | None
    hold_hash: str | None  # the hold the booking uses up: not in the way, not counted
    notifications: int  # how many notification ids to number
    now: datetime


@dataclass(frozen=True, slots=True)
class Found:
    inputs: slots.SlotInputs
    seats_taken: set[int]
    replay: tuple[int, str | None] | None  # the key's booking: id and request fingerprint
    hold_found: bool  # the hold is live and for this slot
    audience: Audience
    booking_id: int
    notification_ids: list[int]


def _sql(dialect: str, *, limits: bool, key: bool, hold: bool) -> tuple[str, list[str]]:
    pg = dialect == "postgres"
    p = Parameters(dialect)
    true = "TRUE" if pg else "1"
    mine = (
        f'CASE WHEN "token_hash" = {p("hold")} AND "event_type_id" = {p("event_type")} '
        f"AND \"start\" = {p('start')} THEN '{MINE}' END"
        if hold
        else "NULL"
    )
    in_window = f'"busy_end" > {p("after")} AND "busy_start" < {p("before")}'
    live = f'"expires_at" > {p("now")}'
    branches = [
        # The first branch gives the columns their names and types.
        'SELECT {k} AS "k", "event_type_id"{int} AS "n", "start" AS "a", "busy_start" AS "b", '
        '"busy_end" AS "c", NULL{text} AS "t" FROM "booking_hosts" '
        f'WHERE "host_id" = {p("host")} AND {in_window} AND "active" = {true}'.format(
            k="'b'::text" if pg else "'b'",
            int="::bigint" if pg else "",
            text="::text" if pg else "",
        ),
        f'SELECT \'h\', "event_type_id", "start", "busy_start", "busy_end", {mine} '
        f'FROM "slot_holds" WHERE "host_id" = {p("host")} AND {in_window} AND {live}',
        'SELECT \'c\', NULL, "start", "end", NULL, NULL FROM "calendar_busy" '
        f'WHERE "owner_id" = {p("host")} AND "end" > {p("after")} AND "start" < {p("before")}',
        'SELECT \'w\', NULL, NULL, NULL, NULL, "weekly_rules"{cast} FROM "schedules" '
        f'WHERE "host_id" = {p("host")}'.format(cast="::text" if pg else ""),
        "SELECT 'o', NULL, NULL, NULL, NULL, "
        + (
            'json_build_array("date", "intervals")::text'
            if pg
            else 'json_array("date", json("intervals"))'
        )
        + f' FROM "date_overrides" WHERE "host_id" = {p("host")} '
        f'AND "date" >= {p("first_day")} AND "date" <= {p("last_day")}',
        'SELECT \'s\', "seat", NULL, NULL, NULL, NULL FROM "bookings" '
        f'WHERE "seat_group" = {p("seat_group")} AND "status" <> \'CANCELLED\'',
        f'SELECT \'e\', "id", NULL, NULL, NULL, NULL FROM "event_types" '
        f'WHERE "active" = {true} AND ("host_id" = {p("host")} OR "id" IN '
        f'(SELECT "event_type_id" FROM "event_type_hosts" WHERE "user_id" = {p("host")}))',
        f'SELECT \'k\', "id", NULL, NULL, NULL, NULL FROM "webhooks" '
        f'WHERE "host_id" = {p("host")} AND "active" = {true}',
        f'SELECT \'d\', "id", NULL, NULL, NULL, NULL FROM "linked_calendars" '
        f'WHERE "owner_id" = {p("host")} AND "writes_bookings" = {true}',
    ]
    if limits:
        counted = (
            f'"event_type_id" = {p("event_type")} '
            f'AND "start" >= {p("since")} AND "start" < {p("until")}'
        )
        branches += [
            f'SELECT \'l\', NULL, "start", NULL, NULL, NULL FROM "bookings" '
            f"WHERE {counted} AND \"status\" <> 'CANCELLED'",
            f'SELECT \'m\', NULL, "start", NULL, NULL, {mine} FROM "slot_holds" '
            f"WHERE {counted} AND {live}",
        ]
    if key:
        branches.append(
            'SELECT \'r\', "id", NULL, NULL, NULL, "request_fingerprint" FROM "bookings" '
            f'WHERE "host_id" = {p("host")} AND "idempotency_key" = {p("key")}'
        )
    if pg:
        branches += [
            "SELECT 'i', nextval(pg_get_serial_sequence('bookings', 'id')), NULL, NULL, NULL, NULL",
            "SELECT 'j', nextval(pg_get_serial_sequence('notifications', 'id')), NULL, NULL, NULL, "
            f"NULL FROM generate_series(1, {p('notifications')})",
        ]
    else:
        branches += [
            'SELECT \'i\', coalesce((SELECT "seq" FROM sqlite_sequence WHERE "name" = '
            "'bookings'), 0) + 1, NULL, NULL, NULL, NULL",
            'SELECT \'j\', coalesce((SELECT "seq" FROM sqlite_sequence WHERE "name" = '
            "'notifications'), 0), NULL, NULL, NULL, NULL",
        ]
    return " UNION ALL ".join(branches), p.names


_compiled: dict[tuple[str, bool, bool, bool], tuple[str, list[str]]] = {}


async def read(ask: Ask) -> Found:
    """Inside the booking transaction, after the host's lock."""
    event_type = ask.event_type
    tz = ask.tz
    day_start, day_end = slots.day_window(ask.start, tz)
    # Only what overlaps this slot's widened range can keep it from being offered (or share its
    # seats): the day's other busy time, which availableSlots reads, decides nothing here.
    low, high = slots.busy_range(
        event_type, ask.start, ask.start + timedelta(minutes=event_type.duration_minutes)
    )
    limits = slots.limits_of(event_type)
    since, until = slots.counting_window(tz, day_start, day_end)
    first_day, last_day = availability.override_span(tz, day_start, day_end)
    db = connections.get("default")
    dialect = db.capabilities.dialect
    shape = (dialect, limits.any, ask.idempotency_key is not None, ask.hold_hash is not None)
    sql, names = _compiled.get(shape) or _compiled.setdefault(
        shape, _sql(dialect, limits=shape[1], key=shape[2], hold=shape[3])
    )
    named: dict[str, Any] = {
        "host": event_type.host_id,
        "event_type": event_type.id,
        "after": low.astimezone(UTC),
        "before": high.astimezone(UTC),
        "now": ask.now.astimezone(UTC),
        "start": ask.start.astimezone(UTC),
        "hold": ask.hold_hash,
        "first_day": first_day,
        "last_day": last_day,
        "seat_group": ask.seat_group,
        "since": since.astimezone(UTC),
        "until": until.astimezone(UTC),
        "key": ask.idempotency_key,
        "notifications": ask.notifications,
    }
    _, rows = await db.execute_query(sql, [named[n] for n in names])
    return _found(ask, rows, (day_start, day_end), limits, dialect)


def _found(ask: Ask, rows: Any, window: Interval, limits: Limits, dialect: str) -> Found:
    event_type, tz = ask.event_type, ask.tz
    by: dict[str, list[Any]] = {}
    for row in rows:
        by.setdefault(row[0], []).append(row)
    at: Callable[[Any], datetime] = instant
    taking = [*by.get("b", []), *(r for r in by.get("h", []) if r[5] != MINE)]
    if dialect == "postgres":  # aware datetimes already
        occupants = [Occupant(r[1], r[2], (r[3], r[4])) for r in taking]
    else:
        occupants = [Occupant(r[1], at(r[2]), (at(r[3]), at(r[4]))) for r in taking]
    weekly = list(_weekly(by["w"][0][5])) if "w" in by else []
    overrides = availability.parse_overrides(
        (date.fromisoformat(day), intervals)
        for day, intervals in (json.loads(r[5]) for r in by.get("o", []))
    )
    closed: set[date] = set()
    if limits.any:
        starts = [at(r[2]) for r in by.get("l", [])]
        starts += [at(r[2]) for r in by.get("m", []) if r[5] != MINE]
        closed = slots.closed_by(starts, limits, tz, *window)
    inputs = slots.assemble(
        event_type,
        tz,
        ask.now,
        occupants=occupants,
        working=working_intervals(tz, weekly, overrides, *window),
        calendar=[(at(r[2]), at(r[3])) for r in by.get("c", [])],
        closed=closed,
    )
    replay = by.get("r")
    ids = [r[1] for r in by.get("j", [])]
    if dialect != "postgres":  # the table's last id so far
        ids = [ids[0] + n for n in range(1, ask.notifications + 1)]
    return Found(
        inputs=inputs,
        seats_taken={r[1] for r in by.get("s", [])},
        replay=(replay[0][1], replay[0][5]) if replay else None,
        hold_found=any(r[5] == MINE for r in by.get("h", [])),
        audience=Audience(
            event_type_ids=sorted(r[1] for r in by.get("e", [])),
            webhook_ids=sorted(r[1] for r in by.get("k", [])),
            calendar_ids=sorted(r[1] for r in by.get("d", [])),
        ),
        booking_id=by["i"][0][1],
        notification_ids=ids,
    )


@lru_cache(maxsize=1024)
def _weekly(stored: str) -> tuple[WeeklyRule, ...]:
    # A host's weekly hours as stored (JSON text), parsed once while they stay the same.
    return tuple(availability.parse_weekly(json.loads(stored)))
