from tortoise import fields
from tortoise.models import Model

from models.user import User


class Consent(Model):
    # The current choice per purpose; every change is also appended to ConsentEvent.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="consents", on_delete=fields.CASCADE
    )
    purpose = fields.CharField(max_length=32)
    granted = fields.BooleanField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "consents"
        unique_together = (("user", "purpose"),)


class ConsentEvent(Model):
    # Append-only history of consent choices.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="consent_events", on_delete=fields.CASCADE
    )
    purpose = fields.CharField(max_length=32)
    granted = fields.BooleanField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "consent_events"


class PrivacyRequest(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="privacy_requests", null=True, on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=320, null=True)  # an invitee without an account
    kind = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16, default="RECEIVED")
    details = fields.TextField(null=True)
    # CORRECTION by an invitee: the corrected booking details ({"name", "timeZone"}).
    correction = fields.JSONField(null=True)
    resolution = fields.TextField(null=True)
    confirm_token_hash = fields.CharField(max_length=64, null=True, unique=True)
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    due_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "privacy_requests"


class Activity(Model):
    # Technical activity (pages viewed, searches): only with performance consent.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="activities", on_delete=fields.CASCADE
    )
    path = fields.CharField(max_length=500)
    search = fields.CharField(max_length=500, null=True)
    ip_prefix = fields.CharField(max_length=64, null=True)  # truncated: /24 or /48
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activities"


class MailMessage(Model):
    # The mail outbox: written in the transaction of the change that causes it, sent after commit
    # by the "mail" job (services/mail/delivery.py), which claims rows with a conditional UPDATE.
    # Without MAIL_URL it is the dev mailbox (GET /dev/mailbox): rows are kept, never sent.
    id = fields.IntField(primary_key=True)
    to = fields.CharField(max_length=320)
    to_name = fields.CharField(max_length=200, null=True)
    # The account it was sent for (an address check), if any: erased with the account even
    # while the address is unverified and so possibly someone else's.
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="mail", null=True, on_delete=fields.CASCADE
    )
    # The booking a message is about: erasing its person deletes the message, which names them
    # (the host's copy included).
    booking_id = fields.IntField(null=True, db_index=True)
    kind = fields.CharField(max_length=40, default="NOTICE")
    subject = fields.CharField(max_length=200)
    # The parts; emptied (body "") a few days after sending (services/mail/retention).
    body = fields.TextField()
    html = fields.TextField(null=True)
    calendar = fields.TextField(null=True)  # an iTIP object (text/calendar)
    calendar_method = fields.CharField(max_length=16, null=True)
    message_id = fields.CharField(max_length=200, null=True)
    status = fields.CharField(max_length=16, default="PENDING")  # PENDING SENT KEPT FAILED
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    claim_token = fields.CharField(max_length=32, null=True)
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mail_messages"
        indexes = (("status", "next_attempt_at"),)


class DataExport(Model):
    # A one-time, short-lived download of everything held about a user (portability).
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="data_exports", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
