from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# Seats: bookings of one event type at one start form a seat group and may share the host's time;
# any other two non-cancelled bookings of a host still may not overlap. Each booking of a group
# takes its own seat below the slot's seat count. A booking without a group (rows written before
# this migration and not back-filled, or by code that does not set one) is a group of its own.
PG_SEATS = """
UPDATE bookings SET seat_group = event_type_id::text || '@' || floor(extract(epoch FROM start) * 1000000)::bigint::text;
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    host_id WITH =, tstzrange(busy_start, busy_end, '[)') WITH &&,
    (COALESCE(seat_group, 'booking-' || id::text)) WITH <>
) WHERE (status <> 'CANCELLED');
ALTER TABLE bookings ADD CONSTRAINT bookings_seat_in_range CHECK (seat >= 0 AND seat < seats);
CREATE UNIQUE INDEX bookings_one_per_seat ON bookings (seat_group, seat) WHERE status <> 'CANCELLED';
"""

SQLITE_CHECK = """
SELECT RAISE(ABORT, 'bookings_no_overlap') WHERE NEW.status <> 'CANCELLED' AND EXISTS (
    SELECT 1 FROM bookings b WHERE b.host_id = NEW.host_id AND b.id IS NOT NEW.id
    AND b.status <> 'CANCELLED' AND b.busy_start < NEW.busy_end AND b.busy_end > NEW.busy_start
    AND (NEW.seat_group IS NULL OR b.seat_group IS NOT NEW.seat_group)
);
SELECT RAISE(ABORT, 'bookings_seat_in_range') WHERE NEW.seat < 0 OR NEW.seat >= NEW.seats;
"""

SQLITE_SEATS = f"""
UPDATE bookings SET seat_group = event_type_id || '@' || CAST(strftime('%s', start) AS INTEGER) * 1000000
    + CAST(substr(strftime('%f', start), 4) AS INTEGER) * 1000;
DROP TRIGGER bookings_no_overlap_insert;
DROP TRIGGER bookings_no_overlap_update;
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings BEGIN {SQLITE_CHECK} END;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF
busy_start, busy_end, status, host_id, seat_group, seat, seats
ON bookings BEGIN {SQLITE_CHECK} END;
CREATE UNIQUE INDEX bookings_one_per_seat ON bookings (seat_group, seat) WHERE status <> 'CANCELLED';
"""


async def seats(apps, schema_editor):
    if schema_editor.DIALECT == "postgres":
        await schema_editor.client.execute_script(PG_SEATS)
    elif schema_editor.DIALECT == "sqlite":
        await schema_editor.client.execute_script(SQLITE_SEATS)
    else:
        raise NotImplementedError(schema_editor.DIALECT)


class Migration(migrations.Migration):
    dependencies = [('models', '0012_mail')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SlotHold',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_type', fields.ForeignKeyField('models.EventType', source_field='event_type_id', db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.CASCADE)),
                ('host', fields.ForeignKeyField('models.User', source_field='host_id', db_constraint=True, to_field='id', related_name='slot_holds', on_delete=OnDelete.CASCADE)),
                ('start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'slot_holds', 'app': 'models', 'indexes': [Index(fields=['host_id', 'busy_start'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Booking',
            name='answers',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Booking',
            name='location',
            field=fields.CharField(null=True, max_length=500),
        ),
        ops.AddField(
            model_name='Booking',
            name='seat',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Booking',
            name='seat_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Booking',
            name='seats',
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name='EventType',
            name='max_bookings_per_month',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='EventType',
            name='max_bookings_per_week',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='EventType',
            name='minimum_cancel_notice_minutes',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='EventType',
            name='questions',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='EventType',
            name='seats_per_slot',
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name='User',
            name='handle',
            field=fields.CharField(null=True, unique=True, max_length=40),
        ),
        ops.RunPython(seats),
    ]
