"""Staff handling of privacy requests is audited; a suspended host offers no slots."""

import json

from models.user import User

WEEKLY = """mutation { setWeeklyAvailability(timeZone: "UTC", rules: [
  {weekday: MONDAY, start: "09:00", end: "17:00"}]) { timeZone } }"""
CREATE = (
    """mutation { createEventType(input: {title: "T", slug: "t", durationMinutes: 30}) { id } }"""
)
SLOTS = """query($id: ID!) { availableSlots(eventTypeId: $id, start: "2030-01-07T00:00:00+00:00",
  end: "2030-01-08T00:00:00+00:00") { start } }"""


async def test_updating_a_privacy_request_is_audited_in_the_persons_my_data(gql, sign_up):
    member, _ = await sign_up(email="member@example.com", name="Member")
    admin, _ = await sign_up(email="staff@example.com", name="Staff")
    await User.filter(email="staff@example.com").update(role="admin")
    request = await gql("mutation { submitPrivacyRequest(kind: ACCESS) { id } }", token=member)
    request_id = request.ok()["submitPrivacyRequest"]["id"]
    (await gql("{ adminPrivacyRequests { id } }", token=admin)).ok()
    move = """mutation($id: ID!) {
      updatePrivacyRequest(id: $id, status: IN_PROGRESS, reason: "looking") { status } }"""
    (await gql(move, {"id": request_id}, token=admin)).ok()
    mine = json.dumps((await gql("{ myData }", token=member)).ok()["myData"])
    assert "PRIVACY_REQUEST_IN_PROGRESS" in mine and "READ_PRIVACY_REQUESTS" in mine


async def test_a_suspended_hosts_slots_are_closed_and_reopen_on_reinstatement(gql, sign_up):
    host, user = await sign_up(email="host@example.com", name="Host")
    admin, _ = await sign_up(email="staff@example.com", name="Staff")
    await User.filter(email="staff@example.com").update(role="admin")
    (await gql(WEEKLY, token=host)).ok()
    type_id = (await gql(CREATE, token=host)).ok()["createEventType"]["id"]
    assert len((await gql(SLOTS, {"id": type_id})).ok()["availableSlots"]) == 16
    suspend = 'mutation($id: ID!) { suspendUser(id: $id, reason: "spam") { id } }'
    (await gql(suspend, {"id": user["id"]}, token=admin)).ok()
    assert (await gql(SLOTS, {"id": type_id})).codes == ["NOT_FOUND"]
    reinstate = 'mutation($id: ID!) { reinstateUser(id: $id, reason: "appeal") { id } }'
    (await gql(reinstate, {"id": user["id"]}, token=admin)).ok()
    assert len((await gql(SLOTS, {"id": type_id})).ok()["availableSlots"]) == 16
