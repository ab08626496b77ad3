from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0014_calendars2")]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name="CalendarBusy",
            name=None,
            fields=["owner_id", "start"],
        ),
        ops.AddIndex(
            model_name="CalendarBusy",
            index=Index(fields=["owner_id", "start", "end"]),
        ),
    ]
