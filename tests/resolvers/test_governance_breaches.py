"""Breaches: owed to each supervisory authority by its own deadline (ICO 72 hours, the Cayman
Islands Ombudsman 120); the report's content is recorded and exported, and a report is filed
only with it; a high-risk one tells exactly the people affected — accounts by notification and
e-mail, addresses by e-mail — a low-risk one nobody; bad input writes nothing."""

from datetime import UTC, datetime, timedelta

from domain.regulators import ICO, OMBUDSMAN, REGULATORS
from models.governance import AuditEntry, Breach, BreachContact, BreachFiling, BreachVictim
from models.notification import Notification
from models.privacy import MailMessage
from models.user import User
from schema.rights import RegulatorKey

RECORD = """mutation($d: String!, $at: DateTime!, $ids: [ID!]!, $r: BreachRisk!,
    $emails: [String!], $regs: [RegulatorKey!], $report: BreachReportInput) {
  recordBreach(description: $d, detectedAt: $at, affectedUserIds: $ids, risk: $r,
      affectedEmails: $emails, regulators: $regs, report: $report) {
    id risk detectedAt reportDeadline reported reportedAt overdue affectedCount
    dataCategories approximateSubjects approximateRecords likelyConsequences measures
    filings { regulator regulatorName deadline reportedAt overdue } } }"""
REPORTED = """mutation($id: ID!, $reg: RegulatorKey) {
  markBreachReported(id: $id, regulator: $reg) {
  reported reportedAt overdue reportDeadline filings { regulator reportedAt } } }"""
UPDATE = """mutation($id: ID!, $report: BreachReportInput!) {
  updateBreachReport(id: $id, report: $report) {
    dataCategories approximateSubjects approximateRecords likelyConsequences measures } }"""
EXPORT = "query($id: ID!) { breachReport(id: $id) }"
LIST = "{ adminBreaches { id risk affectedCount reported overdue } }"
REPORT = {
    "dataCategories": ["contact", "booking"],
    "approximateRecords": 120,
    "likelyConsequences": "Phishing e-mails naming a past meeting.",
    "measures": "The bucket is private again; keys rotated.",
}


async def setup(sign_up):
    admin, _ = await sign_up(email="staff@example.com", name="Staff")
    await User.filter(email="staff@example.com").update(role="admin")
    users = [await sign_up(email=f"u{i}@example.com", name=f"U{i}") for i in range(4)]
    return admin, users


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def at(hours_ago: float) -> str:
    return (datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)).isoformat()


def test_the_graphql_regulator_keys_are_the_domain_s():
    assert [k.value for k in RegulatorKey] == [r.key for r in REGULATORS]


async def test_a_breach_is_owed_to_every_regulator_by_its_own_deadline(gql, sign_up):
    admin, users = await setup(sign_up)
    detected = parse(at(2))
    variables = {"d": "Backup bucket was public", "at": detected.isoformat(),
                 "ids": [users[0][1]["id"]], "r": "LOW"}  # fmt: skip
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    filings = {f["regulator"]: f for f in breach["filings"]}
    assert parse(filings["ICO"]["deadline"]) == detected + timedelta(hours=72)
    assert parse(filings["OMBUDSMAN"]["deadline"]) == detected + timedelta(hours=120)
    assert filings["OMBUDSMAN"]["regulatorName"] == OMBUDSMAN.name
    assert [f["regulator"] for f in breach["filings"]] == ["ICO", "OMBUDSMAN"]  # earliest first
    # The breach's own deadline is the earliest one still open.
    assert parse(breach["reportDeadline"]) == detected + timedelta(hours=ICO.breach_report_hours)
    assert (breach["reported"], breach["overdue"]) == (False, False)

    # Filing needs the report's content (Art. 33(3)); refused, nothing changes.
    refused = await gql(REPORTED, {"id": breach["id"], "reg": "ICO"}, token=admin)
    assert refused.codes == ["CONFLICT"] and "measures" in refused.errors[0]["message"]
    assert await BreachFiling.filter(reported_at__isnull=False).count() == 0

    updated = (await gql(UPDATE, {"id": breach["id"], "report": REPORT}, token=admin)).ok()
    assert updated["updateBreachReport"] == {
        "dataCategories": ["booking", "contact"], "approximateSubjects": 1,
        "approximateRecords": 120, "likelyConsequences": REPORT["likelyConsequences"],
        "measures": REPORT["measures"],
    }  # fmt: skip

    ico = (await gql(REPORTED, {"id": breach["id"], "reg": "ICO"}, token=admin)).ok()
    ico = ico["markBreachReported"]
    assert ico["reported"] is False and ico["reportedAt"] is None
    assert parse(ico["reportDeadline"]) == detected + timedelta(hours=120)  # the one still owed
    again = await gql(REPORTED, {"id": breach["id"], "reg": "ICO"}, token=admin)
    assert again.codes == ["CONFLICT"]

    rest = (await gql(REPORTED, {"id": breach["id"]}, token=admin)).ok()["markBreachReported"]
    assert rest["reported"] is True and rest["reportedAt"]
    assert all(f["reportedAt"] for f in rest["filings"])
    assert (await gql(REPORTED, {"id": breach["id"]}, token=admin)).codes == ["CONFLICT"]
    actions = await AuditEntry.filter(action="UPDATE_BREACH_REPORT").count()
    assert actions == 1


async def test_a_breach_owed_only_to_the_ombudsman_is_overdue_only_after_five_days(gql, sign_up):
    admin, _ = await setup(sign_up)
    for hours, overdue in ((100, False), (121, True)):
        variables = {"d": "Lost laptop", "at": at(hours), "ids": [], "r": "LOW",
                     "regs": ["OMBUDSMAN"]}  # fmt: skip
        breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
        assert [f["regulator"] for f in breach["filings"]] == ["OMBUDSMAN"]
        assert breach["overdue"] is overdue, hours
    (await gql(UPDATE, {"id": breach["id"], "report": REPORT}, token=admin)).ok()
    not_owed = await gql(REPORTED, {"id": breach["id"], "reg": "ICO"}, token=admin)
    assert not_owed.codes == ["BAD_USER_INPUT"] and "regulator" in not_owed.errors[0]["message"]
    assert await BreachFiling.filter(reported_at__isnull=False).count() == 0


async def test_a_high_risk_breach_tells_exactly_the_people_affected(gql, sign_up):
    admin, users = await setup(sign_up)
    affected = [users[0][1]["id"], users[2][1]["id"]]
    variables = {"d": "Backup bucket was public", "at": at(2), "ids": affected, "r": "HIGH",
                 "emails": [" Ivy@Example.com", "ivy@example.com", "carl@example.com"],
                 "report": REPORT}  # fmt: skip
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    assert breach["affectedCount"] == 4 and breach["approximateSubjects"] == 4

    notified = await Notification.filter(kind="DATA_BREACH").values_list("user_id", flat=True)
    assert sorted(map(str, notified)) == sorted(affected)
    mailed = sorted(await MailMessage.filter(kind="DATA_BREACH").values_list("to", flat=True))
    assert mailed == ["carl@example.com", "ivy@example.com", "u0@example.com", "u2@example.com"]
    notice = await MailMessage.get(kind="DATA_BREACH", to="ivy@example.com")
    for said in ("Backup bucket was public", REPORT["likelyConsequences"], REPORT["measures"],
                 "privacy@"):  # fmt: skip
        assert said in notice.body, said
    contacts = await BreachContact.filter(breach_id=int(breach["id"])).order_by("email")
    assert [(c.email, c.notified_at is not None) for c in contacts] == [
        ("carl@example.com", True), ("ivy@example.com", True)
    ]  # fmt: skip
    for token, user in users:
        data = (await gql("{ myData }", token=token)).ok()["myData"]["data"]
        assert bool(data.get("breaches")) == (user["id"] in affected)


async def test_a_low_risk_breach_tells_nobody_and_an_old_one_is_overdue(gql, sign_up):
    admin, users = await setup(sign_up)
    variables = {"d": "Log file with e-mails", "at": at(73), "ids": [u["id"] for _, u in users],
                 "r": "LOW", "emails": ["ivy@example.com"]}  # fmt: skip
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    assert breach["overdue"] is True
    assert [f["overdue"] for f in breach["filings"]] == [True, False]  # ICO yes, Ombudsman not
    assert await Notification.all().count() == 0
    assert await MailMessage.filter(kind="DATA_BREACH").count() == 0
    assert await BreachContact.filter(notified_at__isnull=False).count() == 0
    listed = (await gql(LIST, token=admin)).ok()["adminBreaches"]
    assert [(b["risk"], b["affectedCount"]) for b in listed] == [("LOW", 5)]


async def test_the_report_is_exported_as_one_document(gql, sign_up, settings):
    admin, users = await setup(sign_up)
    variables = {"d": "Backup bucket was public", "at": at(1), "ids": [users[1][1]["id"]],
                 "r": "HIGH", "emails": ["ivy@example.com"], "report": REPORT,
                 "regs": ["ICO"]}  # fmt: skip
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    (await gql(REPORTED, {"id": breach["id"]}, token=admin)).ok()
    document = (await gql(EXPORT, {"id": breach["id"]}, token=admin)).ok()["breachReport"]
    assert document["controller"] == {
        "name": settings.controller_name, "contact": settings.contact_email
    }  # fmt: skip
    assert document["nature"] == "Backup bucket was public"
    assert document["dataCategories"] == [
        {"category": "booking", "name": "Booking data"},
        {"category": "contact", "name": "Contact data"},
    ]
    assert (document["approximateSubjects"], document["approximateRecords"]) == (2, 120)
    assert document["likelyConsequences"] == REPORT["likelyConsequences"]
    assert document["measures"] == REPORT["measures"]
    assert document["peopleIdentified"] == {"accounts": 1, "addressesOnly": 1, "told": 2}
    [ico] = document["regulators"]
    assert ico["regulator"] == "ICO" and ico["name"] == ICO.name and ico["reportedAt"]
    # No one affected is named in the report.
    assert "ivy@example.com" not in str(document) and "u1@example.com" not in str(document)


async def test_bad_breach_input_writes_nothing(gql, sign_up):
    admin, users = await setup(sign_up)
    good = {"d": "x", "at": at(0), "ids": [users[0][1]["id"]], "r": "HIGH"}
    for change in (
        {"d": "  "},
        {"at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
        {"ids": [users[0][1]["id"], "999999"]},
        {"emails": ["not-an-address"]},
        {"regs": []},
        {"report": {"dataCategories": ["secrets"]}},
        {"report": {"approximateRecords": -1}},
        {"report": {"measures": "   "}},
    ):
        result = await gql(RECORD, {**good, **change}, token=admin)
        assert result.codes == ["BAD_USER_INPUT"], change
    assert (await Breach.all().count(), await BreachVictim.all().count()) == (0, 0)
    assert (await BreachFiling.all().count(), await BreachContact.all().count()) == (0, 0)
    assert await Notification.all().count() == 0
    assert await MailMessage.filter(kind="DATA_BREACH").count() == 0


async def test_only_staff_see_or_change_breaches(gql, sign_up):
    admin, users = await setup(sign_up)
    member = users[0][0]
    variables = {"d": "x", "at": at(1), "ids": [], "r": "LOW", "report": REPORT}
    breach = (await gql(RECORD, variables, token=admin)).ok()["recordBreach"]
    for query, values in (
        (RECORD, variables),
        (REPORTED, {"id": breach["id"]}),
        (UPDATE, {"id": breach["id"], "report": REPORT}),
        (EXPORT, {"id": breach["id"]}),
        (LIST, None),
    ):
        assert (await gql(query, values, token=member)).codes == ["FORBIDDEN"]
        assert (await gql(query, values)).codes == ["UNAUTHENTICATED"]
    for query in (REPORTED, EXPORT):
        assert (await gql(query, {"id": "999999"}, token=admin)).codes == ["NOT_FOUND"]
    assert await BreachFiling.filter(reported_at__isnull=False).count() == 0
