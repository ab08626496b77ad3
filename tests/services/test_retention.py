"""Retention: the purge removes exactly what is past its time (a row exactly at its retention
stays, a second older goes), honours each person's shorter choice, and runs once per slot even
when several workers call it at the same moment."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import BadUserInput
from models.booking import Booking
from models.event_type import EventType
from models.governance import Inquiry, PurgeRun, RetentionSetting
from models.notification import Notification
from models.privacy import Activity
from models.user import User
from services import retention

# Far ahead of the real clock: a live server's own purge never touches these rows.
NOW = datetime(2035, 6, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
RETENTION = """{ retention { category days defaultDays custom } }"""
SET = """mutation($c: RetentionCategory!, $d: Int!) {
  setRetention(category: $c, days: $d) { category days defaultDays custom } }"""


async def person(email: str) -> User:
    return await User.create(email=email, name=email, password_hash="x")


async def notification(user: User, age: timedelta) -> tuple[str, int]:
    row = await Notification.create(user=user, kind="K", message="m")
    await Notification.filter(id=row.id).update(created_at=NOW - age)
    return "Notification", row.id


async def activity(user: User, age: timedelta) -> tuple[str, int]:
    row = await Activity.create(user=user, path="/p")
    await Activity.filter(id=row.id).update(created_at=NOW - age)
    return "Activity", row.id


async def booking(host: User, event_type: EventType, age: timedelta) -> tuple[str, int]:
    end = NOW - age
    start = end - timedelta(microseconds=1)  # no overlap with the rows one second apart
    row = await Booking.create(
        event_type=event_type, host=host, start=start, end=end, busy_start=start, busy_end=end,
        attendee_name="a", attendee_email="a@example.com",
    )  # fmt: skip
    return "Booking", row.id


async def inquiry(user: User | None, age: timedelta, status: str = "CLOSED") -> tuple[str, int]:
    closed = NOW - age if status == "CLOSED" else None
    row = await Inquiry.create(
        user=user, email="q@example.com", subject="s", message="m", status=status, closed_at=closed
    )
    return "Inquiry", row.id


async def test_the_purge_removes_exactly_what_is_past_its_time(clean_db):
    alice, bob = await person("alice@example.com"), await person("bob@example.com")
    await RetentionSetting.create(user=bob, category="notification", days=10)
    await RetentionSetting.create(user=bob, category="booking", days=100)
    alice_type = await EventType.create(host=alice, title="A", slug="a", duration_minutes=30)
    bob_type = await EventType.create(host=bob, title="B", slug="b", duration_minutes=30)
    day = timedelta(days=1)

    keep = {
        # Exactly at the retention: kept.
        await notification(alice, 180 * day),
        await activity(alice, 30 * day),
        await booking(alice, alice_type, 730 * day),
        await inquiry(alice, 365 * day),
        await inquiry(None, 365 * day),
        await notification(bob, 10 * day),
        await booking(bob, bob_type, 100 * day),
        # Young, future, or not closed.
        await notification(alice, day),
        await booking(alice, alice_type, -7 * day),
        await inquiry(alice, 1000 * day, status="OPEN"),
        await activity(bob, 30 * day),  # bob changed nothing for technical data
    }
    gone = {
        await notification(alice, 180 * day + SECOND),
        await activity(alice, 30 * day + SECOND),
        await booking(alice, alice_type, 730 * day + SECOND),
        await inquiry(alice, 365 * day + SECOND),
        await inquiry(None, 365 * day + SECOND),
        await notification(bob, 10 * day + SECOND),
        await booking(bob, bob_type, 100 * day + SECOND),
        await activity(bob, 30 * day + SECOND),
    }
    run = await retention.purge(NOW)
    assert run is not None
    assert run.counts == {"booking": 2, "notification": 2, "technical": 2, "inquiry": 2,
                          "disclosure": 0, "breachAddresses": 0}  # fmt: skip
    remaining = set()
    for model in (Notification, Activity, Booking, Inquiry):
        remaining |= {(model.__name__, pk) for pk in await model.all().values_list("id", flat=True)}
    assert remaining == keep
    assert not remaining & gone


async def test_two_workers_at_once_purge_once(clean_db):
    alice = await person("alice@example.com")
    await notification(alice, timedelta(days=181))
    runs = await asyncio.gather(*(retention.purge(NOW) for _ in range(2)))
    done = [r for r in runs if r is not None]
    assert len(done) == 1
    assert done[0].counts["notification"] == 1
    assert await PurgeRun.all().count() == 1
    # The same slot later on is taken; the next one runs.
    assert await retention.purge(NOW + timedelta(minutes=30)) is None
    assert await retention.purge(NOW + timedelta(hours=1)) is not None


async def test_set_retention_within_limits(gql, sign_up):
    token, _ = await sign_up()
    listed = (await gql(RETENTION, token=token)).ok()["retention"]
    assert {r["category"]: (r["days"], r["custom"]) for r in listed} == {
        "BOOKING": (730, False),
        "NOTIFICATION": (180, False),
        "TECHNICAL": (30, False),
        "INQUIRY": (365, False),
    }
    changed = (await gql(SET, {"c": "NOTIFICATION", "d": 7}, token=token)).ok()["setRetention"]
    assert changed == {"category": "NOTIFICATION", "days": 7, "defaultDays": 180, "custom": True}
    for days in (0, 181, -1):
        bad = await gql(SET, {"c": "NOTIFICATION", "d": days}, token=token)
        assert bad.codes == ["BAD_USER_INPUT"]
    assert (await gql(SET, {"c": "TECHNICAL", "d": 30}, token=token)).ok()
    assert (await gql(SET, {"c": "TECHNICAL", "d": 5})).codes == ["UNAUTHENTICATED"]
    rows = await RetentionSetting.all().order_by("category").values_list("category", "days")
    assert rows == [("notification", 7), ("technical", 30)]
    with pytest.raises(BadUserInput):
        await retention.set_retention(await User.get(email="host@example.com"), "account", 5)


async def test_admins_see_purge_runs(gql, sign_up):
    token, _ = await sign_up(email="staff@example.com")
    await User.filter(email="staff@example.com").update(role="admin")
    await retention.purge(NOW)
    runs = (await gql("{ purgeRuns { startedAt finishedAt counts } }", token=token)).ok()
    [run] = runs["purgeRuns"]
    assert run["counts"] == {"booking": 0, "notification": 0, "technical": 0, "inquiry": 0,
                             "disclosure": 0, "breachAddresses": 0}  # fmt: skip
    assert run["finishedAt"]
