"""`python server.py backup` and `restore FILE` on the configured backend: a snapshot taken, the
data changed, the snapshot restored; expired snapshots deleted; a wrong file refused."""

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import BACKEND, PG_SERVER, _admin
from tests.test_cli import run


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: restoring replaces everything in it."""
    if BACKEND == "postgres":
        name = f"bnm_backup_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}"')
        yield f"{PG_SERVER}/{name}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{tmp_path / 'app.sqlite3'}"


async def sql(url: str, statement: str) -> int:
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            row = connection.execute(statement).fetchone()
        connection.close()
        return row[0] if row else 0
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(statement) or 0
    finally:
        await connection.close()


async def test_a_snapshot_restores_what_was_deleted_since(own_database, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    expired = backups / "booknmeet-20200101T000000000000Z.sqlite3"
    expired.write_bytes(b"old")
    old = time.time() - 31 * 86400
    os.utime(expired, (old, old))
    unrelated = backups / "notes.txt"
    unrelated.write_text("kept")
    os.utime(unrelated, (old, old))
    env = {"DATABASE_URL": own_database, "BACKUP_DIR": str(backups)}

    seeded = run("seed", "--password", "demo password 1", cwd=tmp_path, **env)
    assert seeded.returncode == 0, seeded.stderr
    bookings = await sql(own_database, "SELECT count(*) FROM bookings")
    assert bookings > 0

    made = run("backup", cwd=tmp_path, **env)
    assert made.returncode == 0, made.stderr
    snapshot = Path(made.stdout.strip())
    assert snapshot.parent == backups and snapshot.name.startswith("booknmeet-")
    assert snapshot.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    assert not expired.exists() and unrelated.exists()  # BACKUP_RETENTION_DAYS: 30
    assert sorted(p.name for p in backups.iterdir()) == sorted([snapshot.name, "notes.txt"])

    await sql(own_database, "DELETE FROM bookings")
    assert await sql(own_database, "SELECT count(*) FROM bookings") == 0

    restored = run("restore", str(snapshot), cwd=tmp_path, **env)
    assert restored.returncode == 0, restored.stderr
    assert await sql(own_database, "SELECT count(*) FROM bookings") == bookings


async def test_restore_refuses_a_file_that_is_not_a_snapshot(own_database, tmp_path):
    env = {"DATABASE_URL": own_database, "BACKUP_DIR": str(tmp_path)}
    assert run("migrate", cwd=tmp_path, **env).returncode == 0
    other = tmp_path / "other.txt"
    other.write_text("not a snapshot")
    refused = run("restore", str(other), cwd=tmp_path, **env)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"restore: {other} is not a "
        + ("pg_dump snapshot (DATABASE_URL is PostgreSQL)" if BACKEND == "postgres" else "")
        + ("SQLite snapshot (DATABASE_URL is SQLite)" if BACKEND != "postgres" else "")
    ]
    missing = run("restore", str(tmp_path / "missing.dump"), cwd=tmp_path, **env)
    assert missing.returncode == 1
    assert "No such file or directory" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_an_unwritable_backup_dir_is_a_configuration_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'app.sqlite3'}", "BACKUP_DIR": str(blocker)}
    result = run("backup", cwd=tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"BACKUP_DIR: cannot create {blocker}")
