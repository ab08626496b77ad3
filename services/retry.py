"""Transactions that lose to a concurrent one are run again, a bounded number of times.

PostgreSQL aborts one of two deadlocked transactions (40P01) and, under stricter isolation, a
transaction that read what another changed (40001); SQLite refuses a write while another process
holds the database's write lock beyond `busy_timeout`, or when this transaction's snapshot went
stale. In each case nothing was written and running the whole transaction again is correct, so
none of them may reach a client as INTERNAL. When the attempts run out the caller gets CONFLICT.
"""

import asyncio
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

from asyncpg.exceptions import TransactionRollbackError
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from domain.errors import Conflict

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 6
FIRST_BACKOFF_SECONDS = 0.01

BUSY = "Too many changes to this at once; try again."


def transient(error: BaseException) -> bool:
    """A deadlock, serialisation failure or SQLite lock timeout anywhere in the cause chain
    (tortoise wraps the driver's errors)."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, TransactionRollbackError):
            return True
        if isinstance(current, sqlite3.OperationalError) and (
            "locked" in str(current) or "busy" in str(current)
        ):
            return True
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        pending += [a for a in current.args if isinstance(a, BaseException)]
    return False


def _in_outer_transaction() -> bool:
    return isinstance(connections.get("default"), TransactionalDBClient)


async def retrying(attempt: Callable[[], Awaitable[T]], *, attempts: int = ATTEMPTS) -> T:
    """Runs `attempt` (which opens its own transaction) until it is not aborted by a concurrent
    one. Inside a caller's transaction it runs once: only the outermost transaction can be run
    again, so the error goes to whoever opened it."""
    if _in_outer_transaction():
        return await attempt()
    for number in range(1, attempts + 1):
        try:
            return await attempt()
        except Exception as error:
            if not transient(error):
                raise
            if number == attempts:
                log.warning("gave up after %d attempts aborted by concurrent ones", attempts)
                raise Conflict(BUSY) from error
            log.info("attempt %d aborted by a concurrent transaction; again", number)
            # Jittered, growing: the two parties of a deadlock do not collide again in step.
            await asyncio.sleep(random.uniform(0.5, 1.5) * FIRST_BACKOFF_SECONDS * 2**number)  # noqa: S311
    raise AssertionError("unreachable")
