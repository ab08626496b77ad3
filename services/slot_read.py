"""Everything the slots of an event type need, for each of its hosts, in one statement.

`availableSlots` used to ask six or seven queries (the hosts, their busy rows, holds, calendar
busy time, weekly hours, overrides, the rows its limits count), each built anew by tortoise: a
millisecond or more of the request apiece. Here they are the branches of one UNION ALL, rows
tagged by branch and host, with the same conditions and windows as services/slots.py uses; the
statement text is built once per dialect and shape (like services/booking_check.py). The hosts
are either given (a booking transaction, which holds their locks) or the event type's unsuspended
hosts, found by the statement itself.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import connections

from domain.availability import WeeklyRule
from domain.limits import counting_span
from domain.seats import Occupant
from domain.slots import Interval
from services import availability
from services.sql_text import Parameters, instant

# Wider than any zone's offset: the limits' counting window before each host's zone is known.
_ZONE_REACH = timedelta(hours=15)


@dataclass(slots=True)
class HostRows:
    time_zone: str = "UTC"
    occupants: list[Occupant] = field(default_factory=list)
    calendar: list[Interval] = field(default_factory=list)
    weekly: list[WeeklyRule] = field(default_factory=list)
    overrides: dict[date, list] = field(default_factory=dict)
    counted: list[datetime] = field(default_factory=list)  # starts of the type's own bookings


def _sql(dialect: str, hosts: int, *, limits: bool, exclude: bool) -> tuple[str, list[str]]:
    """`hosts`: how many host ids are given; 0: the event type's unsuspended hosts."""
    pg = dialect == "postgres"
    p = Parameters(dialect)
    true = "TRUE" if pg else "1"
    if hosts:
        members = "(" + ", ".join(p(f"host{i}") for i in range(hosts)) + ")"
    else:
        members = (
            f'(SELECT "user_id" FROM "event_type_hosts" WHERE "event_type_id" = {p("event_type")})'
        )
    in_window = f'"busy_end" > {p("after")} AND "busy_start" < {p("before")}'
    not_excluded = f' AND "booking_id" <> {p("exclude")}' if exclude else ""
    branches = [
        # The first branch gives the columns their names and types.
        'SELECT {k} AS "k", "host_id"{int} AS "h", "event_type_id"{int} AS "n", "start" AS "a", '
        '"busy_start" AS "b", "busy_end" AS "c", NULL{text} AS "t" FROM "booking_hosts" '
        f'WHERE "host_id" IN {members} AND {in_window} AND "active" = {true}{not_excluded}'.format(
            k="'b'::text" if pg else "'b'",
            int="::bigint" if pg else "",
            text="::text" if pg else "",
        ),
        'SELECT \'h\', "host_id", "event_type_id", "start", "busy_start", "busy_end", NULL '
        f'FROM "slot_holds" WHERE "host_id" IN {members} AND {in_window} '
        f'AND "expires_at" > {p("now")}',
        'SELECT \'c\', "owner_id", NULL, "start", "end", NULL, NULL FROM "calendar_busy" '
        f'WHERE "owner_id" IN {members} AND "end" > {p("after")} AND "start" < {p("before")}',
        'SELECT \'w\', "host_id", NULL, NULL, NULL, NULL, "weekly_rules"{cast} FROM "schedules" '
        f'WHERE "host_id" IN {members}'.format(cast="::text" if pg else ""),
        "SELECT 'o', \"host_id\", NULL, NULL, NULL, NULL, "
        + (
            'json_build_array("date", "intervals")::text'
            if pg
            else 'json_array("date", json("intervals"))'
        )
        + f' FROM "date_overrides" WHERE "host_id" IN {members} '
        f'AND "date" >= {p("first_day")} AND "date" <= {p("last_day")}',
    ]
    if not hosts:
        branches.append(
            'SELECT \'u\', "id", NULL, NULL, NULL, NULL, "time_zone" FROM "users" '
            f'WHERE "id" IN {members} AND "suspended_at" IS NULL'
        )
    if limits:
        counted = (
            f'"event_type_id" = {p("event_type")} AND "host_id" IN {members} '
            f'AND "start" >= {p("since")} AND "start" < {p("until")}'
        )
        branches += [
            'SELECT \'l\', "host_id", NULL, "start", NULL, NULL, NULL FROM "booking_hosts" '
            f'WHERE {counted} AND "active" = {true}{not_excluded}',
            # Live holds count too (a personal event type's; a team's takes none).
            'SELECT \'m\', "host_id", NULL, "start", NULL, NULL, NULL FROM "slot_holds" '
            f'WHERE {counted} AND "expires_at" > {p("now")}',
        ]
    return " UNION ALL ".join(branches), p.names


_compiled: dict[tuple[str, int, bool, bool], tuple[str, list[str]]] = {}


async def read(
    event_type_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    margin: timedelta,
    limits: bool,
    hosts: dict[int, str] | None = None,
    exclude_booking: int | None = None,
) -> dict[int, HostRows]:
    """Each host's rows for slots in [start, end): busy rows and live holds of
    [start - margin, end + margin), calendar busy time, weekly hours, the overrides of the days
    around the window and, with `limits`, the starts of their bookings of the event type that
    the limits may count (and their live holds). `hosts`: id -> zone of given hosts; by default
    a team event type's unsuspended hosts, in id order."""
    db = connections.get("default")
    dialect = db.capabilities.dialect
    shape = (dialect, len(hosts or ()), limits, exclude_booking is not None)
    sql, names = _compiled.get(shape) or _compiled.setdefault(
        shape, _sql(dialect, shape[1], limits=limits, exclude=shape[3])
    )
    # Every zone's local dates of the window lie within a day of its UTC dates.
    reach_first, reach_last = (start - _ZONE_REACH).date(), (end + _ZONE_REACH).date()
    since, until = _counting_bounds(reach_first, reach_last)
    named: dict[str, Any] = {
        "event_type": event_type_id,
        "after": (start - margin).astimezone(UTC),
        "before": (end + margin).astimezone(UTC),
        "now": now.astimezone(UTC),
        "first_day": reach_first - timedelta(days=1),
        "last_day": reach_last + timedelta(days=1),
        "since": since,
        "until": until,
        "exclude": exclude_booking,
    }
    for i, host_id in enumerate(hosts or ()):
        named[f"host{i}"] = host_id
    _, rows = await db.execute_query(sql, [named[n] for n in names])
    return _by_host(rows, hosts)


def _counting_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    low, high = counting_span(first, last)
    return (
        datetime.combine(low - timedelta(days=1), datetime.min.time(), UTC),
        datetime.combine(high + timedelta(days=2), datetime.min.time(), UTC),
    )


def _by_host(rows: Any, hosts: dict[int, str] | None) -> dict[int, HostRows]:
    if hosts is not None:
        found = {host_id: HostRows(zone) for host_id, zone in hosts.items()}
    else:
        hosts_found = sorted((r[1], r[6]) for r in rows if r[0] == "u")
        found = {host_id: HostRows(zone) for host_id, zone in hosts_found}
    at = instant
    for kind, host_id, type_id, a, b, c, text in rows:
        host = found.get(host_id)
        if host is None:  # suspended
            continue
        if kind == "b" or kind == "h":
            host.occupants.append(Occupant(type_id, at(a), (at(b), at(c))))
        elif kind == "c":
            host.calendar.append((at(a), at(b)))
        elif kind == "w":
            host.weekly = availability.parse_weekly(json.loads(text))
        elif kind == "o":
            day, intervals = json.loads(text)
            host.overrides.update(
                availability.parse_overrides([(date.fromisoformat(day), intervals)])
            )
        elif kind == "l" or kind == "m":
            host.counted.append(at(a))
    return found
