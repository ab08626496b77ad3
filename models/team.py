from tortoise import fields
from tortoise.models import Model

from models.event_type import EventType
from models.user import User

OWNER, ADMIN, MEMBER = "OWNER", "ADMIN", "MEMBER"
ROLES = (OWNER, ADMIN, MEMBER)
ROUND_ROBIN, COLLECTIVE = "ROUND_ROBIN", "COLLECTIVE"
ASSIGNMENTS = (ROUND_ROBIN, COLLECTIVE)


class Team(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=40, unique=True)  # [a-z0-9-], 3 to 40
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "teams"


class TeamMember(Model):
    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="members", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="team_memberships", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=16, default=MEMBER)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "team_members"
        unique_together = (("team", "user"),)


# An e-mailed invitation: only the token's SHA-256 is stored; it is spent by one conditional
# UPDATE (accepted_at), and refused after expires_at.
class TeamInvitation(Model):
    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="invitations", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=320, db_index=True)  # stored lower-cased
    role = fields.CharField(max_length=16, default=MEMBER)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="team_invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "team_invitations"


# The hosts of a team event type (its `host` is the team owner's row, for the public page).
class EventTypeHost(Model):
    id = fields.IntField(primary_key=True)
    event_type: fields.ForeignKeyRelation[EventType] = fields.ForeignKeyField(
        "models.EventType", related_name="team_hosts", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="hosted_team_event_types", on_delete=fields.CASCADE
    )

    class Meta:
        table = "event_type_hosts"
        unique_together = (("event_type", "user"),)
