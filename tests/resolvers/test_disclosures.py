"""The disclosure register through the schema: staff record what they handed to an authority or
in a business transfer (recipient, legal basis, what, when), audited; the person sees each in
myData, except one under a legal hold, which shows once the hold ends; bad input writes nothing."""

import json
from datetime import UTC, datetime, timedelta

from models.governance import AuditEntry, Disclosure
from models.privacy import MailMessage
from models.user import User
from tests.conftest import mailed_code, wait_until

FIELDS = "id reason recipient legalBasis data disclosedAt holdUntil userId email"
RECORD = f"""mutation($i: DisclosureInput!, $r: String!) {{
  recordDisclosure(input: $i, reason: $r) {{ {FIELDS} }} }}"""
LIST = f"query($u: ID) {{ adminDisclosures(userId: $u) {{ {FIELDS} }} }}"
END_HOLD = f"""mutation($id: ID!, $r: String!) {{
  endDisclosureHold(id: $id, reason: $r) {{ {FIELDS} }} }}"""


async def people(sign_up) -> tuple[str, str, dict]:
    admin, _ = await sign_up(email="staff@example.com", name="Staff")
    await User.filter(email="staff@example.com").update(role="admin")
    token, ada = await sign_up(email="ada@example.com", name="Ada")
    return admin, token, ada


def disclosure(user_id: str, **changes) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    values = {
        "reason": "LEGAL_OBLIGATION",
        "recipient": "Royal Cayman Islands Police Service",
        "legalBasis": "Production order 2030/17 (Criminal Procedure Code)",
        "data": "Bookings of March 2030 with their times",
        "disclosedAt": (now - timedelta(hours=1)).isoformat(),
        "userId": user_id,
    }
    return {**values, **changes}


async def my_disclosures(gql, token: str) -> list[dict]:
    data = (await gql("{ myData }", token=token)).ok()["myData"]
    return data["data"].get("disclosures", [])


async def test_a_disclosure_shows_in_my_data_with_recipient_basis_what_and_when(gql, sign_up):
    admin, token, ada = await people(sign_up)
    entry = disclosure(ada["id"], reason="BUSINESS_TRANSFER", recipient="Acme Scheduling Ltd")
    recorded = (await gql(RECORD, {"i": entry, "r": "Sale of the business"}, token=admin)).ok()
    row = recorded["recordDisclosure"]
    assert (row["reason"], row["recipient"], row["userId"]) == (
        "BUSINESS_TRANSFER", "Acme Scheduling Ltd", ada["id"]
    )  # fmt: skip

    [seen] = await my_disclosures(gql, token)
    assert seen["reason"] == "BUSINESS_TRANSFER"
    assert seen["recipient"] == "Acme Scheduling Ltd"
    assert seen["legal_basis"] == entry["legalBasis"]
    assert seen["data"] == entry["data"]
    assert datetime.fromisoformat(seen["disclosed_at"]) == datetime.fromisoformat(
        entry["disclosedAt"]
    )
    data = (await gql("{ myData }", token=token)).ok()["myData"]
    [held] = [c for c in data["categoriesHeld"] if c["category"] == "disclosure"]
    assert held["sections"] == ["disclosures"] and held["legalBasis"] and held["recipients"]
    audit = await AuditEntry.get(action="RECORD_DISCLOSURE")
    assert audit.subject_id == int(ada["id"]) and "Sale of the business" in audit.reason


async def test_a_disclosure_under_legal_hold_is_absent_until_the_hold_ends(gql, sign_up):
    admin, token, ada = await people(sign_up)
    hold_until = datetime.now(UTC) + timedelta(seconds=2)
    entry = disclosure(ada["id"], holdUntil=hold_until.isoformat())
    (await gql(RECORD, {"i": entry, "r": "Court order"}, token=admin)).ok()

    assert await my_disclosures(gql, token) == []
    assert "Royal Cayman" not in json.dumps((await gql("{ myData }", token=token)).ok())
    # Staff see it all along.
    assert len((await gql(LIST, {"u": ada["id"]}, token=admin)).ok()["adminDisclosures"]) == 1

    shown = await wait_until(lambda: my_disclosures(gql, token), within=10)
    assert [d["recipient"] for d in shown] == [entry["recipient"]]
    assert datetime.now(UTC) >= hold_until


async def test_staff_may_end_a_hold_early(gql, sign_up):
    admin, token, ada = await people(sign_up)
    later = (datetime.now(UTC) + timedelta(days=90)).isoformat()
    held = (await gql(RECORD, {"i": disclosure(ada["id"], holdUntil=later), "r": "Order"},
                      token=admin)).ok()["recordDisclosure"]  # fmt: skip
    assert await my_disclosures(gql, token) == []
    ended = await gql(END_HOLD, {"id": held["id"], "r": "The order was lifted"}, token=admin)
    assert datetime.fromisoformat(ended.ok()["endDisclosureHold"]["holdUntil"]) <= datetime.now(UTC)
    assert [d["id"] for d in await my_disclosures(gql, token)] == [int(held["id"])]
    assert await AuditEntry.filter(action="END_DISCLOSURE_HOLD").count() == 1


async def test_a_disclosure_about_an_invitee_is_kept_by_address(gql, sign_up):
    admin, _, _ = await people(sign_up)
    entry = disclosure(None, userId=None, email=" Ivy@Example.com ")
    row = (await gql(RECORD, {"i": entry, "r": "Subpoena"}, token=admin)).ok()["recordDisclosure"]
    assert (row["userId"], row["email"]) == (None, "ivy@example.com")
    # Once Ivy has an account under that address (verified), she sees it.
    ivy_token, _ = await sign_up(email="ivy@example.com", name="Ivy")
    assert [d["recipient"] for d in await my_disclosures(gql, ivy_token)] == [entry["recipient"]]


async def test_bad_disclosure_input_writes_nothing(gql, sign_up):
    admin, _, ada = await people(sign_up)
    now = datetime.now(UTC)
    for change in (
        {"recipient": "  "},
        {"legalBasis": ""},
        {"data": " "},
        {"disclosedAt": (now + timedelta(hours=1)).isoformat()},
        {"holdUntil": (now - timedelta(hours=2)).isoformat()},  # before the disclosure
        {"email": "ivy@example.com"},  # both an account and an address
        {"userId": None},  # neither
        {"userId": None, "email": "not-an-address"},
    ):
        result = await gql(RECORD, {"i": disclosure(ada["id"], **change), "r": "x"}, token=admin)
        assert result.codes == ["BAD_USER_INPUT"], change
    blank_reason = await gql(RECORD, {"i": disclosure(ada["id"]), "r": " "}, token=admin)
    assert blank_reason.codes == ["BAD_USER_INPUT"]
    unknown = await gql(RECORD, {"i": disclosure("999999"), "r": "x"}, token=admin)
    assert unknown.codes == ["NOT_FOUND"]
    assert await Disclosure.all().count() == 0
    assert await AuditEntry.filter(action="RECORD_DISCLOSURE").count() == 0


async def test_only_staff_record_or_list_disclosures(gql, sign_up):
    admin, token, ada = await people(sign_up)
    for who, code in ((token, "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        result = await gql(RECORD, {"i": disclosure(ada["id"]), "r": "x"}, token=who)
        assert result.codes == [code]
        assert (await gql(LIST, token=who)).codes == [code]
        assert (await gql(END_HOLD, {"id": "1", "r": "x"}, token=who)).codes == [code]
    assert await Disclosure.all().count() == 0
    assert (await gql(END_HOLD, {"id": "999999", "r": "x"}, token=admin)).codes == ["NOT_FOUND"]


async def test_erasing_the_account_keeps_the_record_without_the_person(gql, sign_up):
    admin, token, ada = await people(sign_up)
    (await gql(RECORD, {"i": disclosure(ada["id"]), "r": "Order"}, token=admin)).ok()
    erased = await gql('mutation { deleteAccount(password: "correct horse battery") }', token=token)
    assert erased.ok() == {"deleteAccount": True}
    [row] = await Disclosure.all()
    assert (row.subject_id, row.email, row.data) == (None, None, "[erased]")
    assert row.recipient == "Royal Cayman Islands Police Service"  # the staff record stays


async def test_an_invitee_s_access_report_lists_disclosures_not_under_hold(gql, sign_up):
    admin, _, _ = await people(sign_up)
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    for recipient, hold in (("Grand Court", None), ("Tax Office", later)):
        entry = disclosure(None, userId=None, email="ivy@example.com", recipient=recipient,
                           holdUntil=hold)  # fmt: skip
        (await gql(RECORD, {"i": entry, "r": "Order"}, token=admin)).ok()
    ask = 'mutation { submitInviteePrivacyRequest(email: "ivy@example.com", kind: ACCESS) }'
    (await gql(ask)).ok()
    code = await mailed_code("ivy@example.com")
    confirm = "mutation($t: String!) { confirmPrivacyRequest(token: $t) { id } }"
    rid = (await gql(confirm, {"t": code})).ok()["confirmPrivacyRequest"]["id"]
    update = """mutation($id: ID!, $s: PrivacyRequestStatus!, $r: String) {
      updatePrivacyRequest(id: $id, status: $s, reason: $r) { status } }"""
    (await gql(update, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    (await gql(update, {"id": rid, "s": "COMPLETED", "r": "Sent"}, token=admin)).ok()
    report = await MailMessage.get(to="ivy@example.com", kind="PRIVACY_REPORT")
    assert "Grand Court" in report.body and "Production order" in report.body
    assert "Tax Office" not in report.body
