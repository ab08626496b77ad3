from tortoise import fields
from tortoise.models import Model

from models.booking import Booking
from models.user import User

ICS_FEED, CALDAV, GOOGLE, MICROSOFT = "ICS_FEED", "CALDAV", "GOOGLE", "MICROSOFT"


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
    kind = fields.CharField(max_length=16, default=ICS_FEED)
    writes_bookings = fields.BooleanField(default=False)
    # A secret: Fernet-encrypted JSON (CalDAV user and password, OAuth tokens).
    credentials_encrypted = fields.TextField(null=True)
    # Where incremental sync resumes: a CalDAV sync-token or ctag, Google's nextSyncToken,
    # Microsoft Graph's deltaLink.
    sync_token = fields.TextField(null=True)

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
    # Which resource of the calendar the interval came from (a hash of its href or event id), so
    # an incremental sync replaces only what changed; null for feeds, which are read whole.
    source = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "calendar_busy"
        indexes = (("owner_id", "start", "end"), ("calendar_id", "source"))


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


class CalendarWrite(Model):
    """A booking to write into (PUT) or remove from (DELETE) a linked calendar: one row per
    calendar and booking, written in the booking change's transaction, executed after commit."""

    id = fields.IntField(primary_key=True)
    calendar: fields.ForeignKeyRelation[LinkedCalendar] = fields.ForeignKeyField(
        "models.LinkedCalendar", related_name="writes", on_delete=fields.CASCADE
    )
    booking: fields.ForeignKeyRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="calendar_writes", on_delete=fields.CASCADE
    )
    action = fields.CharField(max_length=8)  # PUT, DELETE
    # Grows with every change of the booking: a write finished for an older version stays due.
    version = fields.IntField(default=1)
    pending = fields.BooleanField(default=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.CharField(max_length=500, null=True)
    claimed_until = fields.DatetimeField(null=True)
    # The provider's id of the written event where we cannot choose it (Microsoft Graph).
    remote_id = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "calendar_writes"
        unique_together = (("calendar", "booking"),)
        indexes = (("pending", "next_attempt_at"),)


class OAuthState(Model):
    """A pending OAuth authorization: bound to the user, single use, short-lived."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="oauth_states", on_delete=fields.CASCADE
    )
    provider = fields.CharField(max_length=16)
    state_hash = fields.CharField(max_length=64, unique=True)
    verifier_encrypted = fields.TextField()  # the PKCE code verifier, a secret
    expires_at = fields.DatetimeField()

    class Meta:
        table = "oauth_states"
