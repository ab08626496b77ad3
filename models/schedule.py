from tortoise import fields
from tortoise.models import Model

from models.user import User


class Schedule(Model):
    # A host's weekly working hours, as wall-clock rules in their zone (User.time_zone).
    id = fields.IntField(primary_key=True)
    host: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="schedule", on_delete=fields.CASCADE
    )
    weekly_rules = fields.JSONField(
        default=list
    )  # [{"weekday": 0, "start": "09:00", "end": "17:00"}]
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "schedules"


class DateOverride(Model):
    id = fields.IntField(primary_key=True)
    host: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="date_overrides", on_delete=fields.CASCADE
    )
    date = fields.DateField()
    intervals = fields.JSONField(default=list)  # [["09:00", "12:00"]]; [] = day off

    class Meta:
        table = "date_overrides"
        unique_together = (("host", "date"),)
