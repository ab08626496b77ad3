from tortoise import fields
from tortoise.models import Model

from models.user import User


class Notification(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=40)
    message = fields.TextField()
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"),)


class OutboxEvent(Model):
    # Written in the transaction of the change it describes; published only after it commits.
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=100)
    payload = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_events"


class JobLease(Model):
    # A background job that must run once per interval across all workers: whoever moves
    # `until` forward (or creates the row) runs it; the others skip that round.
    name = fields.CharField(max_length=60, primary_key=True)
    until = fields.DatetimeField()

    class Meta:
        table = "job_leases"
