from tortoise import fields
from tortoise.models import Model

from models.user import User


def default_reminders() -> list[int]:
    """Minutes before a confirmed meeting: a day before, and an hour before."""
    return [1440, 60]


class EventType(Model):
    id = fields.IntField(primary_key=True)
    host: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="event_types", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=100)
    description = fields.TextField(null=True)
    duration_minutes = fields.IntField()
    location_kind = fields.CharField(max_length=16, default="OTHER")
    location = fields.CharField(max_length=500, null=True)
    buffer_before_minutes = fields.IntField(default=0)
    buffer_after_minutes = fields.IntField(default=0)
    minimum_notice_minutes = fields.IntField(default=0)
    slot_interval_minutes = fields.IntField(null=True)
    max_bookings_per_day = fields.IntField(null=True)
    requires_confirmation = fields.BooleanField(default=False)
    horizon_days = fields.IntField(null=True)
    reminder_offsets_minutes = fields.JSONField(default=default_reminders)
    # Scheduling II: booking questions ([{"key", "label", "kind", "required", "options"}]), seats
    # per slot, weekly (ISO week) and monthly limits in the host's zone, cancellation notice.
    questions = fields.JSONField(default=list)
    seats_per_slot = fields.IntField(default=1)
    max_bookings_per_week = fields.IntField(null=True)
    max_bookings_per_month = fields.IntField(null=True)
    minimum_cancel_notice_minutes = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    # A team event type: its hosts are in event_type_hosts, `host` is the team's owner (whose
    # zone the public page shows); `assignment` is ROUND_ROBIN or COLLECTIVE. Null: personal.
    team: fields.ForeignKeyNullableRelation["Team"] = fields.ForeignKeyField(  # noqa: F821
        "models.Team", related_name="event_types", null=True, on_delete=fields.CASCADE
    )
    assignment = fields.CharField(max_length=16, null=True)
    # Issue #21: off the public booking pages for now, like a paused link; not `active` (retired).
    hidden = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "event_types"
        unique_together = (("host", "slug"),)
