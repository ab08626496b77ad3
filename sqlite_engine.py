"""tortoise's SQLite backend, with every transaction begun IMMEDIATE.

tortoise begins transactions DEFERRED: the write lock is taken at the first write. When several
processes share the file (two workers, or a worker and a CLI command), a transaction that read
first and then writes after another process committed fails at once with "database is locked"
(its snapshot went stale; busy_timeout does not help). IMMEDIATE takes the write lock at BEGIN,
waiting up to busy_timeout for it. Inside one process nothing changes: tortoise already runs one
transaction at a time over its single connection.
"""

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError


class DirectCounts:
    """tortoise counts the rows a statement changed as every change since it began; the
    triggers that keep booking_hosts in step with bookings (migration 0017) change rows too.
    Here the count is of the rows the statement itself changed, as on PostgreSQL."""

    @translate_exceptions
    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, Any]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        async with self.acquire_connection() as connection:
            self.log.debug("%s: %s", query, values)
            # One trip to aiosqlite's thread, not three (execute, fetchall, close): each costs
            # a queue put and a wake-up of the event loop, more than a small read itself.
            changed, rows = await connection._execute(_run, connection._conn, query, values or ())
            return changed if changed > 0 else len(rows), rows


def _run(connection: sqlite3.Connection, query: str, values: Any) -> tuple[int, list]:
    """In aiosqlite's thread: the statement's rows and the count of the rows it changed."""
    cursor = connection.execute(query, values)
    try:
        rows = cursor.fetchall()
        return cursor.rowcount, rows  # known once every row is read (RETURNING)
    finally:
        cursor.close()


class ImmediateTransactionWrapper(DirectCounts, SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            # "database is locked" once busy_timeout ran out: retryable (services/retry.py).
            raise OperationalError(exc) from exc


class ImmediateTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        # As tortoise's, except that a BEGIN that fails (now an expected outcome) gives the
        # process's connection lock back instead of holding it forever.
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection


class ImmediateSqliteClient(DirectCounts, SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return ImmediateTransactionContext(ImmediateTransactionWrapper(self), self._lock)


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return ImmediateSqliteClient


client_class = ImmediateSqliteClient
