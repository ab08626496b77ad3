from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_scheduling')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarWrite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('calendar', fields.ForeignKeyField('models.LinkedCalendar', source_field='calendar_id', db_constraint=True, to_field='id', related_name='writes', on_delete=OnDelete.CASCADE)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name='calendar_writes', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=8)),
                ('version', fields.IntField(default=1)),
                ('pending', fields.BooleanField(default=True)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('remote_id', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'calendar_writes', 'app': 'models', 'unique_together': (('calendar', 'booking'),), 'indexes': [Index(fields=['pending', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A booking to write into (PUT) or remove from (DELETE) a linked calendar: one row per'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OAuthState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='oauth_states', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=16)),
                ('state_hash', fields.CharField(unique=True, max_length=64)),
                ('verifier_encrypted', fields.TextField(unique=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oauth_states', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A pending OAuth authorization: bound to the user, single use, short-lived.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CalendarBusy',
            name='source',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddIndex(
            model_name='CalendarBusy',
            index=Index(fields=['calendar_id', 'source']),
        ),
        ops.AddField(
            model_name='LinkedCalendar',
            name='credentials_encrypted',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='LinkedCalendar',
            name='kind',
            field=fields.CharField(default='ICS_FEED', max_length=16),
        ),
        ops.AddField(
            model_name='LinkedCalendar',
            name='sync_token',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='LinkedCalendar',
            name='writes_bookings',
            field=fields.BooleanField(default=False),
        ),
    ]
