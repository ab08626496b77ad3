"""DataLoaders, created per request (never shared between requests or users)."""

from collections.abc import Sequence
from functools import cached_property

from strawberry.dataloader import DataLoader

from models.event_type import EventType
from models.user import User


async def _event_types(ids: Sequence[int]) -> list[EventType | None]:
    rows = {row.id: row for row in await EventType.filter(id__in=ids)}
    return [rows.get(i) for i in ids]


async def _users(ids: Sequence[int]) -> list[User | None]:
    rows = {row.id: row for row in await User.filter(id__in=ids)}
    return [rows.get(i) for i in ids]


class Loaders:
    """Each loader is made on first use: every WebSocket connection has a context, and most
    never load anything (~0.9 KiB each otherwise). Rows primed before their loader exists wait
    in a dict, given to the loader when it is made: a query that reads no related row (most
    do not) makes no loader at all."""

    def __init__(self) -> None:
        self._primed: dict[str, dict[int, EventType | User]] = {"event_type": {}, "user": {}}

    @cached_property
    def event_type(self) -> DataLoader[int, EventType | None]:
        loader: DataLoader[int, EventType | None] = DataLoader(_event_types)
        loader.prime_many(self._primed["event_type"])  # type: ignore[arg-type]
        return loader

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        loader: DataLoader[int, User | None] = DataLoader(_users)
        loader.prime_many(self._primed["user"])  # type: ignore[arg-type]
        return loader

    def prime_event_type(self, row: EventType) -> None:
        self._prime("event_type", row.id, row)
        host = getattr(row, "_host", None)  # set when fetched with select_related("host")
        if isinstance(host, User):
            self._prime("user", host.id, host)

    def _prime(self, loader: str, key: int, row: EventType | User) -> None:
        made = self.__dict__.get(loader)  # the cached_property, if made
        if made is not None:
            made.prime(key, row)
        else:
            self._primed[loader].setdefault(key, row)  # as prime: a key already there stays
