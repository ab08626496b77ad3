"""Inquiries: anyone may write (limited per e-mail), staff reply and close, the signed-in author
sees replies; listing them is audited; members are refused the staff side."""

from models.governance import AuditEntry, Inquiry, InquiryReply
from models.notification import Notification
from models.privacy import MailMessage
from models.user import User

FIELDS = "id email subject message status closedAt replies { body }"
SUBMIT = f"""mutation($e: String!, $s: String!, $m: String!) {{
  submitInquiry(email: $e, subject: $s, message: $m) {{ {FIELDS} }} }}"""
REPLY = f"""mutation($id: ID!, $b: String!, $c: Boolean) {{
  replyToInquiry(id: $id, body: $b, close: $c) {{ {FIELDS} }} }}"""
CLOSE = f"""mutation($id: ID!) {{ closeInquiry(id: $id) {{ {FIELDS} }} }}"""
MINE = f"{{ myInquiries {{ {FIELDS} }} }}"
ADMIN = f"{{ adminInquiries {{ {FIELDS} }} }}"


async def test_inquiries_from_author_to_staff_and_back(gql, sign_up):
    admin, _ = await sign_up(email="staff@example.com", name="Staff")
    await User.filter(email="staff@example.com").update(role="admin")
    token, me = await sign_up(email="asker@example.com", name="Asker")

    variables = {"e": "asker@example.com", "s": "Invoice", "m": "Where is it?"}
    mine = (await gql(SUBMIT, variables, token=token)).ok()["submitInquiry"]
    anon = {"e": "guest@example.com", "s": "Hello", "m": "Who are you?"}
    guest = (await gql(SUBMIT, anon)).ok()["submitInquiry"]
    assert (mine["status"], guest["status"]) == ("OPEN", "OPEN")

    for query, variables in ((ADMIN, None), (CLOSE, {"id": guest["id"]}),
                             (REPLY, {"id": mine["id"], "b": "x"})):  # fmt: skip
        assert (await gql(query, variables, token=token)).codes == ["FORBIDDEN"]

    listed = (await gql(ADMIN, token=admin)).ok()["adminInquiries"]
    assert [i["subject"] for i in listed] == ["Invoice", "Hello"]
    replied = await gql(REPLY, {"id": mine["id"], "b": "Sent today", "c": True}, token=admin)
    assert replied.ok()["replyToInquiry"]["status"] == "CLOSED"
    (await gql(REPLY, {"id": guest["id"], "b": "We are Book N Meet"}, token=admin)).ok()
    assert (await gql(REPLY, {"id": mine["id"], "b": "more"}, token=admin)).codes == ["CONFLICT"]
    assert (await gql(CLOSE, {"id": guest["id"]}, token=admin)).ok()["closeInquiry"]["closedAt"]

    seen = (await gql(MINE, token=token)).ok()["myInquiries"]
    assert [(i["subject"], i["replies"]) for i in seen] == [("Invoice", [{"body": "Sent today"}])]
    assert await Notification.filter(user_id=me["id"], kind="INQUIRY_REPLY").count() == 1
    assert await MailMessage.filter(to="guest@example.com").count() == 1
    actions = await AuditEntry.filter(subject_id=me["id"]).values_list("action", flat=True)
    assert sorted(actions) == ["READ_INQUIRIES", "REPLY_INQUIRY"]
    data = (await gql("{ myData }", token=token)).ok()["myData"]["data"]
    assert [i["subject"] for i in data["inquiries"]] == ["Invoice"]
    assert [r["body"] for r in data["inquiryReplies"]] == ["Sent today"]


async def test_bad_or_excessive_inquiries_write_nothing(gql):
    for variables in (
        {"e": "not-an-address", "s": "s", "m": "m"},
        {"e": "a@example.com", "s": " ", "m": "m"},
        {"e": "a@example.com", "s": "s", "m": ""},
    ):
        assert (await gql(SUBMIT, variables)).codes == ["BAD_USER_INPUT"]
    assert await Inquiry.all().count() == 0
    variables = {"e": "a@example.com", "s": "s", "m": "m"}
    for _ in range(5):
        (await gql(SUBMIT, variables)).ok()
    assert (await gql(SUBMIT, variables)).codes == ["RATE_LIMITED"]
    assert await Inquiry.all().count() == 5
    assert await InquiryReply.all().count() == 0
