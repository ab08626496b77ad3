"""Breaches: recorded with their 72-hour regulator deadline; a high-risk one notifies exactly the
affected users, a low-risk one nobody; bad input writes nothing."""

from datetime import UTC, datetime, timedelta

from models.governance import Breach, BreachVictim
from models.notification import Notification
from models.user import User

RECORD = """mutation($d: String!, $at: DateTime!, $ids: [ID!]!, $r: BreachRisk!) {
  recordBreach(description: $d, detectedAt: $at, affectedUserIds: $ids, risk: $r) {
    id risk detectedAt reportDeadline reported reportedAt overdue affectedCount } }"""
REPORTED = """mutation($id: ID!) { markBreachReported(id: $id) { reported reportedAt overdue } }"""
LIST = "{ adminBreaches { id risk affectedCount reported overdue } }"


async def setup(sign_up):
    admin, _ = await sign_up(email="staff@example.com", name="Staff")
    await User.filter(email="staff@example.com").update(role="admin")
    users = [await sign_up(email=f"u{i}@example.com", name=f"U{i}") for i in range(4)]
    return admin, users


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_a_high_risk_breach_notifies_exactly_the_affected_users(gql, sign_up):
    admin, users = await setup(sign_up)
    affected = [users[0][1]["id"], users[2][1]["id"]]
    detected = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    variables = {"d": "Backup bucket was public", "at": detected.isoformat(), "ids": affected,
                 "r": "HIGH"}  # fmt: skip
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    assert parse(breach["reportDeadline"]) == detected + timedelta(hours=72)
    assert (breach["reported"], breach["overdue"], breach["affectedCount"]) == (False, False, 2)

    notified = await Notification.filter(kind="DATA_BREACH").values_list("user_id", flat=True)
    assert sorted(map(str, notified)) == sorted(affected)
    for token, user in users:
        data = (await gql("{ myData }", token=token)).ok()["myData"]["data"]
        assert bool(data.get("breaches")) == (user["id"] in affected)

    done = (await gql(REPORTED, {"id": breach["id"]}, token=admin)).ok()["markBreachReported"]
    assert done["reported"] and done["reportedAt"]
    assert (await gql(REPORTED, {"id": breach["id"]}, token=admin)).codes == ["CONFLICT"]


async def test_a_low_risk_breach_notifies_nobody_and_an_old_one_is_overdue(gql, sign_up):
    admin, users = await setup(sign_up)
    detected = datetime.now(UTC) - timedelta(hours=73)
    variables = {"d": "Log file with e-mails", "at": detected.isoformat(),
                 "ids": [u["id"] for _, u in users], "r": "LOW"}  # fmt: skip
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    assert breach["overdue"] is True
    assert await Notification.all().count() == 0
    listed = (await gql(LIST, token=admin)).ok()["adminBreaches"]
    assert [(b["risk"], b["affectedCount"]) for b in listed] == [("LOW", 4)]


async def test_bad_breach_input_writes_nothing(gql, sign_up):
    admin, users = await setup(sign_up)
    now = datetime.now(UTC)
    good = {"d": "x", "at": now.isoformat(), "ids": [users[0][1]["id"]], "r": "HIGH"}
    for change in (
        {"d": "  "},
        {"at": (now + timedelta(hours=1)).isoformat()},
        {"ids": [users[0][1]["id"], "999999"]},
    ):
        assert (await gql(RECORD, {**good, **change}, token=admin)).codes == ["BAD_USER_INPUT"]
    assert (await Breach.all().count(), await BreachVictim.all().count()) == (0, 0)
    assert await Notification.all().count() == 0
