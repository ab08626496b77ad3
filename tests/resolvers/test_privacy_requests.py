"""Privacy requests end to end through the schema: every GDPR right can be asked for, is due one
calendar month later, moves through its states only as staff allow, and tells the person each
time; invitees without an account act only after confirming a code mailed to their address."""

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.months import add_one_month
from models.booking import Booking
from models.notification import Notification
from models.privacy import MailMessage, PrivacyRequest
from models.user import User
from tests.conftest import mailed_code
from tests.graphql_ops import BOOK, CREATE_TYPE, WEEKLY

KINDS = [
    "ACCESS",
    "CORRECTION",
    "ERASURE",
    "RESTRICTION",
    "OBJECTION",
    "PORTABILITY",
    "WITHDRAW_CONSENT",
    "AUTOMATED_DECISION",
]
FIELDS = "id kind status createdAt dueAt details resolution resolvedAt overdue"
SUBMIT = f"""mutation($k: PrivacyRequestKind!, $d: String) {{
  submitPrivacyRequest(kind: $k, details: $d) {{ {FIELDS} }} }}"""
MINE = f"{{ privacyRequests {{ {FIELDS} }} }}"
ADMIN_LIST = f"""query($s: PrivacyRequestStatus) {{
  adminPrivacyRequests(status: $s) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $s: PrivacyRequestStatus!, $r: String) {{
  updatePrivacyRequest(id: $id, status: $s, reason: $r) {{ {FIELDS} }} }}"""
INVITEE = """mutation($e: String!, $k: PrivacyRequestKind!) {
  submitInviteePrivacyRequest(email: $e, kind: $k) }"""
CONFIRM = f"""mutation($t: String!) {{ confirmPrivacyRequest(token: $t) {{ {FIELDS} }} }}"""
NOTIFICATIONS = """{ notifications(first: 50) { totalCount
  edges { node { kind message bookingId } } } }"""
PRIVACY_INFO = """{ privacyInfo { backupRetentionDays automatedDecisionMaking requestAnswerDays
  categories { key } } }"""

HOST_BOOKINGS = """{ bookings(first: 50, order: START_ASC) { edges { node {
  id attendeeName attendeeEmail notes status } } } }"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
MONDAY = "2030-01-07"  # a Monday well in the future


def at(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+00:00"


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def expected_one_month_later(moment: datetime) -> datetime:
    """Independent of domain/months: same day next month, clamped to that month's last day."""
    year = moment.year + (moment.month == 12)
    month = moment.month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def make_admin(sign_up, email: str = "dpo@example.com") -> str:
    token, _ = await sign_up(email=email, name="Dana Protection")
    await User.filter(email=email).update(role="admin")
    return token


async def privacy_notifications(gql, token: str) -> list[dict]:
    edges = (await gql(NOTIFICATIONS, token=token)).ok()["notifications"]["edges"]
    return [e["node"] for e in edges if e["node"]["kind"] == "PRIVACY_REQUEST"]


# --- domain/months: the one-month answer period -------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2027, 1, 31, 10, 30, tzinfo=UTC), datetime(2027, 2, 28, 10, 30, tzinfo=UTC)),
        (datetime(2028, 1, 31, 23, 59, 59, 999999, tzinfo=UTC),
         datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
        (datetime(2028, 1, 30, tzinfo=UTC), datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2027, 1, 29, tzinfo=UTC), datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2027, 3, 31, 8, 0, tzinfo=UTC), datetime(2027, 4, 30, 8, 0, tzinfo=UTC)),
        (datetime(2028, 2, 29, 12, 0, tzinfo=UTC), datetime(2028, 3, 29, 12, 0, tzinfo=UTC)),
        (datetime(2027, 12, 31, 18, 0, tzinfo=UTC), datetime(2028, 1, 31, 18, 0, tzinfo=UTC)),
        (datetime(2027, 12, 15, tzinfo=UTC), datetime(2028, 1, 15, tzinfo=UTC)),
        (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_add_one_month_is_the_same_day_next_month_clamped_to_its_end(moment, expected):
    assert add_one_month(moment) == expected
    assert add_one_month(moment) == expected_one_month_later(moment)


def test_add_one_month_keeps_the_time_zone():
    plus_two = timezone(timedelta(hours=2))
    moment = datetime(2027, 8, 31, 9, 15, tzinfo=plus_two)
    assert add_one_month(moment) == datetime(2027, 9, 30, 9, 15, tzinfo=plus_two)
    assert add_one_month(moment).utcoffset() == timedelta(hours=2)


def test_add_one_month_for_every_day_of_a_leap_and_a_common_year():
    for year in (2027, 2028):
        day = datetime(year, 1, 1, 7, 45, tzinfo=UTC)
        while day.year == year:
            later = add_one_month(day)
            assert later == expected_one_month_later(day), day
            assert later > day
            day += timedelta(days=1)


# --- requests by account holders ----------------------------------------------------------------


async def test_privacy_info_states_backup_retention_and_no_automated_decisions(gql):
    info = (await gql(PRIVACY_INFO)).ok()["privacyInfo"]
    assert info["backupRetentionDays"] == 30
    assert info["automatedDecisionMaking"] is False
    assert "month" in info["requestAnswerDays"]


async def test_every_kind_is_received_and_due_one_calendar_month_later(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    submitted = []
    for kind in KINDS:
        request = (await gql(SUBMIT, {"k": kind, "d": f"about {kind}"}, token=token)).ok()[
            "submitPrivacyRequest"
        ]
        assert request["kind"] == kind
        assert request["status"] == "RECEIVED"
        assert request["details"] == f"about {kind}"
        assert request["resolution"] is None and request["resolvedAt"] is None
        assert request["overdue"] is False
        created, due = parse(request["createdAt"]), parse(request["dueAt"])
        assert created.utcoffset() is not None and due.utcoffset() is not None
        assert due == expected_one_month_later(created)
        assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)
        submitted.append(request)

    listed = (await gql(MINE, token=token)).ok()["privacyRequests"]
    assert sorted(r["id"] for r in listed) == sorted(r["id"] for r in submitted)
    assert {r["kind"] for r in listed} == set(KINDS)
    assert all(r["status"] == "RECEIVED" for r in listed)
    assert await PrivacyRequest.filter(user__email="ada@example.com").count() == len(KINDS)


async def test_without_details_the_request_is_still_received(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    request = (await gql(SUBMIT, {"k": "ACCESS"}, token=token)).ok()["submitPrivacyRequest"]
    assert request["status"] == "RECEIVED" and request["details"] is None


async def test_a_user_sees_only_their_own_requests(gql, sign_up):
    ada, _ = await sign_up(email="ada@example.com", name="Ada")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    mine = (await gql(SUBMIT, {"k": "ACCESS"}, token=ada)).ok()["submitPrivacyRequest"]
    theirs = (await gql(SUBMIT, {"k": "ERASURE"}, token=bob)).ok()["submitPrivacyRequest"]
    assert [r["id"] for r in (await gql(MINE, token=ada)).ok()["privacyRequests"]] == [mine["id"]]
    assert [r["id"] for r in (await gql(MINE, token=bob)).ok()["privacyRequests"]] == [theirs["id"]]


async def test_bad_kind_or_details_is_a_coded_error_and_writes_nothing(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    assert (await gql(SUBMIT, {"k": "BOGUS"}, token=token)).codes == ["BAD_USER_INPUT"]
    assert (await gql(SUBMIT, {"k": "access"}, token=token)).codes == ["BAD_USER_INPUT"]
    too_long = await gql(SUBMIT, {"k": "ACCESS", "d": "x" * 5001}, token=token)
    assert too_long.codes == ["BAD_USER_INPUT"]
    assert "details" in too_long.errors[0]["message"]
    assert too_long.data is None
    assert await PrivacyRequest.all().count() == 0
    assert await Notification.all().count() == 0


async def test_anonymous_callers_cannot_file_or_list_requests(gql):
    assert (await gql(SUBMIT, {"k": "ACCESS"})).codes == ["UNAUTHENTICATED"]
    assert (await gql(MINE)).codes == ["UNAUTHENTICATED"]
    assert await PrivacyRequest.all().count() == 0


async def test_status_flow_by_staff_notifies_the_user_at_each_change(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    admin = await make_admin(sign_up)
    request = (await gql(SUBMIT, {"k": "ACCESS"}, token=token)).ok()["submitPrivacyRequest"]
    rid = request["id"]
    assert await privacy_notifications(gql, token) == []

    started = (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    assert started["updatePrivacyRequest"]["status"] == "IN_PROGRESS"
    assert started["updatePrivacyRequest"]["resolvedAt"] is None
    assert len(await privacy_notifications(gql, token)) == 1

    # Completing needs a reason; without one nothing changes and nobody is told.
    for reason in (None, "", "   "):
        missing = await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": reason}, token=admin)
        assert missing.codes == ["BAD_USER_INPUT"], reason
        assert "reason" in missing.errors[0]["message"]
    assert (await PrivacyRequest.get(id=int(rid))).status == "IN_PROGRESS"
    assert len(await privacy_notifications(gql, token)) == 1

    done = (
        await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Sent your data"}, token=admin)
    ).ok()["updatePrivacyRequest"]
    assert done["status"] == "COMPLETED"
    assert done["resolution"] == "Sent your data"
    assert done["resolvedAt"] is not None and done["overdue"] is False
    assert done["dueAt"] == request["dueAt"] and done["createdAt"] == request["createdAt"]

    # A finished request cannot be reopened.
    reopened = await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)
    assert reopened.codes == ["CONFLICT"]
    again = await gql(UPDATE, {"id": rid, "s": "REJECTED", "r": "no"}, token=admin)
    assert again.codes == ["CONFLICT"]
    row = await PrivacyRequest.get(id=int(rid))
    assert row.status == "COMPLETED" and row.resolution == "Sent your data"

    told = await privacy_notifications(gql, token)
    assert len(told) == 2  # one per change that happened, none for the refused ones
    assert "completed" in told[0]["message"] and "in progress" in told[1]["message"]
    assert all(n["bookingId"] is None for n in told)
    mine = (await gql(MINE, token=token)).ok()["privacyRequests"]
    assert [(r["id"], r["status"], r["resolution"]) for r in mine] == [
        (rid, "COMPLETED", "Sent your data")
    ]
    # Staff are not notified about other people's requests.
    assert await privacy_notifications(gql, admin) == []


async def test_received_cannot_jump_to_completed_and_in_progress_can_be_rejected(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    admin = await make_admin(sign_up)
    rid = (await gql(SUBMIT, {"k": "ERASURE"}, token=token)).ok()["submitPrivacyRequest"]["id"]

    jumped = await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "done"}, token=admin)
    assert jumped.codes == ["CONFLICT"]
    same = await gql(UPDATE, {"id": rid, "s": "RECEIVED"}, token=admin)
    assert same.codes == ["CONFLICT"]
    assert (await PrivacyRequest.get(id=int(rid))).status == "RECEIVED"
    assert await privacy_notifications(gql, token) == []

    (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    no_reason = await gql(UPDATE, {"id": rid, "s": "REJECTED"}, token=admin)
    assert no_reason.codes == ["BAD_USER_INPUT"]
    rejected = (
        await gql(UPDATE, {"id": rid, "s": "REJECTED", "r": "Legal hold on invoices"}, token=admin)
    ).ok()["updatePrivacyRequest"]
    assert rejected["status"] == "REJECTED"
    assert rejected["resolution"] == "Legal hold on invoices" and rejected["resolvedAt"]
    # Rejecting is final too, and an erasure that was rejected erased nothing.
    assert (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).codes == ["CONFLICT"]
    assert await User.filter(email="ada@example.com").exists()

    told = await privacy_notifications(gql, token)
    assert len(told) == 2 and "rejected" in told[0]["message"]


async def test_a_received_request_can_be_rejected_directly(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    admin = await make_admin(sign_up)
    rid = (await gql(SUBMIT, {"k": "AUTOMATED_DECISION"}, token=token)).ok()[
        "submitPrivacyRequest"
    ]["id"]
    rejected = (
        await gql(UPDATE, {"id": rid, "s": "REJECTED", "r": "We make none"}, token=admin)
    ).ok()["updatePrivacyRequest"]
    assert rejected["status"] == "REJECTED"
    assert len(await privacy_notifications(gql, token)) == 1


async def test_updating_an_unknown_request_is_not_found(gql, sign_up):
    admin = await make_admin(sign_up)
    for rid in ("999999", "abc", "-1"):
        result = await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)
        assert result.codes == ["NOT_FOUND"], rid


async def test_staff_list_puts_overdue_requests_first(gql, sign_up):
    ada, _ = await sign_up(email="ada@example.com", name="Ada")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    admin = await make_admin(sign_up)
    first = (await gql(SUBMIT, {"k": "ACCESS"}, token=ada)).ok()["submitPrivacyRequest"]
    second = (await gql(SUBMIT, {"k": "ERASURE"}, token=bob)).ok()["submitPrivacyRequest"]
    late = (await gql(SUBMIT, {"k": "PORTABILITY"}, token=ada)).ok()["submitPrivacyRequest"]
    later = (await gql(SUBMIT, {"k": "CORRECTION"}, token=bob)).ok()["submitPrivacyRequest"]
    finished = (await gql(SUBMIT, {"k": "OBJECTION"}, token=bob)).ok()["submitPrivacyRequest"]
    now = datetime.now(UTC)
    await PrivacyRequest.filter(id=int(late["id"])).update(due_at=now - timedelta(days=2))
    await PrivacyRequest.filter(id=int(later["id"])).update(due_at=now - timedelta(days=1))
    # A finished request past its date is not overdue: it was answered.
    await PrivacyRequest.filter(id=int(finished["id"])).update(
        status="COMPLETED", resolution="ok", due_at=now - timedelta(days=5)
    )

    listed = (await gql(ADMIN_LIST, token=admin)).ok()["adminPrivacyRequests"]
    ids = [r["id"] for r in listed]
    assert set(ids) == {first["id"], second["id"], late["id"], later["id"], finished["id"]}
    assert ids[:2] == [late["id"], later["id"]]
    assert [r["overdue"] for r in listed[:2]] == [True, True]
    rest = listed[2:]
    assert not any(r["overdue"] for r in rest)
    assert [parse(r["dueAt"]) for r in rest] == sorted(parse(r["dueAt"]) for r in rest)

    # The user sees the overdue flag on their own request as well.
    mine = {r["id"]: r for r in (await gql(MINE, token=ada)).ok()["privacyRequests"]}
    assert mine[late["id"]]["overdue"] is True and mine[first["id"]]["overdue"] is False

    by_status = (await gql(ADMIN_LIST, {"s": "COMPLETED"}, token=admin)).ok()
    assert [r["id"] for r in by_status["adminPrivacyRequests"]] == [finished["id"]]
    received = (await gql(ADMIN_LIST, {"s": "RECEIVED"}, token=admin)).ok()
    assert [r["id"] for r in received["adminPrivacyRequests"]][:2] == [late["id"], later["id"]]
    assert len(received["adminPrivacyRequests"]) == 4


async def test_members_are_forbidden_and_anonymous_callers_unauthenticated(gql, sign_up):
    member, _ = await sign_up(email="ada@example.com", name="Ada")
    rid = (await gql(SUBMIT, {"k": "ACCESS"}, token=member)).ok()["submitPrivacyRequest"]["id"]
    assert (await gql(ADMIN_LIST, token=member)).codes == ["FORBIDDEN"]
    own = await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=member)
    assert own.codes == ["FORBIDDEN"]
    assert (await gql(ADMIN_LIST)).codes == ["UNAUTHENTICATED"]
    anonymous = await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"})
    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert (await PrivacyRequest.get(id=int(rid))).status == "RECEIVED"
    assert await privacy_notifications(gql, member) == []


# --- requests by invitees without an account ----------------------------------------------------


@pytest.fixture
async def host(gql, sign_up):
    """A host with weekday hours and an event type; Ivy booked twice, Eve once."""
    token, _ = await sign_up(email="host@example.com", name="Hanna Host")
    rules = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    type_id = (
        await gql(
            CREATE_TYPE,
            {"i": {"title": "Intro call", "slug": "intro", "durationMinutes": 30}},
            token=token,
        )
    ).ok()["createEventType"]["id"]
    for start, name, email, notes in [
        ("10:00", "Ivy Invitee", "ivy@example.com", "my knee hurts"),
        ("11:00", "Ivy Invitee", "ivy@example.com", None),
        ("12:00", "Eve Else", "eve@example.com", "eve's note"),
    ]:
        booking = {"eventTypeId": type_id, "start": at(MONDAY, start), "name": name,
                   "email": email, "notes": notes}  # fmt: skip
        (await gql(BOOK, {"i": booking})).ok()
    return token


async def host_bookings(gql, token: str) -> list[dict]:
    edges = (await gql(HOST_BOOKINGS, token=token)).ok()["bookings"]["edges"]
    return [e["node"] for e in edges]


async def test_invitee_erasure_waits_for_confirmation_then_staff_completion(gql, sign_up, host):
    admin = await make_admin(sign_up)
    before = await host_bookings(gql, host)

    asked = await gql(INVITEE, {"e": "  IVY@Example.com ", "k": "ERASURE"})
    assert asked.ok() == {"submitInviteePrivacyRequest": True}
    # Nothing happens yet: staff do not see it, the bookings are untouched, a code was mailed.
    assert (await gql(ADMIN_LIST, token=admin)).ok()["adminPrivacyRequests"] == []
    assert await host_bookings(gql, host) == before
    mails = await MailMessage.filter(to="ivy@example.com", kind="PRIVACY_CODE")
    assert len(mails) == 1 and "erasure" in mails[0].subject.lower()
    code = await mailed_code("ivy@example.com")
    # The code is only in the mail, never stored in the clear.
    assert not await PrivacyRequest.filter(confirm_token_hash=code).exists()

    assert (await gql(CONFIRM, {"t": "bnm_p_wrong"})).codes == ["NOT_FOUND"]
    assert (await gql(CONFIRM, {"t": code + "x"})).codes == ["NOT_FOUND"]
    assert (await gql(ADMIN_LIST, token=admin)).ok()["adminPrivacyRequests"] == []

    confirmed = (await gql(CONFIRM, {"t": code})).ok()["confirmPrivacyRequest"]
    assert confirmed["kind"] == "ERASURE" and confirmed["status"] == "RECEIVED"
    assert parse(confirmed["dueAt"]) == expected_one_month_later(parse(confirmed["createdAt"]))
    assert (await gql(CONFIRM, {"t": code})).codes == ["NOT_FOUND"]  # spent
    listed = (await gql(ADMIN_LIST, token=admin)).ok()["adminPrivacyRequests"]
    assert [r["id"] for r in listed] == [confirmed["id"]]
    assert await host_bookings(gql, host) == before  # still untouched until staff complete it

    rid = confirmed["id"]
    (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    assert await host_bookings(gql, host) == before
    done = await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Erased"}, token=admin)
    assert done.ok()["updatePrivacyRequest"]["status"] == "COMPLETED"

    after = await host_bookings(gql, host)
    assert [b["id"] for b in after] == [b["id"] for b in before]
    ivy = [b for b in after if b["id"] in {before[0]["id"], before[1]["id"]}]
    assert all(
        (b["attendeeName"], b["attendeeEmail"], b["notes"]) == ("[erased]", "[erased]", None)
        for b in ivy
    )
    assert all(b["status"] == "CONFIRMED" for b in ivy)  # the host keeps the busy time
    assert after[2] == before[2]  # Eve's booking is not touched
    assert not await Booking.filter(attendee_email="ivy@example.com").exists()
    assert not await Booking.filter(notes="my knee hurts").exists()
    # Nothing addressed to Ivy is kept either: there is nobody left to tell.
    assert not await MailMessage.filter(to="ivy@example.com").exists()
    assert not await PrivacyRequest.filter(email="ivy@example.com").exists()


async def test_a_completed_invitee_erasure_stays_on_the_staff_record(gql, sign_up, host):
    admin = await make_admin(sign_up)
    (await gql(INVITEE, {"e": "ivy@example.com", "k": "ERASURE"})).ok()
    rid = (await gql(CONFIRM, {"t": await mailed_code("ivy@example.com")})).ok()[
        "confirmPrivacyRequest"
    ]["id"]
    (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    (await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Erased"}, token=admin)).ok()
    completed = (await gql(ADMIN_LIST, {"s": "COMPLETED"}, token=admin)).ok()
    assert [(r["id"], r["resolution"]) for r in completed["adminPrivacyRequests"]] == [
        (rid, "Erased")
    ]


async def test_invitee_access_request_mails_them_their_bookings(gql, sign_up, host):
    admin = await make_admin(sign_up)
    assert (await gql(INVITEE, {"e": "ivy@example.com", "k": "ACCESS"})).ok()
    code = await mailed_code("ivy@example.com")
    rid = (await gql(CONFIRM, {"t": code})).ok()["confirmPrivacyRequest"]["id"]
    (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    done = await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Mailed"}, token=admin)
    assert done.ok()["updatePrivacyRequest"]["status"] == "COMPLETED"

    mails = await MailMessage.filter(to="ivy@example.com").order_by("id")
    report = [m for m in mails if "holds" in m.subject]
    assert len(report) == 1
    body = report[0].body
    assert body.count("Intro call") == 2
    assert "Ivy Invitee" in body and "my knee hurts" in body
    assert "2030-01-07T10:00:00+00:00" in body and "2030-01-07T11:00:00+00:00" in body
    assert "Eve" not in body and "eve's note" not in body and "12:00" not in body
    # Status changes reach the invitee by mail (no account to notify), and nothing went to Eve.
    assert any("completed" in m.subject for m in mails)
    assert any("in progress" in m.subject for m in mails)
    assert not await MailMessage.filter(to="eve@example.com", kind__startswith="PRIVACY").exists()
    # An access request changes nothing.
    assert await Booking.filter(attendee_email="ivy@example.com").count() == 2


async def test_invitee_access_for_an_address_without_bookings_says_so(gql, sign_up):
    admin = await make_admin(sign_up)
    assert (await gql(INVITEE, {"e": "nobody@example.com", "k": "ACCESS"})).ok() == {
        "submitInviteePrivacyRequest": True
    }  # the same answer whether or not we hold anything
    rid = (await gql(CONFIRM, {"t": await mailed_code("nobody@example.com")})).ok()[
        "confirmPrivacyRequest"
    ]["id"]
    (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    (await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Nothing held"}, token=admin)).ok()
    report = await MailMessage.filter(to="nobody@example.com", subject__contains="holds").first()
    assert report is not None and "no bookings" in report.body


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("ACCESS", "ERASURE", "CORRECTION")])
async def test_invitees_may_only_ask_for_access_erasure_or_correction(gql, kind):
    result = await gql(INVITEE, {"e": "ivy@example.com", "k": kind})
    assert result.codes == ["BAD_USER_INPUT"]
    assert "kind" in result.errors[0]["message"]
    assert await PrivacyRequest.all().count() == 0
    assert await MailMessage.all().count() == 0


async def test_invitee_request_with_a_bad_address_writes_nothing(gql):
    for email in ("not-an-address", "", "ivy@"):
        assert (await gql(INVITEE, {"e": email, "k": "ERASURE"})).codes == ["BAD_USER_INPUT"]
    assert (await gql(INVITEE, {"e": "ivy@example.com", "k": "NOPE"})).codes == ["BAD_USER_INPUT"]
    assert await PrivacyRequest.all().count() == 0
    assert await MailMessage.all().count() == 0


async def test_a_confirmation_code_expires_after_a_week(gql, sign_up):
    admin = await make_admin(sign_up)
    (await gql(INVITEE, {"e": "ivy@example.com", "k": "ERASURE"})).ok()
    code = await mailed_code("ivy@example.com")
    await PrivacyRequest.filter(email="ivy@example.com").update(
        created_at=datetime.now(UTC) - timedelta(days=8)
    )
    assert (await gql(CONFIRM, {"t": code})).codes == ["NOT_FOUND"]
    assert (await gql(ADMIN_LIST, token=admin)).ok()["adminPrivacyRequests"] == []


async def test_staff_cannot_act_on_an_unconfirmed_invitee_request(gql, sign_up, host):
    admin = await make_admin(sign_up)
    (await gql(INVITEE, {"e": "ivy@example.com", "k": "ERASURE"})).ok()
    pending = await PrivacyRequest.get(email="ivy@example.com")
    result = await gql(UPDATE, {"id": str(pending.id), "s": "IN_PROGRESS"}, token=admin)
    assert result.codes == ["NOT_FOUND"]
    assert (await PrivacyRequest.get(id=pending.id)).status == "RECEIVED"
    assert await Booking.filter(attendee_email="ivy@example.com").count() == 2


async def test_each_invitee_request_gets_its_own_code(gql):
    (await gql(INVITEE, {"e": "ivy@example.com", "k": "ERASURE"})).ok()
    (await gql(INVITEE, {"e": "ivy@example.com", "k": "ACCESS"})).ok()
    bodies = [m.body for m in await MailMessage.filter(to="ivy@example.com").order_by("id")]
    codes = [re.search(r"code: (\S+)", b).group(1) for b in bodies]
    assert len(set(codes)) == 2
    kinds = [(await gql(CONFIRM, {"t": c})).ok()["confirmPrivacyRequest"]["kind"] for c in codes]
    assert kinds == ["ERASURE", "ACCESS"]
