from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_busy_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MailMessage',
            name='booking_id',
            field=fields.IntField(null=True, db_index=True),
        ),
    ]
