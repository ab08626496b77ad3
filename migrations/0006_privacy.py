from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_calendars')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Activity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.CASCADE)),
                ('path', fields.CharField(max_length=500)),
                ('search', fields.CharField(null=True, max_length=500)),
                ('ip_prefix', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'activities', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharField(max_length=32)),
                ('granted', fields.BooleanField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'consents', 'app': 'models', 'unique_together': (('user', 'purpose'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConsentEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='consent_events', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharField(max_length=32)),
                ('granted', fields.BooleanField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'consent_events', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DataExport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='data_exports', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'dataexport', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('to', fields.CharField(max_length=320)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mail_messages', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrivacyRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='privacy_requests', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(null=True, max_length=320)),
                ('kind', fields.CharField(max_length=32)),
                ('status', fields.CharField(default='RECEIVED', max_length=16)),
                ('details', fields.TextField(null=True, unique=False)),
                ('resolution', fields.TextField(null=True, unique=False)),
                ('confirm_token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'privacy_requests', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='objects_to_analytics',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='User',
            name='objects_to_marketing',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='User',
            name='restricted',
            field=fields.BooleanField(default=False),
        ),
    ]
