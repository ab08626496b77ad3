import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.events import Notification, NotificationConnection, NotificationEdge
from schema.pagination import PageInfo, cursor_id, encode_cursor, page_size
from services import notifications


async def notifications_page(
    info: Info, first: int | None = 20, after: str | None = None, unread_only: bool | None = False
) -> NotificationConnection:
    user = info.context.require_user()
    after_id = cursor_id(after) if after else None
    result = await notifications.page(
        user, first=page_size(first), after_id=after_id, unread_only=bool(unread_only)
    )
    edges = [
        NotificationEdge(node=Notification.from_model(row), cursor=encode_cursor(row.id))
        for row in result.rows
    ]
    return NotificationConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=result.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        count_query=result.count_query,
    )


async def mark_notifications_read(info: Info, ids: list[strawberry.ID]) -> int:
    user = info.context.require_user()
    return await notifications.mark_read(user, [parse_id(i, "Notification") for i in ids])
