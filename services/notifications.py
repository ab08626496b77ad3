"""A user's notifications: the catch-up for whatever a live subscription missed."""

from dataclasses import dataclass
from typing import Any

from domain.errors import BadUserInput
from models.notification import Notification
from models.user import User
from services.clock import utcnow


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Notification]  # newest first
    has_more: bool  # beyond the page, in the direction it was read
    count_query: Any  # the rows before paging: counted only when totalCount is asked
    beyond_cursor: object  # a query for what lies on the other side of the cursor, or None

    async def total(self) -> int:
        return await self.count_query.count()


async def page(
    user: User, *, first: int, after_id: int | None, unread_only: bool, backward: bool = False
) -> Page:
    """Newest first (ids grow with time); `backward`: the `first` newer than `after_id` (the
    oldest ones without a cursor)."""
    query = Notification.filter(user_id=user.id)
    if unread_only:
        query = query.filter(read_at=None)
    count_query, beyond = query, None
    if after_id is not None:
        if backward:
            query, beyond = query.filter(id__gt=after_id), query.filter(id__lte=after_id)
        else:
            query, beyond = query.filter(id__lt=after_id), query.filter(id__gte=after_id)
    rows = await query.order_by("id" if backward else "-id").limit(first + 1)
    chosen = rows[:first]
    if backward:
        chosen.reverse()
    return Page(chosen, len(rows) > first, count_query, beyond)


async def mark_read(user: User, ids: list[int]) -> int:
    if len(ids) > 1000:
        raise BadUserInput("ids", "at most 1000 at a time")
    return await Notification.filter(user_id=user.id, id__in=ids, read_at=None).update(
        read_at=utcnow()
    )
