"""A team event type's slots are read for all its hosts in one statement (services/slot_read.py):
what it offers must be exactly what each host's own event type of the same shape offers, counted,
whatever each host's zone, hours, overrides, bookings, holds, calendars or suspension."""

from collections import Counter
from datetime import datetime, timedelta

from models.calendar import CalendarBusy, LinkedCalendar
from models.user import User
from services.clock import utcnow
from tests.graphql_ops import CREATE_TYPE
from tests.teams_helpers import (
    BOOK,
    CREATE_TEAM,
    CREATE_TEAM_TYPE,
    NINE_TO_FIVE,
    SLOTS,
    WEEKLY,
    at,
    booking,
    day,
    join,
)

SHAPE = {"durationMinutes": 30, "slotIntervalMinutes": 15}
OVERRIDE = """mutation($d: Date!, $i: [TimeRangeInput!]!) {
  setDateOverride(date: $d, intervals: $i) { timeZone } }"""
HOLD = """mutation($id: ID!, $s: DateTime!) { holdSlot(eventTypeId: $id, start: $s) { token } }"""


async def _host(gql, sign_up, name: str, zone: str) -> dict:
    token, user = await sign_up(email=f"{name.lower()}@example.com", name=name)
    (await gql(WEEKLY, {"tz": zone, "rules": NINE_TO_FIVE}, token)).ok()
    own = {"title": "Own", "slug": "own", **SHAPE}
    created = (await gql(CREATE_TYPE, {"i": own}, token)).ok()["createEventType"]
    address = f"{name.lower()}@example.com"
    return {"token": token, "address": address, "user": user["id"], "type": created["id"]}


async def _slots(gql, type_id: str, start: str, end: str) -> list[dict]:
    found = await gql(SLOTS, {"id": type_id, "s": start, "e": end})
    return found.ok()["availableSlots"]


def _instants(slots: list[dict]) -> list[datetime]:
    return [datetime.fromisoformat(s["start"]) for s in slots]


async def test_round_robin_slots_are_each_hosts_own_slots_counted(gql, sign_up):
    owner = await _host(gql, sign_up, "Olga", "UTC")
    ann = await _host(gql, sign_up, "Ann", "UTC")
    ben = await _host(gql, sign_up, "Ben", "America/New_York")
    cai = await _host(gql, sign_up, "Cai", "Europe/Berlin")
    dan = await _host(gql, sign_up, "Dan", "UTC")
    team = (await gql(CREATE_TEAM, {"n": "Support", "s": "support"}, owner["token"])).ok()
    team_id = team["createTeam"]["id"]
    members = [ann, ben, cai, dan]
    for member in members:
        await join(gql, owner["token"], team_id, (member["token"], member["address"]))
    variables = {
        "t": team_id,
        "i": {"title": "Call", "slug": "call", **SHAPE},
        "a": "ROUND_ROBIN",
        "h": [m["user"] for m in members],
    }
    created = await gql(CREATE_TEAM_TYPE, variables, owner["token"])
    type_id = created.ok()["createTeamEventType"]["id"]

    # Ann: an override of the first day and a booking of her own type; Ben: a live hold on his
    # own type; Cai: a linked calendar's busy time; Dan: suspended, so none of his time counts.
    first = day()
    override = {"d": first.date().isoformat(), "i": [{"start": "13:00", "end": "15:00"}]}
    (await gql(OVERRIDE, override, ann["token"])).ok()
    (await gql(BOOK, booking(ann["type"], at(14), 1))).ok()
    (await gql(HOLD, {"id": ben["type"], "s": at(15, offset=4)})).ok()
    cai_id = int(cai["user"])
    calendar = await LinkedCalendar.create(owner_id=cai_id, name="Work", url_encrypted="x")
    await CalendarBusy.create(
        calendar=calendar,
        owner_id=cai_id,
        start=first + timedelta(hours=8),
        end=first + timedelta(hours=10),
    )
    await User.filter(id=int(dan["user"])).update(suspended_at=utcnow())

    start, end = at(0), at(0, offset=6)
    expected: Counter[datetime] = Counter()
    for member in (ann, ben, cai):  # each in their own zone: compared as instants
        expected.update(_instants(await _slots(gql, member["type"], start, end)))
    team_slots = await _slots(gql, type_id, start, end)
    seats = [s["seatsLeft"] for s in team_slots]
    assert dict(zip(_instants(team_slots), seats, strict=True)) == expected
    assert _instants(team_slots) == sorted(expected)
    # The cases above all changed something: one host less somewhere, and three elsewhere.
    assert set(expected.values()) == {1, 2, 3}
