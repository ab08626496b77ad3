"""DataLoaders, created per request (never shared between requests or users)."""

from collections.abc import Sequence

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
    def __init__(self) -> None:
        self.event_type: DataLoader[int, EventType | None] = DataLoader(_event_types)
        self.user: DataLoader[int, User | None] = DataLoader(_users)

    def prime_event_type(self, row: EventType) -> None:
        self.event_type.prime(row.id, row)
        host = getattr(row, "_host", None)  # set when fetched with select_related("host")
        if isinstance(host, User):
            self.user.prime(host.id, host)
