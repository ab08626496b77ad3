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
    never load anything (~0.9 KiB each otherwise)."""

    @cached_property
    def event_type(self) -> DataLoader[int, EventType | None]:
        return DataLoader(_event_types)

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        return DataLoader(_users)

    def prime_event_type(self, row: EventType) -> None:
        self.event_type.prime(row.id, row)
        host = getattr(row, "_host", None)  # set when fetched with select_related("host")
        if isinstance(host, User):
            self.user.prime(host.id, host)
