from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_privacy_rights')]

    initial = False

    operations = [
        ops.AddField(
            model_name='EventType',
            name='hidden',
            field=fields.BooleanField(default=False),
        ),
    ]
