"""migrations/0019_privacy_rights.py on a database that already holds a breach: it applies (the
new columns are nullable, so existing rows need no value) and the breach, recorded when every
breach was owed to the ICO, gets its ICO filing with the old deadline and report time."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from db import tortoise_config
from tests.conftest import BACKEND, PG_SERVER

BEFORE = "models.0016_mail_booking"
OLD_BREACHES = """
INSERT INTO breaches (description, risk, detected_at, report_due_at, reported_at, created_at)
VALUES ('open', 'LOW', '2030-01-01 00:00:00+00:00', '2030-01-04 00:00:00+00:00', NULL,
        '2030-01-01 00:00:00+00:00'),
       ('filed', 'HIGH', '2030-02-01 00:00:00+00:00', '2030-02-04 00:00:00+00:00',
        '2030-02-02 00:00:00+00:00', '2030-02-01 00:00:00+00:00')
"""


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
async def fresh_url(tmp_path: Path) -> AsyncIterator[str]:
    await Tortoise.close_connections()  # this test runs its own connections
    if BACKEND == "postgres":
        name = f"bnm_mig_{uuid.uuid4().hex[:12]}"
        await _admin(f'CREATE DATABASE "{name}"')
        yield f"{PG_SERVER}/{name}"
        await Tortoise.close_connections()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{tmp_path / 'upgrade.sqlite3'}"
        await Tortoise.close_connections()


async def test_breaches_recorded_before_are_owed_to_the_ico(fresh_url):
    config = tortoise_config(fresh_url)
    await migrate(config=config, target=BEFORE)
    await Tortoise.init(config=config)
    await connections.get("default").execute_script(OLD_BREACHES)
    await Tortoise.close_connections()

    await migrate(config=config)
    await Tortoise.init(config=config)
    rows = await connections.get("default").execute_query_dict(
        "SELECT b.description, f.regulator, f.due_at, f.reported_at, b.data_categories "
        "FROM breach_filings f JOIN breaches b ON b.id = f.breach_id ORDER BY b.id"
    )
    found = [(r["description"], r["regulator"], str(r["due_at"])[:10],
              str(r["reported_at"])[:10] if r["reported_at"] else None, r["data_categories"])
             for r in rows]  # fmt: skip
    assert found == [
        ("open", "ICO", "2030-01-04", None, None),
        ("filed", "ICO", "2030-02-04", "2030-02-02", None),
    ]
