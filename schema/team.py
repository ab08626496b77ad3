from enum import Enum

import strawberry

from models.team import OWNER
from services.teams import TeamView


@strawberry.enum(name="TeamRole")
class TeamRole(Enum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


@strawberry.enum(name="Assignment")
class Assignment(Enum):
    ROUND_ROBIN = "ROUND_ROBIN"
    COLLECTIVE = "COLLECTIVE"


@strawberry.type(name="TeamMember")
class TeamMemberType:
    user_id: strawberry.ID
    name: str
    role: TeamRole
    email: str | None


@strawberry.type(name="Team")
class TeamType:
    id: strawberry.ID
    name: str
    slug: str
    members: list[TeamMemberType]

    @classmethod
    def from_view(cls, view: TeamView) -> "TeamType":
        # Members see each other's names; the owner also sees their (employer-provided) e-mails.
        owner = view.viewer_role == OWNER
        return cls(
            id=strawberry.ID(str(view.team.id)),
            name=view.team.name,
            slug=view.team.slug,
            members=[
                TeamMemberType(
                    user_id=strawberry.ID(str(m.user.id)),
                    name=m.user.name,
                    role=TeamRole(m.role),
                    email=m.user.email if owner else None,
                )
                for m in view.members
            ],
        )
