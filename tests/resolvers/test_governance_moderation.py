"""Acceptable use and the audit trail through the schema: staff warn, suspend, reinstate and
delete accounts, each with a reason that the person then sees in `myData`; members are refused
every staff operation; bad input writes nothing."""

import pytest

from models.governance import AuditEntry
from models.notification import Notification
from models.user import AuthToken, User
from tests.conftest import PASSWORD
from tests.graphql_ops import BOOK

WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation { createEventType(input: {title: "Intro", slug: "intro",
  durationMinutes: 30}) { id } }"""
EVENT_TYPE = """query($id: ID!) { eventType(id: $id) { id title } }"""
LOGIN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
WARN = "mutation($id: ID!, $r: String!) { warnUser(id: $id, reason: $r) }"
SUSPEND = "mutation($id: ID!, $r: String!) { suspendUser(id: $id, reason: $r) { id } }"
REINSTATE = "mutation($id: ID!, $r: String!) { reinstateUser(id: $id, reason: $r) { id } }"
DELETE = "mutation($id: ID!, $r: String!) { deleteUser(id: $id, reason: $r) }"
READ = "query($id: ID!, $r: String!) { adminUserData(id: $id, reason: $r) }"
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
SLOT = "2031-03-04T10:00:00+00:00"

# Every staff operation of this issue, with variables that would be valid for an admin.
STAFF_OPERATIONS = [
    (WARN, {"id": "1", "r": "r"}),
    (SUSPEND, {"id": "1", "r": "r"}),
    (REINSTATE, {"id": "1", "r": "r"}),
    (DELETE, {"id": "1", "r": "r"}),
    (READ, {"id": "1", "r": "r"}),
    ("{ purgeRuns { id } }", None),
    ("{ adminBreaches { id } }", None),
    (
        """mutation { publishPolicy(version: "v9", text: "t",
        effectiveAt: "2099-01-01T00:00:00+00:00") { version } }""",
        None,
    ),
    (
        """mutation { recordBreach(description: "d", detectedAt: "2020-01-01T00:00:00+00:00",
        affectedUserIds: [], risk: LOW) { id } }""",
        None,
    ),
    ('mutation { markBreachReported(id: "1") { id } }', None),
    ("{ adminInquiries { id } }", None),
    ('mutation { replyToInquiry(id: "1", body: "b") { id } }', None),
    ('mutation { closeInquiry(id: "1") { id } }', None),
]


async def make_admin(sign_up, email: str = "staff@example.com") -> str:
    token, _ = await sign_up(email=email, name="Stacy Staff")
    await User.filter(email=email).update(role="admin")
    return token


@pytest.fixture
async def people(gql, sign_up):
    admin = await make_admin(sign_up)
    token, member = await sign_up(email="mallory@example.com", name="Mallory")
    rules = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in EVERY_DAY]
    (await gql(WEEKLY, {"rules": rules}, token=token)).ok()
    type_id = (await gql(CREATE_TYPE, token=token)).ok()["createEventType"]["id"]
    return admin, token, member["id"], type_id


def booking(type_id: str, start: str = SLOT) -> dict:
    return {"i": {"eventTypeId": type_id, "start": start, "name": "Ivy", "email": "i@example.com"}}


async def test_members_are_forbidden_every_staff_operation_and_nothing_is_written(gql, people):
    _, token, member_id, _ = people
    before = await AuditEntry.all().count(), await Notification.all().count()
    for query, variables in STAFF_OPERATIONS:
        if variables and "id" in variables:
            variables = {**variables, "id": member_id}
        assert (await gql(query, variables, token=token)).codes == ["FORBIDDEN"], query
        assert (await gql(query, variables)).codes == ["UNAUTHENTICATED"], query
    assert (await AuditEntry.all().count(), await Notification.all().count()) == before
    assert (await User.get(id=member_id)).suspended_at is None


async def test_suspension_stops_log_in_kills_tokens_and_closes_booking_until_reinstated(
    gql, people
):
    admin, token, member_id, type_id = people
    assert (await gql(EVENT_TYPE, {"id": type_id})).ok()["eventType"]["title"] == "Intro"

    (await gql(SUSPEND, {"id": member_id, "r": "spam links on booking page"}, token=admin)).ok()

    assert (await gql("{ me { id } }", token=token)).ok() == {"me": None}
    assert await AuthToken.filter(user_id=member_id, revoked_at=None).count() == 0
    login = await gql(LOGIN, {"e": "mallory@example.com", "p": PASSWORD})
    assert login.codes == ["FORBIDDEN"]
    assert (await gql(EVENT_TYPE, {"id": type_id})).ok() == {"eventType": None}
    assert (await gql(BOOK, booking(type_id))).codes == ["NOT_FOUND"]
    # Suspending twice is a conflict and writes no second entry.
    again = await gql(SUSPEND, {"id": member_id, "r": "again"}, token=admin)
    assert again.codes == ["CONFLICT"]

    (await gql(REINSTATE, {"id": member_id, "r": "appeal accepted"}, token=admin)).ok()

    fresh = (await gql(LOGIN, {"e": "mallory@example.com", "p": PASSWORD})).ok()["logIn"]["token"]
    assert (await gql("{ me { id } }", token=fresh)).ok() == {"me": {"id": member_id}}
    assert (await gql("{ me { id } }", token=token)).ok() == {"me": None}  # old ones stay dead
    assert (await gql(EVENT_TYPE, {"id": type_id})).ok()["eventType"]["title"] == "Intro"
    (await gql(BOOK, booking(type_id))).ok()

    trail = (await gql("{ myData }", token=fresh)).ok()["myData"]["data"]["auditTrail"]
    assert [(e["action"], e["reason"]) for e in trail] == [
        ("SUSPEND_USER", "spam links on booking page"),
        ("REINSTATE_USER", "appeal accepted"),
    ]
    assert all(e["created_at"] for e in trail)


async def test_a_warning_notifies_and_an_admin_read_is_audited(gql, people):
    admin, token, member_id, _ = people
    assert (await gql(WARN, {"id": member_id, "r": "rude invite texts"}, token=admin)).ok() == {
        "warnUser": True
    }
    kinds = await Notification.filter(user_id=member_id).values_list("kind", "message")
    assert kinds == [("ACCOUNT_WARNING", "A warning about acceptable use: rude invite texts")]

    read = (await gql(READ, {"id": member_id, "r": "abuse report #12"}, token=admin)).ok()
    assert read["adminUserData"]["subject"]["email"] == "mallory@example.com"

    entries = await AuditEntry.filter(subject_id=member_id).order_by("id")
    admin_id = (await User.get(email="staff@example.com")).id
    assert [(e.actor_id, e.action, e.reason) for e in entries] == [
        (admin_id, "WARN_USER", "rude invite texts"),
        (admin_id, "READ_PERSONAL_DATA", "abuse report #12"),
    ]
    mine = (await gql("{ myData }", token=token)).ok()["myData"]
    assert [e["action"] for e in mine["data"]["auditTrail"]] == ["WARN_USER", "READ_PERSONAL_DATA"]


async def test_bad_input_is_coded_and_writes_nothing(gql, people):
    admin, _, member_id, _ = people
    admin_id = (await User.get(email="staff@example.com")).id
    cases = [
        (WARN, {"id": member_id, "r": "   "}, "BAD_USER_INPUT"),
        (SUSPEND, {"id": member_id, "r": ""}, "BAD_USER_INPUT"),
        (DELETE, {"id": member_id, "r": " "}, "BAD_USER_INPUT"),
        (READ, {"id": member_id, "r": ""}, "BAD_USER_INPUT"),
        (SUSPEND, {"id": str(admin_id), "r": "me"}, "BAD_USER_INPUT"),
        (SUSPEND, {"id": "999999", "r": "x"}, "NOT_FOUND"),
        (REINSTATE, {"id": member_id, "r": "not suspended"}, "CONFLICT"),
        (DELETE, {"id": "nope", "r": "x"}, "NOT_FOUND"),
    ]
    for query, variables, code in cases:
        assert (await gql(query, variables, token=admin)).codes == [code], (query, variables)
    assert await AuditEntry.all().count() == 0
    assert await Notification.all().count() == 0
    assert (await User.get(id=member_id)).suspended_at is None


async def test_delete_user_is_the_same_erasure_and_leaves_an_audit_record(gql, people):
    admin, token, member_id, _ = people
    (await gql(WARN, {"id": member_id, "r": "first warning"}, token=admin)).ok()
    assert (await gql(DELETE, {"id": member_id, "r": "repeated abuse"}, token=admin)).ok() == {
        "deleteUser": True
    }
    assert not await User.filter(id=member_id).exists()
    assert (await gql("{ me { id } }", token=token)).ok() == {"me": None}
    assert (await gql(LOGIN, {"e": "mallory@example.com", "p": PASSWORD})).codes == [
        "UNAUTHENTICATED"
    ]
    rows = await AuditEntry.all().order_by("id").values_list("subject_id", "action", "reason")
    # The entry about the erased person keeps the staff side, not their details.
    assert rows == [
        (None, "[erased]", None),
        (None, "DELETE_USER", f"account {member_id}: repeated abuse"),
    ]
