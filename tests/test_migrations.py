from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from db import tortoise_config


async def test_migrations_match_the_models(database, settings):
    config = tortoise_config(settings.database_url)
    changes = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    assert changes == [], "models changed: run `python server.py makemigrations`"
