"""Database wiring: the tortoise config, start-up (with migrations) and shutdown."""

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.migrations.api import migrate

from config import Settings
from models import MODEL_MODULES
from services.mail import runtime as mail_runtime

log = logging.getLogger(__name__)

MIGRATION_LOCK_KEY = 0x626E6D  # "bnm"

SQLITE_PRAGMAS = {
    # Erased values are overwritten, not just unlinked, so they cannot be read back from the file.
    "secure_delete": "ON",
    "busy_timeout": "5000",
    "synchronous": "NORMAL",
}


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        connection: Any = {
            "engine": "sqlite_engine",
            "credentials": {"file_path": database_url.removeprefix("sqlite://"), **SQLITE_PRAGMAS},
        }
    else:
        connection = expand_db_url(database_url)
        connection["credentials"]["reset"] = _keep_session
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What the pool does to a connection given back, after asyncpg's own cleanup (which rolls
    back an open transaction): nothing. By default it sends a reset query (advisory unlocks,
    CLOSE ALL, UNLISTEN, RESET ALL), one more round trip for every transaction and query (two a
    booking); this app keeps no session state on pooled connections (no SET, LISTEN, cursors or
    session locks: the migration lock has a connection of its own)."""


@contextlib.asynccontextmanager
async def _migration_lock(database_url: str) -> AsyncIterator[None]:
    """Several workers start at once; only one may migrate at a time."""
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        lock_path = f"{path}.migrate-lock" if path != ":memory:" else None
        if lock_path is None:
            yield
            return
        with open(lock_path, "w") as handle:  # noqa: ASYNC230 (a lock file, opened once at start)
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        yield
    finally:
        await connection.close()  # releases the session lock


async def start_database(settings: Settings, *, apply_migrations: bool = True) -> None:
    config = tortoise_config(settings.database_url)
    if apply_migrations:
        async with _migration_lock(settings.database_url):
            await migrate(config=config)
            await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    # What the services write mail with (links, sender, the key of kept manage tokens).
    mail_runtime.configure(settings)


async def stop_database() -> None:
    await connections.close_all()


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def checkpoint_wal() -> None:
    """SQLite: copies the write-ahead log into the database file and truncates it. Run after an
    erasure commits: `secure_delete` zeroes erased values in the database file, but until a
    checkpoint their old pages stay readable in the `-wal` file beside it.

    Inside a transaction this does nothing (the log cannot be checkpointed under an open write);
    whoever commits that transaction runs it afterwards."""
    connection = connections.get("default")
    if isinstance(connection, TransactionalDBClient) or not isinstance(connection, SqliteClient):
        return
    rows = await connection.execute_query_dict("PRAGMA wal_checkpoint(TRUNCATE)")
    if rows and rows[0].get("busy"):
        # Another process was reading; its next checkpoint (automatic or this one) finishes it.
        log.warning("WAL checkpoint after an erasure could not complete: the database was busy")


async def vacuum() -> None:
    """SQLite: rewrites the database file without free pages, then checkpoints, so that nothing
    erased survives in it, whatever wrote the pages before (a restored snapshot). Nothing for
    PostgreSQL or inside a transaction."""
    connection = connections.get("default")
    if isinstance(connection, TransactionalDBClient) or not isinstance(connection, SqliteClient):
        return
    await connection.execute_script("VACUUM")
    await checkpoint_wal()
