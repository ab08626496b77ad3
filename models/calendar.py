from tortoise import fields
from tortoise.models import Model

from models.user import User


class LinkedCalendar(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="calendars", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    url_encrypted = fields.TextField()  # a secret: Fernet-encrypted, never returned or logged
    status = fields.CharField(max_length=16, default="OK")  # OK, ERROR
    last_synced_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    etag = fields.CharField(max_length=500, null=True)
    last_modified = fields.CharField(max_length=100, null=True)
    fingerprint = fields.CharField(max_length=64, null=True)
    failures = fields.IntField(default=0)
    next_sync_at = fields.DatetimeField(null=True)
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "linked_calendars"


class CalendarBusy(Model):
    # Busy time only: no titles, descriptions or guests are ever stored.
    id = fields.IntField(primary_key=True)
    calendar: fields.ForeignKeyRelation[LinkedCalendar] = fields.ForeignKeyField(
        "models.LinkedCalendar", related_name="busy", on_delete=fields.CASCADE
    )
    owner_id = fields.IntField(db_index=True)
    start = fields.DatetimeField()
    end = fields.DatetimeField()

    class Meta:
        table = "calendar_busy"
        indexes = (("owner_id", "start"),)


class CalendarFeed(Model):
    # A host's private export feed of their bookings: only the token's hash is stored.
    id = fields.IntField(primary_key=True)
    owner: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="calendar_feed", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "calendar_feeds"
