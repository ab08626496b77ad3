"""Teams: members with roles, e-mailed invitations, and the team's event types.

Roles: the OWNER (the creator; a team always keeps one) and ADMINs invite, remove and create team
event types; a MEMBER may only leave. Anyone not in a team gets NOT_FOUND for it. An invitation
token is random, stored only as its SHA-256, valid for INVITATION_VALIDITY, spent by one
conditional UPDATE, and accepted only by the signed-in account whose verified address was
invited (an address without an account: after sign-up and verification)."""

import re
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, Conflict, Forbidden, NotFound
from models.event_type import EventType
from models.team import (
    ADMIN,
    ASSIGNMENTS,
    MEMBER,
    OWNER,
    ROLES,
    EventTypeHost,
    Team,
    TeamInvitation,
    TeamMember,
)
from models.user import User
from services import changes, event_types, team_bookings
from services.bookings import lock_hosts
from services.clock import utcnow
from services.event_types import EventTypeData
from services.mail import outbox as mail
from services.mail import runtime
from services.tokens import new_token, token_hash

SLUG = re.compile(r"[a-z0-9-]{3,40}")
INVITATION_VALIDITY = timedelta(days=7)
MANAGERS = (OWNER, ADMIN)
INVALID = "This invitation is invalid, used or expired; ask for a new one."


@dataclass(frozen=True, slots=True)
class Member:
    user: User
    role: str


@dataclass(frozen=True, slots=True)
class TeamView:
    team: Team
    members: list[Member]
    viewer_role: str  # the caller's role: the OWNER sees members' e-mails


async def create(owner: User, name: str, slug: str) -> Team:
    name = validation.text(name, field="name", max_length=200)
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise BadUserInput("slug", "use 3 to 40 lower-case letters, digits and hyphens")
    try:
        async with in_transaction():
            team = await Team.create(name=name, slug=slug)
            await TeamMember.create(team=team, user=owner, role=OWNER)
    except IntegrityError:
        raise Conflict("This team slug is taken.", field="slug") from None
    return team


async def _membership(team_id: int, user: User) -> TeamMember:
    member = await TeamMember.get_or_none(team_id=team_id, user_id=user.id)
    if member is None:
        raise NotFound("Team")
    return member


async def _manager(team_id: int, user: User) -> TeamMember:
    member = await _membership(team_id, user)
    if member.role not in MANAGERS:
        raise Forbidden("Only the team's owner and admins may do this.")
    return member


async def view(team: Team, viewer: User) -> TeamView:
    rows = await TeamMember.filter(team_id=team.id).select_related("user").order_by("id")
    role = next((r.role for r in rows if r.user_id == viewer.id), MEMBER)
    return TeamView(team, [Member(r.user, r.role) for r in rows], role)


async def mine(user: User) -> list[TeamView]:
    teams = await Team.filter(members__user_id=user.id).order_by("id")
    return [await view(team, user) for team in teams]


async def invite(inviter: User, team_id: int, email: str, role: str = MEMBER) -> bool:
    member = await _manager(team_id, inviter)
    if role not in ROLES:
        raise BadUserInput("role", f"must be one of {', '.join(ROLES)}")
    if role == OWNER and member.role != OWNER:
        raise Forbidden("Only an owner may invite another owner.")
    address = validation.email_address(email)
    if await TeamMember.filter(team_id=team_id, user__email=address).exists():
        raise Conflict("This person is a member already.", field="email")
    team = await Team.get(id=team_id)
    token = new_token("bnm_t")
    url = f"{runtime.base_url()}/teams/accept?token={token}"
    async with in_transaction():
        await TeamInvitation.create(
            team_id=team_id,
            email=address,
            role=role,
            token_hash=token_hash(token),
            expires_at=utcnow() + INVITATION_VALIDITY,
            invited_by_id=inviter.id,
        )
        await mail.queue(
            to=address,
            kind="TEAM_INVITATION",
            subject=f"{inviter.name} invites you to the team {team.name} on Book N Meet",
            template="team_invitation",
            inviter=inviter.name,
            team=team.name,
            role=role,
            days=INVITATION_VALIDITY.days,
            link=mail.Link("Join the team", url),
        )
    return True


async def accept(user: User, token: str) -> Team:
    digest = token_hash(token.strip())
    invitation = await TeamInvitation.get_or_none(token_hash=digest)
    if invitation is None or invitation.accepted_at is not None:
        raise BadUserInput("token", INVALID)
    now = utcnow()
    if invitation.expires_at <= now:
        raise BadUserInput("token", INVALID)
    if invitation.email != user.email or user.email_verified_at is None:
        # Left unspent: the invited person can still use it.
        raise Forbidden("This invitation is for another address, or yours is not verified yet.")
    async with in_transaction():
        spent = await TeamInvitation.filter(
            id=invitation.id, accepted_at=None, expires_at__gt=now
        ).update(accepted_at=now)
        if not spent:
            raise BadUserInput("token", INVALID)
        team_id = invitation.team_id
        if not await TeamMember.filter(team_id=team_id, user_id=user.id).exists():
            await TeamMember.create(team_id=team_id, user_id=user.id, role=invitation.role)
    return await Team.get(id=invitation.team_id)


async def remove(actor: User, team_id: int, user_id: int) -> bool:
    acting = await _membership(team_id, actor)
    target = await TeamMember.get_or_none(team_id=team_id, user_id=user_id)
    if target is None:
        raise NotFound("Team member")
    if user_id != actor.id:
        if acting.role not in MANAGERS:
            raise Forbidden("Only the team's owner and admins may remove members.")
        if target.role == OWNER and acting.role != OWNER:
            raise Forbidden("Only an owner may remove an owner.")
    if target.role == OWNER and await TeamMember.filter(team_id=team_id, role=OWNER).count() == 1:
        raise Conflict("A team keeps at least one owner: make another member owner first.")
    await leave(team_id, user_id)
    return True


async def leave(team_id: int, user_id: int) -> None:
    """Removes the member (removal or erasure): they stop hosting the team's event types, and
    their future team bookings go to another free host (ROUND_ROBIN) or are cancelled with
    notice (COLLECTIVE), in one transaction."""
    type_ids = await EventType.filter(team_id=team_id).values_list("id", flat=True)
    hosts = await EventTypeHost.filter(event_type_id__in=type_ids).values_list("user_id", flat=True)

    async def attempt() -> None:
        async with in_transaction():
            await lock_hosts({user_id, *hosts})
            await EventTypeHost.filter(event_type_id__in=type_ids, user_id=user_id).delete()
            await team_bookings.release_host(type_ids, user_id)
            await TeamMember.filter(team_id=team_id, user_id=user_id).delete()
            for type_id in type_ids:
                await changes.availability_changed_of(type_id)
            await changes.public_data_changed()

    await team_bookings.retrying(attempt)


async def leave_all(user_id: int) -> None:
    """Erasure: the person leaves every team first (their team bookings handed on or cancelled);
    a team they were the only owner of passes to its longest-standing member, or ends."""
    for team_id in await TeamMember.filter(user_id=user_id).values_list("team_id", flat=True):
        owners = await TeamMember.filter(team_id=team_id, role=OWNER).exclude(user_id=user_id)
        if not owners:
            heir = (
                await TeamMember.filter(team_id=team_id)
                .exclude(user_id=user_id)
                .order_by("id")
                .first()
            )
            if heir is not None:
                await TeamMember.filter(id=heir.id).update(role=OWNER)
                await EventType.filter(team_id=team_id).update(host_id=heir.user_id)
        await leave(team_id, user_id)
        if not await TeamMember.filter(team_id=team_id).exists():
            await Team.filter(id=team_id).delete()  # its event types and invitations with it


async def create_event_type(
    creator: User, team_id: int, data: EventTypeData, assignment: str, host_ids: list[int]
) -> EventType:
    await _manager(team_id, creator)
    if assignment not in ASSIGNMENTS:
        raise BadUserInput("assignment", f"must be one of {', '.join(ASSIGNMENTS)}")
    if data.seats_per_slot not in (None, 1):
        raise BadUserInput("seatsPerSlot", "a team event type has one seat per slot")
    if not host_ids:
        raise BadUserInput("hostIds", "name at least one host")
    members = set(await TeamMember.filter(team_id=team_id).values_list("user_id", flat=True))
    if not set(host_ids) <= members:
        raise BadUserInput("hostIds", "every host must be a member of the team")
    owner = await TeamMember.filter(team_id=team_id, role=OWNER).order_by("id").first()
    if owner is None:  # a team keeps at least one owner; never a silent None
        raise NotFound("Team")
    row = await event_types.create(
        await User.get(id=owner.user_id),
        data,
        team_id=team_id,
        assignment=assignment,
        host_ids=sorted(set(host_ids)),
    )
    return row


async def hosts_of_event_type(event_type: EventType) -> list[User]:
    """The hosts of a team event type (by id); of a personal one, its host."""
    if event_type.team_id is None:
        return [await User.get(id=event_type.host_id)]
    return await User.filter(hosted_team_event_types__event_type_id=event_type.id).order_by("id")


async def team_of(event_type: EventType) -> Team | None:
    return None if event_type.team_id is None else await Team.get_or_none(id=event_type.team_id)
