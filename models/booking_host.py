from tortoise import fields
from tortoise.models import Model

from models.booking import Booking
from models.event_type import EventType
from models.user import User


# The time a booking takes from each of its hosts: one row per host for every booking (a personal
# booking has one). Written and kept in step with `bookings` by database triggers (migration
# 0017), in the statement that changes the booking; the extra hosts of a COLLECTIVE booking are
# inserted beside it. No two active rows of a host overlap outside a seat group: the database
# enforces it (PostgreSQL: an exclusion constraint; SQLite: triggers).
class BookingHost(Model):
    id = fields.IntField(primary_key=True)
    booking: fields.ForeignKeyRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="busy_rows", on_delete=fields.CASCADE
    )
    host: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="busy_rows", on_delete=fields.CASCADE
    )
    event_type: fields.ForeignKeyRelation[EventType] = fields.ForeignKeyField(
        "models.EventType", related_name="busy_rows", on_delete=fields.CASCADE
    )
    start = fields.DatetimeField()
    busy_start = fields.DatetimeField()
    busy_end = fields.DatetimeField()
    seat_group = fields.CharField(max_length=64, null=True)
    active = fields.BooleanField(default=True)  # the booking is not cancelled

    class Meta:
        table = "booking_hosts"
        unique_together = (("booking", "host"),)
        indexes = (("host_id", "busy_start"), ("event_type_id", "host_id", "start"))
