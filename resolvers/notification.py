from typing import Annotated

import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.live import NotificationConnectionType, NotificationEdgeType, NotificationType
from schema.pagination import (
    BEFORE,
    LAST,
    cursor_id,
    encode_cursor,
    exists,
    page_info,
    page_request,
)
from services import notifications


async def notifications_page(
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    unread_only: bool | None = False,
    last: Annotated[int | None, LAST] = None,
    before: Annotated[str | None, BEFORE] = None,
) -> NotificationConnectionType:
    user = info.context.require_user()
    request = page_request(first, after, last, before)
    result = await notifications.page(
        user,
        first=request.size,
        after_id=cursor_id(request),
        unread_only=bool(unread_only),
        backward=request.backward,
    )
    edges = [
        NotificationEdgeType(node=NotificationType.from_model(row), cursor=encode_cursor(row.id))
        for row in result.rows
    ]
    return NotificationConnectionType(
        edges=edges,
        page_info=page_info(
            [edge.cursor for edge in edges],
            request,
            more=result.has_more,
            beyond_cursor=exists(result.beyond_cursor),
        ),
        count=result.total,
    )


async def mark_notifications_read(info: Info, ids: list[strawberry.ID]) -> int:
    user = info.context.require_user()
    return await notifications.mark_read(user, [parse_id(i, "Notification") for i in ids])
