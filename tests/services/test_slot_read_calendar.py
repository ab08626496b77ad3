"""The calendar branch of the slot inputs' read (services/slot_read.py): which rows it returns, with
bounds given in any offset, and that the index answers it without reading the table."""

from datetime import UTC, datetime, timedelta, timezone

from tortoise import connections

from models.calendar import CalendarBusy, LinkedCalendar
from models.user import User
from services import slot_read
from services.clock import utcnow
from tests.conftest import BACKEND

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def _calendar(email: str) -> LinkedCalendar:
    owner = await User.create(email=email, name="Host", password_hash="x")
    return await LinkedCalendar.create(owner_id=owner.id, name="c", url_encrypted="x")


async def test_calendar_rows_overlapping_the_window_whatever_its_offset(clean_db: None) -> None:
    calendar = await _calendar("host@example.com")
    other = await _calendar("other@example.com")
    rows = {
        "before": (T0 - 2 * HOUR, T0),  # touches the start: half-open, not busy inside
        "across start": (T0 - HOUR, T0 + HOUR),
        "inside": (T0 + 2 * HOUR, T0 + 3 * HOUR),
        "across end": (T0 + 9 * HOUR, T0 + 11 * HOUR),
        "after": (T0 + 10 * HOUR, T0 + 12 * HOUR),  # starts at the end
        "around": (T0 - HOUR, T0 + 12 * HOUR),
    }
    for start, end in rows.values():
        await CalendarBusy.create(
            calendar=calendar, owner_id=calendar.owner_id, start=start, end=end
        )
    await CalendarBusy.create(
        calendar=other, owner_id=other.owner_id, start=T0 + HOUR, end=T0 + 2 * HOUR
    )
    expected = sorted(rows[k] for k in ("across start", "inside", "across end", "around"))

    # The same window written in UTC, far east and far west of it: the same rows.
    for zone in (UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-11))):
        read = await slot_read.read(
            0,
            T0.astimezone(zone),
            (T0 + 10 * HOUR).astimezone(zone),
            now=utcnow(),
            margin=timedelta(0),
            limits=False,
            hosts={calendar.owner_id: "UTC"},
        )
        found = read[calendar.owner_id].calendar
        assert sorted(found) == expected, zone
        assert all(s.utcoffset() == timedelta(0) == e.utcoffset() for s, e in found)


async def test_the_busy_read_is_answered_from_the_index(clean_db: None) -> None:
    connection = connections.get("default")
    if BACKEND == "postgres":
        indexes = await connection.execute_query_dict(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'calendar_busy'"
        )
        definitions = [row["indexdef"] for row in indexes]
        assert any('(owner_id, start, "end")' in d for d in definitions), definitions
        return
    sql, names = slot_read._sql("sqlite", 1, limits=False, exclude=False)
    values = {"host0": 1, "after": T0, "before": T0 + HOUR, "now": T0}
    values.update(first_day=T0.date(), last_day=T0.date())
    plan = await connection.execute_query_dict(
        f"EXPLAIN QUERY PLAN {sql}", [values[n] for n in names]
    )
    calendar = [row["detail"] for row in plan if "calendar_busy" in row["detail"]]
    assert calendar and all("COVERING INDEX" in d for d in calendar), plan
