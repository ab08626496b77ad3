from tortoise import fields
from tortoise.models import Model

from domain.ical import booking_uid
from models.event_type import EventType
from models.user import User

PENDING, CONFIRMED, CANCELLED = "PENDING", "CONFIRMED", "CANCELLED"


class Booking(Model):
    id = fields.IntField(primary_key=True)
    event_type: fields.ForeignKeyRelation[EventType] = fields.ForeignKeyField(
        "models.EventType", related_name="bookings", on_delete=fields.CASCADE
    )
    # Denormalised from the event type: the no-overlap constraint is per host.
    host: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="hosted_bookings", on_delete=fields.CASCADE
    )
    booker: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="made_bookings", null=True, on_delete=fields.SET_NULL
    )
    start = fields.DatetimeField()
    end = fields.DatetimeField()
    # The time the host is taken: the meeting widened by the event type's buffers.
    busy_start = fields.DatetimeField()
    busy_end = fields.DatetimeField()
    status = fields.CharField(max_length=16, default=CONFIRMED)
    attendee_name = fields.CharField(max_length=200)
    attendee_email = fields.CharField(max_length=320)
    attendee_time_zone = fields.CharField(max_length=64, null=True)
    notes = fields.TextField(null=True)
    # Answers to the event type's questions: [{"key", "label", "value"}] (personal data).
    answers = fields.JSONField(default=list)
    # Where the meeting happens: the event type's location, or this booking's own video link.
    location = fields.CharField(max_length=500, null=True)
    # Seats: bookings of one event type at one start share a slot (`seat_group`, set from both);
    # each takes a distinct seat 0 <= seat < seats. The database enforces both (migration 0013).
    seat_group = fields.CharField(max_length=64, null=True)
    seat = fields.IntField(default=0)
    seats = fields.IntField(default=1)
    manage_token_hash = fields.CharField(max_length=64, null=True, unique=True)
    idempotency_key = fields.CharField(max_length=200, null=True)
    request_fingerprint = fields.CharField(max_length=64, null=True)
    cancel_reason = fields.TextField(null=True)
    reschedule_reason = fields.TextField(null=True)
    sequence = fields.IntField(default=0)
    # The manage token, encrypted (services/crypto.py), so that every later e-mail to the invitee
    # can carry the manage link; only its hash is used to check a token.
    manage_token_encrypted = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    def calendar_uid(self) -> str:
        """The UID of this booking in every calendar entry and e-mail invitation, for good."""
        return booking_uid(self.id)

    class Meta:
        table = "bookings"
        unique_together = (("host", "idempotency_key"),)
        indexes = (("host_id", "busy_start"), ("event_type_id", "start"))
