from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# No double booking, enforced by the database itself (not by a check-then-insert in Python):
# two non-cancelled bookings of one host may not overlap in their busy (buffer-widened) ranges.
PG_NO_OVERLAP = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    host_id WITH =, tstzrange(busy_start, busy_end, '[)') WITH &&
) WHERE (status <> 'CANCELLED');
"""

SQLITE_OVERLAP_CHECK = """
SELECT RAISE(ABORT, 'bookings_no_overlap') WHERE NEW.status <> 'CANCELLED' AND EXISTS (
    SELECT 1 FROM bookings b WHERE b.host_id = NEW.host_id AND b.id IS NOT NEW.id
    AND b.status <> 'CANCELLED' AND b.busy_start < NEW.busy_end AND b.busy_end > NEW.busy_start
);
"""

SQLITE_NO_OVERLAP = f"""
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings BEGIN {SQLITE_OVERLAP_CHECK} END;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF busy_start, busy_end, status, host_id
ON bookings BEGIN {SQLITE_OVERLAP_CHECK} END;
"""


async def no_overlap(apps, schema_editor):
    if schema_editor.DIALECT == "postgres":
        await schema_editor.client.execute_script(PG_NO_OVERLAP)
    elif schema_editor.DIALECT == "sqlite":
        await schema_editor.client.execute_script(SQLITE_NO_OVERLAP)
    else:
        raise NotImplementedError(schema_editor.DIALECT)


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DateOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('host', fields.ForeignKeyField('models.User', source_field='host_id', db_constraint=True, to_field='id', related_name='date_overrides', on_delete=OnDelete.CASCADE)),
                ('date', fields.DateField()),
                ('intervals', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'date_overrides', 'app': 'models', 'unique_together': (('host', 'date'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventType',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('host', fields.ForeignKeyField('models.User', source_field='host_id', db_constraint=True, to_field='id', related_name='event_types', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('slug', fields.CharField(max_length=100)),
                ('description', fields.TextField(null=True, unique=False)),
                ('duration_minutes', fields.IntField()),
                ('location_kind', fields.CharField(default='OTHER', max_length=16)),
                ('location', fields.CharField(null=True, max_length=500)),
                ('buffer_before_minutes', fields.IntField(default=0)),
                ('buffer_after_minutes', fields.IntField(default=0)),
                ('minimum_notice_minutes', fields.IntField(default=0)),
                ('slot_interval_minutes', fields.IntField(null=True)),
                ('max_bookings_per_day', fields.IntField(null=True)),
                ('requires_confirmation', fields.BooleanField(default=False)),
                ('horizon_days', fields.IntField(null=True)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'event_types', 'app': 'models', 'unique_together': (('host', 'slug'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Booking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_type', fields.ForeignKeyField('models.EventType', source_field='event_type_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.CASCADE)),
                ('host', fields.ForeignKeyField('models.User', source_field='host_id', db_constraint=True, to_field='id', related_name='hosted_bookings', on_delete=OnDelete.CASCADE)),
                ('booker', fields.ForeignKeyField('models.User', source_field='booker_id', null=True, db_constraint=True, to_field='id', related_name='made_bookings', on_delete=OnDelete.SET_NULL)),
                ('start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='CONFIRMED', max_length=16)),
                ('attendee_name', fields.CharField(max_length=200)),
                ('attendee_email', fields.CharField(max_length=320)),
                ('attendee_time_zone', fields.CharField(null=True, max_length=64)),
                ('notes', fields.TextField(null=True, unique=False)),
                ('manage_token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('idempotency_key', fields.CharField(null=True, max_length=200)),
                ('request_fingerprint', fields.CharField(null=True, max_length=64)),
                ('cancel_reason', fields.TextField(null=True, unique=False)),
                ('reschedule_reason', fields.TextField(null=True, unique=False)),
                ('sequence', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bookings', 'app': 'models', 'unique_together': (('host', 'idempotency_key'),), 'indexes': [Index(fields=['host_id', 'busy_start']), Index(fields=['event_type_id', 'start'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Schedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('host', fields.OneToOneField('models.User', source_field='host_id', db_constraint=True, to_field='id', related_name='schedule', on_delete=OnDelete.CASCADE)),
                ('weekly_rules', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'schedules', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(no_overlap),
    ]
