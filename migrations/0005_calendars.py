from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_reminders_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarFeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.OneToOneField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='calendar_feed', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'calendar_feeds', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LinkedCalendar',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='calendars', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('url_encrypted', fields.TextField(unique=False)),
                ('status', fields.CharField(default='OK', max_length=16)),
                ('last_synced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('etag', fields.CharField(null=True, max_length=500)),
                ('last_modified', fields.CharField(null=True, max_length=100)),
                ('fingerprint', fields.CharField(null=True, max_length=64)),
                ('failures', fields.IntField(default=0)),
                ('next_sync_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'linked_calendars', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarBusy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('calendar', fields.ForeignKeyField('models.LinkedCalendar', source_field='calendar_id', db_constraint=True, to_field='id', related_name='busy', on_delete=OnDelete.CASCADE)),
                ('owner_id', fields.IntField(db_index=True)),
                ('start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_busy', 'app': 'models', 'indexes': [Index(fields=['owner_id', 'start'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
