from tortoise import fields
from tortoise.models import Model

from models.event_type import EventType
from models.user import User


# A slot kept for someone filling in the booking form, until `expires_at`. It takes one seat of
# its slot (and the host's time, for their other event types) like a booking does.
class SlotHold(Model):
    id = fields.IntField(primary_key=True)
    event_type: fields.ForeignKeyRelation[EventType] = fields.ForeignKeyField(
        "models.EventType", related_name="holds", on_delete=fields.CASCADE
    )
    host: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="slot_holds", on_delete=fields.CASCADE
    )
    start = fields.DatetimeField()
    end = fields.DatetimeField()
    busy_start = fields.DatetimeField()
    busy_end = fields.DatetimeField()
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "slot_holds"
        indexes = (("host_id", "busy_start"),)
