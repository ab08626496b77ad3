"""Building teams through the API, for the tests of teams: members join by the e-mailed
invitation, as people would."""

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from models.privacy import MailMessage

CREATE_TEAM = """mutation($n: String!, $s: String!) {
  createTeam(name: $n, slug: $s) { id name slug members { userId name role email } } }"""
INVITE = """mutation($t: ID!, $e: String!, $r: TeamRole) {
  inviteTeamMember(teamId: $t, email: $e, role: $r) }"""
ACCEPT = """mutation($k: String!) { acceptTeamInvite(token: $k) {
  id members { userId name role email } } }"""
REMOVE = "mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }"
TEAMS = "{ teams { id name slug members { userId name role email } } }"
CREATE_TEAM_TYPE = """mutation($t: ID!, $i: EventTypeInput!, $a: Assignment!, $h: [ID!]!) {
  createTeamEventType(teamId: $t, input: $i, assignment: $a, hostIds: $h) {
    id assignment host { name timeZone } hosts { name } } }"""
WEEKLY = """mutation($tz: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $tz, rules: $rules) { timeZone } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start seatsLeft } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) {
  id start status hosts { name timeZone } } }"""

EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
NINE_TO_FIVE = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in EVERY_DAY]

Post = Callable[..., Awaitable[Any]]


def day(offset: int = 3) -> datetime:
    """Midnight UTC `offset` days from now."""
    today = datetime.now(UTC).date() + timedelta(days=offset)
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def at(hour: int, minute: int = 0, offset: int = 3) -> str:
    return (day(offset) + timedelta(hours=hour, minutes=minute)).isoformat()


async def invitation_token(address: str) -> str:
    message = await MailMessage.filter(to=address, kind="TEAM_INVITATION").order_by("-id").first()
    assert message is not None, f"no invitation mailed to {address}"
    match = re.search(r"token=(\S+)", message.body)
    assert match, message.body
    return match.group(1)


async def join(post: Post, owner: str, team_id: str, member: tuple[str, str], role: str = "MEMBER"):
    """`member` (token, address) joins the team by the invitation the owner mails."""
    token, address = member
    (await post(INVITE, {"t": team_id, "e": address, "r": role}, owner)).ok()
    key = await invitation_token(address)
    return (await post(ACCEPT, {"k": key}, token)).ok()["acceptTeamInvite"]


def booking(type_id: str, start: str, n: int) -> dict[str, Any]:
    return {
        "i": {
            "eventTypeId": type_id,
            "start": start,
            "name": f"Guest {n}",
            "email": f"guest{n}@example.com",
        }
    }
