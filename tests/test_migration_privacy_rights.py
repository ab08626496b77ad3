"""migrations/0019_privacy_rights.py on a database that already holds breaches: it applies (the
new columns are nullable, so existing rows need no value) and each breach, recorded when every
breach was owed to the ICO, gets its ICO filing with the old deadline and report time. Run in a
process of its own, so the test session's database stays as it is."""

import asyncio
import json
import sys
import uuid
from pathlib import Path

import asyncpg

from tests.conftest import BACKEND, PG_SERVER

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = '''
import asyncio, json, sys
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate
from db import tortoise_config

OLD_BREACHES = """
INSERT INTO breaches (description, risk, detected_at, report_due_at, reported_at, created_at)
VALUES ('open', 'LOW', '2030-01-01 00:00:00+00:00', '2030-01-04 00:00:00+00:00', NULL,
        '2030-01-01 00:00:00+00:00'),
       ('filed', 'HIGH', '2030-02-01 00:00:00+00:00', '2030-02-04 00:00:00+00:00',
        '2030-02-02 00:00:00+00:00', '2030-02-01 00:00:00+00:00')
"""

async def main(url):
    config = tortoise_config(url)
    await migrate(config=config, target="models.0016_mail_booking")
    await Tortoise.init(config=config)
    await connections.get("default").execute_script(OLD_BREACHES)
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.init(config=config)
    rows = await connections.get("default").execute_query_dict(
        "SELECT b.description, f.regulator, f.due_at, f.reported_at, b.data_categories "
        "FROM breach_filings f JOIN breaches b ON b.id = f.breach_id ORDER BY b.id"
    )
    await Tortoise.close_connections()
    print(json.dumps([[r["description"], r["regulator"], str(r["due_at"])[:10],
                       str(r["reported_at"])[:10] if r["reported_at"] else None,
                       r["data_categories"]] for r in rows]))

asyncio.run(main(sys.argv[1]))
'''


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _upgrade(url: str) -> list:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SCRIPT, url, cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    return json.loads(stdout)


async def test_breaches_recorded_before_are_owed_to_the_ico(tmp_path):
    if BACKEND == "postgres":
        name = f"bnm_mig_{uuid.uuid4().hex[:12]}"
        await _admin(f'CREATE DATABASE "{name}"')
        try:
            found = await _upgrade(f"{PG_SERVER}/{name}")
        finally:
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        found = await _upgrade(f"sqlite://{tmp_path / 'upgrade.sqlite3'}")
    assert found == [
        ["open", "ICO", "2030-01-04", None, None],
        ["filed", "ICO", "2030-02-04", "2030-02-02", None],
    ]
