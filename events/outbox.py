"""The transactional outbox: a change writes its messages in its own transaction (`write`); they
are published to the bus after it commits (`Outbox.flush`). Nothing is published for a change that
rolled back, and what was committed but not published (a crash, a bus outage) goes out with the
next flush, which the job runner also runs every few seconds.

Publishing happens in one place: every GraphQL operation and every background job runs inside
`Outbox.unit()`, which flushes once the work inside it is over if anything was written. No resolver
or service publishes by itself, so none can forget to.
"""

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from events.bus import BusUnavailable, EventBus
from events.messages import Message, encode
from models.fresh import fresh
from models.notification import OutboxEvent

log = logging.getLogger(__name__)

FLUSH_BATCH = 200


class UnitOfWork:
    """What one operation or job wrote to the outbox (a mutable cell shared with the tasks that
    graphql-core may spawn for its resolvers)."""

    __slots__ = ("written",)

    def __init__(self) -> None:
        self.written = 0


_CURRENT: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


async def write(*messages: Message) -> None:
    """Inside the transaction of the change the messages describe."""
    if messages:
        await OutboxEvent.bulk_create(rows(*messages))


def rows(*messages: Message) -> list[Model]:
    """The outbox rows of `messages`, for the caller to write inside the transaction of the
    change they describe (with its other rows: services/batch.py), in this order."""
    unit = _CURRENT.get()
    if unit is not None:
        unit.written += len(messages)
    return [fresh(OutboxEvent, channel=item.channel, payload=encode(item)) for item in messages]


async def discard(*channels: str) -> int:
    """Inside the caller's transaction: drops unpublished messages on `channels` (an erased
    account's own: nobody is left to receive them)."""
    return await OutboxEvent.filter(channel__in=channels).delete()


class Outbox:
    """Publishes committed outbox rows on a bus. In-process listeners (`on_publish`) hear a
    channel's messages as soon as this process publishes them, without the round trip through the
    bus; other processes hear them from the bus."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._listeners: dict[str, list[Callable[[], None]]] = {}

    def on_publish(self, channel: str, listener: Callable[[], None]) -> None:
        self._listeners.setdefault(channel, []).append(listener)

    @contextlib.asynccontextmanager
    async def unit(self) -> AsyncIterator[UnitOfWork]:
        """Flushes after the work inside it if that work wrote to the outbox. Nested units are
        one: the outermost flushes."""
        outer = _CURRENT.get()
        if outer is not None:
            yield outer
            return
        unit = UnitOfWork()
        token = _CURRENT.set(unit)
        try:
            yield unit
        finally:
            _CURRENT.reset(token)
            if unit.written:
                await self.flush()

    async def flush(self) -> int:
        """Publishes committed outbox rows in order; several workers never publish one row twice.

        When the bus cannot take them (Redis unreachable) the rows stay for a later flush and this
        returns: the changes they describe are committed, so the operation that flushes after its
        commit still succeeds, and the dispatcher publishes them once the bus is back."""
        published = 0
        while True:
            try:
                async with in_transaction() as connection:
                    rows = await _claim(connection)
                    for _, channel, _ in rows:
                        for listener in self._listeners.get(channel, ()):
                            listener()
                    # Together, in order: one round trip to Redis for the batch.
                    await self.bus.publish_many([(channel, body) for _, channel, body in rows])
            except BusUnavailable as exc:
                log.warning("event bus unavailable (%s); committed events wait in the outbox", exc)
                return published
            published += len(rows)
            if len(rows) < FLUSH_BATCH:
                return published


# The oldest committed rows, taken in one statement: deleted here and published before the
# transaction commits, so a failed publish rolls the deletion back. On PostgreSQL rows another
# worker is publishing are skipped (SQLite has one writer at a time).
_CLAIM = {
    "postgres": (
        'DELETE FROM "outbox_events" WHERE "id" IN (SELECT "id" FROM "outbox_events" '
        'ORDER BY "id" LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING "id", "channel", "payload"'
    ),
    "sqlite": (
        'DELETE FROM "outbox_events" WHERE "id" IN (SELECT "id" FROM "outbox_events" '
        'ORDER BY "id" LIMIT ?) RETURNING "id", "channel", "payload"'
    ),
}


async def _claim(connection: BaseDBAsyncClient) -> list[tuple[int, str, str]]:
    # execute_query_dict: tortoise's execute_query drops what a PostgreSQL DELETE returns.
    rows = await connection.execute_query_dict(
        _CLAIM[connection.capabilities.dialect], [FLUSH_BATCH]
    )
    payload = OutboxEvent._meta.fields_map["payload"].to_python_value
    return sorted((row["id"], row["channel"], payload(row["payload"])) for row in rows)
