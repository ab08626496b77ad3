from tortoise import fields
from tortoise.models import Model

from models.booking import Booking


class Reminder(Model):
    # Claimed exactly once, by an atomic UPDATE that sets claim_token (several workers race).
    id = fields.IntField(primary_key=True)
    booking: fields.ForeignKeyRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="reminders", on_delete=fields.CASCADE
    )
    offset_minutes = fields.IntField()
    due_at = fields.DatetimeField()
    claim_token = fields.CharField(max_length=32, null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reminders"
        indexes = (("claim_token", "due_at"),)
