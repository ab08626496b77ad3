"""Transactions aborted by a concurrent one are run again (services/retry.py), on the real
databases: a PostgreSQL deadlock, and SQLite's write lock held by another process."""

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from domain.errors import Conflict
from services.retry import BUSY, retrying, transient
from sqlite_engine import ImmediateSqliteClient
from tests.conftest import BACKEND


@pytest.mark.skipif(BACKEND != "postgres", reason="a deadlock between two connections")
async def test_of_two_deadlocked_transactions_the_aborted_one_runs_again_and_both_commit(database):
    db = connections.get("default")
    await db.execute_script(
        "DROP TABLE IF EXISTS retry_probe;"
        "CREATE TABLE retry_probe (id int PRIMARY KEY, n int NOT NULL);"
        "INSERT INTO retry_probe VALUES (1, 0), (2, 0);"
    )
    both_hold_their_first_row = asyncio.Barrier(2)
    attempts: Counter[str] = Counter()

    async def crossing(name: str, first: int, second: int) -> str:
        async def attempt() -> str:
            attempts[name] += 1
            async with in_transaction() as tx:
                await tx.execute_query("UPDATE retry_probe SET n = n + 1 WHERE id = $1", [first])
                if attempts[name] == 1:
                    await both_hold_their_first_row.wait()
                await tx.execute_query("UPDATE retry_probe SET n = n + 1 WHERE id = $1", [second])
            return name

        return await retrying(attempt)

    try:
        assert sorted(await asyncio.gather(crossing("a", 1, 2), crossing("b", 2, 1))) == ["a", "b"]
        assert sum(attempts.values()) == 3  # PostgreSQL aborted one of them once
        rows = await db.execute_query_dict("SELECT n FROM retry_probe ORDER BY id")
        assert [r["n"] for r in rows] == [2, 2]  # the aborted attempt left nothing behind
    finally:
        await db.execute_script("DROP TABLE retry_probe")


@pytest.fixture
async def sqlite_pair(database: None, tmp_path: Path):
    """This process's tortoise client with a short busy_timeout, and another process's
    connection (a plain sqlite3 one) to the same file."""
    path = tmp_path / "shared.sqlite3"
    client = ImmediateSqliteClient(str(path), connection_name="probe", busy_timeout="200")
    await client.create_connection(with_db=True)
    await client.execute_script("CREATE TABLE t (n int)")
    other = sqlite3.connect(path, isolation_level=None)
    yield client, other
    other.close()
    await client.close()


async def test_sqlite_transactions_take_the_write_lock_at_begin_and_a_timeout_is_retryable(
    sqlite_pair,
):
    client, other = sqlite_pair
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    with pytest.raises(OperationalError) as refused:
        async with client._in_transaction() as tx:
            await tx.execute_query("SELECT count(*) FROM t")
    assert transient(refused.value)
    other.execute("INSERT INTO t VALUES (1)")
    other.execute("COMMIT")
    # The failed BEGIN gave the process's connection lock back: the next transaction runs.
    async with client._in_transaction() as tx:
        await tx.execute_insert("INSERT INTO t VALUES (2)", [])
    assert other.execute("SELECT count(*) FROM t").fetchone() == (2,)


async def test_attempts_that_keep_losing_end_as_conflict_not_internal(sqlite_pair):
    client, other = sqlite_pair
    other.execute("BEGIN IMMEDIATE")
    tries = 0

    async def attempt() -> None:
        nonlocal tries
        tries += 1
        async with client._in_transaction() as tx:
            await tx.execute_insert("INSERT INTO t VALUES (3)", [])

    try:
        with pytest.raises(Conflict, match=BUSY):
            await retrying(attempt, attempts=3)
    finally:
        other.execute("ROLLBACK")
    assert tries == 3
    assert other.execute("SELECT count(*) FROM t").fetchone() == (0,)
