from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_job_leases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PasswordReset',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='password_resets', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_resets', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Booking',
            name='manage_token_encrypted',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='attempts',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='calendar',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='calendar_method',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='claim_token',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='claimed_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='html',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='kind',
            field=fields.CharField(default='NOTICE', max_length=40),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='last_error',
            field=fields.CharField(null=True, max_length=500),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='message_id',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='next_attempt_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='status',
            field=fields.CharField(default='PENDING', max_length=16),
        ),
        ops.AddField(
            model_name='MailMessage',
            name='to_name',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddIndex(
            model_name='MailMessage',
            index=Index(fields=['status', 'next_attempt_at']),
        ),
    ]
