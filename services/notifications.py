"""A user's notifications: the catch-up for whatever a live subscription missed."""

from dataclasses import dataclass
from typing import Any

from domain.errors import BadUserInput
from models.notification import Notification
from models.user import User
from services.clock import utcnow


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Notification]
    has_next: bool
    count_query: Any  # the rows before paging: counted only when totalCount is asked

    async def total(self) -> int:
        return await self.count_query.count()


async def page(user: User, *, first: int, after_id: int | None, unread_only: bool) -> Page:
    """Newest first (ids grow with time)."""
    query = Notification.filter(user_id=user.id)
    if unread_only:
        query = query.filter(read_at=None)
    count_query = query
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return Page(rows[:first], len(rows) > first, count_query)


async def mark_read(user: User, ids: list[int]) -> int:
    if len(ids) > 1000:
        raise BadUserInput("ids", "at most 1000 at a time")
    return await Notification.filter(user_id=user.id, id__in=ids, read_at=None).update(
        read_at=utcnow()
    )
