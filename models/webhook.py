from tortoise import fields
from tortoise.models import Model

from models.user import User


class Webhook(Model):
    id = fields.IntField(primary_key=True)
    host: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhooks", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    secret = fields.CharField(max_length=100)  # HMAC key, shown once at registration
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhooks"


class WebhookDelivery(Model):
    id = fields.IntField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event = fields.CharField(max_length=40)
    payload = fields.JSONField()
    status = fields.CharField(max_length=16, default="PENDING")  # PENDING, DELIVERED, FAILED
    attempts = fields.IntField(default=0)
    last_status_code = fields.IntField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    next_attempt_at = fields.DatetimeField()
    claim_token = fields.CharField(max_length=32, null=True)
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_deliveries"
        indexes = (("status", "next_attempt_at"),)
