from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Every booking takes time from each of its hosts: one booking_hosts row per host (a personal
# booking has one, the host of `bookings`). Triggers on `bookings` write that row and keep every
# row of the booking in step (times, seat group, cancelled or not, a new host) in the statement
# that changes the booking; the other hosts of a COLLECTIVE booking are inserted beside it. No two
# active rows of a host overlap, unless they share a seat group (as bookings_no_overlap, 0013).
COLUMNS = "booking_id, host_id, event_type_id, start, busy_start, busy_end, seat_group, active"
NEW_ROW = (
    "NEW.id, NEW.host_id, NEW.event_type_id, NEW.start, NEW.busy_start, NEW.busy_end, "
    "NEW.seat_group, NEW.status <> 'CANCELLED'"
)
SET_FROM_NEW = (
    "event_type_id = NEW.event_type_id, start = NEW.start, busy_start = NEW.busy_start, "
    "busy_end = NEW.busy_end, seat_group = NEW.seat_group, active = NEW.status <> 'CANCELLED'"
)
WATCHED = "host_id, event_type_id, start, busy_start, busy_end, seat_group, status"

PG = f"""
INSERT INTO booking_hosts ({COLUMNS})
    SELECT id, host_id, event_type_id, start, busy_start, busy_end, seat_group, status <> 'CANCELLED'
    FROM bookings;
ALTER TABLE booking_hosts ADD CONSTRAINT booking_hosts_no_overlap EXCLUDE USING gist (
    host_id WITH =, tstzrange(busy_start, busy_end, '[)') WITH &&,
    (COALESCE(seat_group, 'booking-' || booking_id::text)) WITH <>
) WHERE (active);
CREATE FUNCTION booking_hosts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO booking_hosts ({COLUMNS}) VALUES ({NEW_ROW});
    ELSE
        IF NEW.host_id IS DISTINCT FROM OLD.host_id THEN
            UPDATE booking_hosts SET host_id = NEW.host_id
                WHERE booking_id = NEW.id AND host_id = OLD.host_id;
        END IF;
        UPDATE booking_hosts SET {SET_FROM_NEW} WHERE booking_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bookings_hosts_insert AFTER INSERT ON bookings
    FOR EACH ROW EXECUTE FUNCTION booking_hosts_sync();
CREATE TRIGGER bookings_hosts_update AFTER UPDATE OF {WATCHED} ON bookings
    FOR EACH ROW EXECUTE FUNCTION booking_hosts_sync();
"""

SQLITE_CHECK = """
SELECT RAISE(ABORT, 'booking_hosts_no_overlap') WHERE NEW.active AND EXISTS (
    SELECT 1 FROM booking_hosts b WHERE b.host_id = NEW.host_id AND b.id IS NOT NEW.id
    AND b.active AND b.busy_start < NEW.busy_end AND b.busy_end > NEW.busy_start
    AND (NEW.seat_group IS NULL OR b.seat_group IS NOT NEW.seat_group)
);
"""

SQLITE = f"""
INSERT INTO booking_hosts ({COLUMNS})
    SELECT id, host_id, event_type_id, start, busy_start, busy_end, seat_group, status <> 'CANCELLED'
    FROM bookings;
CREATE TRIGGER booking_hosts_no_overlap_insert BEFORE INSERT ON booking_hosts
BEGIN {SQLITE_CHECK} END;
CREATE TRIGGER booking_hosts_no_overlap_update BEFORE UPDATE OF
host_id, busy_start, busy_end, seat_group, active ON booking_hosts
BEGIN {SQLITE_CHECK} END;
CREATE TRIGGER bookings_hosts_insert AFTER INSERT ON bookings
BEGIN INSERT INTO booking_hosts ({COLUMNS}) VALUES ({NEW_ROW}); END;
CREATE TRIGGER bookings_hosts_update AFTER UPDATE OF {WATCHED} ON bookings
BEGIN
    UPDATE booking_hosts SET host_id = NEW.host_id
        WHERE booking_id = NEW.id AND host_id = OLD.host_id AND NEW.host_id IS NOT OLD.host_id;
    UPDATE booking_hosts SET {SET_FROM_NEW} WHERE booking_id = NEW.id;
END;
CREATE TRIGGER bookings_hosts_delete AFTER DELETE ON bookings
BEGIN DELETE FROM booking_hosts WHERE booking_id = OLD.id; END;
"""


async def booking_hosts(apps, schema_editor):
    if schema_editor.DIALECT == "postgres":
        await schema_editor.client.execute_script(PG)
    elif schema_editor.DIALECT == "sqlite":
        await schema_editor.client.execute_script(SQLITE)
    else:
        raise NotImplementedError(schema_editor.DIALECT)


class Migration(migrations.Migration):
    dependencies = [('models', '0016_mail_booking')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BookingHost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name='busy_rows', on_delete=OnDelete.CASCADE)),
                ('host', fields.ForeignKeyField('models.User', source_field='host_id', db_constraint=True, to_field='id', related_name='busy_rows', on_delete=OnDelete.CASCADE)),
                ('event_type', fields.ForeignKeyField('models.EventType', source_field='event_type_id', db_constraint=True, to_field='id', related_name='busy_rows', on_delete=OnDelete.CASCADE)),
                ('start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seat_group', fields.CharField(null=True, max_length=64)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'booking_hosts', 'app': 'models', 'unique_together': (('booking', 'host'),), 'indexes': [Index(fields=['host_id', 'busy_start']), Index(fields=['event_type_id', 'host_id', 'start'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventTypeHost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_type', fields.ForeignKeyField('models.EventType', source_field='event_type_id', db_constraint=True, to_field='id', related_name='team_hosts', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='hosted_team_event_types', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'event_type_hosts', 'app': 'models', 'unique_together': (('event_type', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('slug', fields.CharField(unique=True, max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'teams', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('models.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(db_index=True, max_length=320)),
                ('role', fields.CharField(default='MEMBER', max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('invited_by', fields.ForeignKeyField('models.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='team_invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'team_invitations', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('models.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='team_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(default='MEMBER', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'team_members', 'app': 'models', 'unique_together': (('team', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='EventType',
            name='assignment',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='EventType',
            name='team',
            field=fields.ForeignKeyField('models.Team', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name='event_types', on_delete=OnDelete.CASCADE),
        ),
        ops.RunPython(booking_hosts),
    ]
