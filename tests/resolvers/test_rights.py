"""The rights that were half-built, through the schema: staff lift a restriction (audited, the
person told) and the person sees whether processing is restricted and what that stops; an
objection can be withdrawn; an invitee without an account can ask for CORRECTION, which changes
their bookings once staff complete it."""

from models.booking import Booking
from models.governance import AuditEntry
from models.notification import Notification
from models.privacy import MailMessage, PrivacyRequest
from models.user import User
from services import consents
from tests.conftest import mailed_code
from tests.graphql_ops import BOOK, CREATE_TYPE, WEEKLY

STATUS = "{ processingStatus { restricted restrictionStops objections objectionStops } }"
SUBMIT = """mutation($k: PrivacyRequestKind!) { submitPrivacyRequest(kind: $k) { id } }"""
UPDATE = """mutation($id: ID!, $s: PrivacyRequestStatus!, $r: String) {
  updatePrivacyRequest(id: $id, status: $s, reason: $r) { status } }"""
LIFT = """mutation($u: ID!, $r: String!) { liftRestriction(userId: $u, reason: $r) { id } }"""
OBJECT = "mutation($o: Objection!) { objectToProcessing(processing: $o) }"
WITHDRAW = "mutation($o: Objection!) { withdrawObjection(processing: $o) }"
SET_CONSENT = """mutation($p: ConsentPurpose!, $g: Boolean!) {
  setConsent(purpose: $p, granted: $g) { granted } }"""
RECORD = "mutation($p: String!) { recordActivity(path: $p) }"
INVITEE = """mutation($e: String!, $k: PrivacyRequestKind!, $c: InviteeCorrectionInput) {
  submitInviteePrivacyRequest(email: $e, kind: $k, correction: $c) }"""
CONFIRM = "mutation($t: String!) { confirmPrivacyRequest(token: $t) { id kind status } }"
MONDAY = "2030-01-07"


async def staff(sign_up) -> str:
    token, _ = await sign_up(email="dpo@example.com", name="Dana Protection")
    await User.filter(email="dpo@example.com").update(role="admin")
    return token


async def complete(gql, admin: str, request_id: str, reason: str = "Done") -> None:
    (await gql(UPDATE, {"id": request_id, "s": "IN_PROGRESS"}, token=admin)).ok()
    (await gql(UPDATE, {"id": request_id, "s": "COMPLETED", "r": reason}, token=admin)).ok()


# --- restriction (Art. 18) ----------------------------------------------------------------------


async def test_a_restricted_person_sees_it_and_what_it_stops_until_staff_lift_it(gql, sign_up):
    token, ada = await sign_up(email="ada@example.com", name="Ada")
    admin = await staff(sign_up)
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    status = (await gql(STATUS, token=token)).ok()["processingStatus"]
    assert status == {"restricted": False, "restrictionStops": [], "objections": [],
                      "objectionStops": []}  # fmt: skip

    rid = (await gql(SUBMIT, {"k": "RESTRICTION"}, token=token)).ok()["submitPrivacyRequest"]["id"]
    await complete(gql, admin, rid)
    status = (await gql(STATUS, token=token)).ok()["processingStatus"]
    assert status["restricted"] is True
    assert any("analytics" in s for s in status["restrictionStops"])
    assert any("Marketing" in s for s in status["restrictionStops"])
    data = (await gql("{ myData }", token=token)).ok()["myData"]
    assert data["processing"]["restricted"] is True
    assert data["processing"]["restrictionStops"] == status["restrictionStops"]
    assert (await gql(RECORD, {"p": "/x"}, token=token)).ok() == {"recordActivity": False}

    lifted = await gql(LIFT, {"u": ada["id"], "r": "The accuracy check is done"}, token=admin)
    assert lifted.ok() == {"liftRestriction": {"id": ada["id"]}}
    assert (await gql(STATUS, token=token)).ok()["processingStatus"]["restricted"] is False
    assert (await gql(RECORD, {"p": "/y"}, token=token)).ok() == {"recordActivity": True}
    # Told in the app and by e-mail, with the reason; audited.
    [note] = await Notification.filter(user_id=int(ada["id"]), kind="RESTRICTION_LIFTED")
    assert "accuracy check" in note.message
    mail = await MailMessage.get(to="ada@example.com", kind="RESTRICTION_LIFTED")
    assert "accuracy check" in mail.body
    entry = await AuditEntry.get(action="LIFT_RESTRICTION")
    assert entry.subject_id == int(ada["id"]) and entry.reason == "The accuracy check is done"

    again = await gql(LIFT, {"u": ada["id"], "r": "again"}, token=admin)
    assert again.codes == ["CONFLICT"]
    assert await AuditEntry.filter(action="LIFT_RESTRICTION").count() == 1


async def test_lifting_needs_staff_a_reason_and_a_known_account(gql, sign_up):
    token, ada = await sign_up(email="ada@example.com", name="Ada")
    admin = await staff(sign_up)
    await User.filter(id=int(ada["id"])).update(restricted=True)
    assert (await gql(LIFT, {"u": ada["id"], "r": "x"}, token=token)).codes == ["FORBIDDEN"]
    assert (await gql(LIFT, {"u": ada["id"], "r": "x"})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LIFT, {"u": ada["id"], "r": "  "}, token=admin)).codes == ["BAD_USER_INPUT"]
    assert (await gql(LIFT, {"u": "999999", "r": "x"}, token=admin)).codes == ["NOT_FOUND"]
    assert (await User.get(id=int(ada["id"]))).restricted is True
    assert await Notification.filter(kind="RESTRICTION_LIFTED").count() == 0
    assert await AuditEntry.filter(action="LIFT_RESTRICTION").count() == 0


# --- objection (Art. 21) ------------------------------------------------------------------------


async def test_an_objection_can_be_withdrawn_and_processing_resumes_only_with_consent(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    for purpose in ("PERFORMANCE_COOKIES", "MARKETING"):
        (await gql(SET_CONSENT, {"p": purpose, "g": True}, token=token)).ok()
    for o in ("ANALYTICS", "MARKETING"):
        assert (await gql(OBJECT, {"o": o}, token=token)).ok() == {"objectToProcessing": True}
    status = (await gql(STATUS, token=token)).ok()["processingStatus"]
    assert status["objections"] == ["ANALYTICS", "MARKETING"] and len(status["objectionStops"]) == 2
    assert (await gql(RECORD, {"p": "/x"}, token=token)).ok() == {"recordActivity": False}

    assert (await gql(WITHDRAW, {"o": "ANALYTICS"}, token=token)).ok() == {
        "withdrawObjection": True
    }
    status = (await gql(STATUS, token=token)).ok()["processingStatus"]
    assert status["objections"] == ["MARKETING"]
    assert (await gql(RECORD, {"p": "/x"}, token=token)).ok() == {"recordActivity": True}

    (await gql(WITHDRAW, {"o": "MARKETING"}, token=token)).ok()
    ada = await User.get(email="ada@example.com")
    assert ada.objects_to_marketing is False
    # The consent withdrawn with the objection stays withdrawn until given again.
    assert not await consents.may_market(ada)
    (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=token)).ok()
    assert await consents.may_market(await User.get(email="ada@example.com"))
    assert (await gql(WITHDRAW, {"o": "ANALYTICS"})).codes == ["UNAUTHENTICATED"]
    assert (await gql(STATUS)).codes == ["UNAUTHENTICATED"]


# --- invitee CORRECTION (Art. 16) ---------------------------------------------------------------


async def host_with_bookings(gql, sign_up) -> tuple[str, str]:
    token, host = await sign_up(email="host@example.com", name="Hanna Host")
    rules = [{"weekday": "MONDAY", "start": "09:00", "end": "17:00"}]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    event = {"title": "Intro call", "slug": "intro", "durationMinutes": 30}
    type_id = (await gql(CREATE_TYPE, {"i": event}, token=token)).ok()["createEventType"]["id"]
    for hhmm, name, email in (("10:00", "Ivy Invitee", "ivy@example.com"),
                              ("11:00", "Ivy Invitee", "ivy@example.com"),
                              ("12:00", "Eve Else", "eve@example.com")):  # fmt: skip
        booking = {"eventTypeId": type_id, "start": f"{MONDAY}T{hhmm}:00+00:00", "name": name,
                   "email": email, "timeZone": "Europe/London"}  # fmt: skip
        (await gql(BOOK, {"i": booking})).ok()
    return token, host["id"]


async def test_an_invitee_correction_changes_their_bookings_once_completed(gql, sign_up):
    _, host_id = await host_with_bookings(gql, sign_up)
    admin = await staff(sign_up)
    correction = {"name": "Ivy Ivanova", "timeZone": "America/New_York"}
    asked = await gql(INVITEE, {"e": "ivy@example.com", "k": "CORRECTION", "c": correction})
    assert asked.ok() == {"submitInviteePrivacyRequest": True}
    confirmed = (await gql(CONFIRM, {"t": await mailed_code("ivy@example.com")})).ok()
    request = confirmed["confirmPrivacyRequest"]
    assert (request["kind"], request["status"]) == ("CORRECTION", "RECEIVED")
    # Nothing changes before staff complete it.
    assert await Booking.filter(attendee_name="Ivy Ivanova").count() == 0

    await complete(gql, admin, request["id"], "Corrected")
    ivy = await Booking.filter(attendee_email="ivy@example.com").order_by("start")
    assert [(b.attendee_name, b.attendee_time_zone) for b in ivy] == [
        ("Ivy Ivanova", "America/New_York")
    ] * 2
    eve = await Booking.get(attendee_email="eve@example.com")
    assert (eve.attendee_name, eve.attendee_time_zone) == ("Eve Else", "Europe/London")
    # The host is told; Ivy is told by e-mail that it is done.
    told = await Notification.filter(user_id=int(host_id), kind="PERSON_UPDATED")
    assert len(told) == 1 and told[0].data["bookingIds"] == [b.id for b in ivy]
    assert await MailMessage.filter(to="ivy@example.com", subject__contains="completed").exists()


async def test_a_rejected_invitee_correction_changes_nothing(gql, sign_up):
    await host_with_bookings(gql, sign_up)
    admin = await staff(sign_up)
    c = {"name": "Mallory"}
    (await gql(INVITEE, {"e": "ivy@example.com", "k": "CORRECTION", "c": c})).ok()
    rid = (await gql(CONFIRM, {"t": await mailed_code("ivy@example.com")})).ok()[
        "confirmPrivacyRequest"
    ]["id"]
    (await gql(UPDATE, {"id": rid, "s": "REJECTED", "r": "Not you"}, token=admin)).ok()
    assert await Booking.filter(attendee_name="Mallory").count() == 0


async def test_an_invitee_correction_must_say_what_and_be_valid(gql):
    for variables in (
        {"k": "CORRECTION"},  # nothing to correct
        {"k": "CORRECTION", "c": {}},
        {"k": "CORRECTION", "c": {"name": "   "}},
        {"k": "CORRECTION", "c": {"timeZone": "Mars/Olympus"}},
        {"k": "ACCESS", "c": {"name": "Ivy"}},  # a correction belongs to CORRECTION only
    ):
        result = await gql(INVITEE, {"e": "ivy@example.com", **variables})
        assert result.codes == ["BAD_USER_INPUT"], variables
        assert "correction" in result.errors[0]["message"]
    assert await PrivacyRequest.all().count() == 0
    assert await MailMessage.all().count() == 0
