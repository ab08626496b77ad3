import strawberry

from resolvers.event_type import _data
from resolvers.ids import parse_id
from schema.context import Info
from schema.event_type import EventTypeInput, EventTypeType
from schema.team import Assignment, TeamRole, TeamType
from services import teams


async def my_teams(info: Info) -> list[TeamType]:
    user = info.context.require_user()
    return [TeamType.from_view(view) for view in await teams.mine(user)]


async def create_team(info: Info, name: str, slug: str) -> TeamType:
    user = info.context.require_user()
    team = await teams.create(user, name, slug)
    return TeamType.from_view(await teams.view(team, user))


async def invite_team_member(
    info: Info, team_id: strawberry.ID, email: str, role: TeamRole | None = TeamRole.MEMBER
) -> bool:
    user = info.context.require_user()
    chosen = (role or TeamRole.MEMBER).value
    return await teams.invite(user, parse_id(team_id, "Team"), email, chosen)


async def accept_team_invite(info: Info, token: str) -> TeamType:
    user = info.context.require_user()
    team = await teams.accept(user, token)
    return TeamType.from_view(await teams.view(team, user))


async def remove_team_member(info: Info, team_id: strawberry.ID, user_id: strawberry.ID) -> bool:
    user = info.context.require_user()
    return await teams.remove(user, parse_id(team_id, "Team"), parse_id(user_id, "Team member"))


async def create_team_event_type(
    info: Info,
    team_id: strawberry.ID,
    input: EventTypeInput,
    assignment: Assignment,
    host_ids: list[strawberry.ID],
) -> EventTypeType:
    user = info.context.require_user()
    hosts = [parse_id(h, "Team member") for h in host_ids]
    row = await teams.create_event_type(
        user, parse_id(team_id, "Team"), _data(input), assignment.value, hosts
    )
    return EventTypeType.from_model(row)
