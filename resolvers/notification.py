import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.live import NotificationConnectionType, NotificationEdgeType, NotificationType
from schema.pagination import PageInfoType, decode_cursor, encode_cursor, page_size
from services import notifications


async def notifications_page(
    info: Info, first: int | None = 20, after: str | None = None, unread_only: bool | None = False
) -> NotificationConnectionType:
    user = info.context.require_user()
    after_id = int(str(decode_cursor(after)[0])) if after else None
    result = await notifications.page(
        user, first=page_size(first), after_id=after_id, unread_only=bool(unread_only)
    )
    edges = [
        NotificationEdgeType(node=NotificationType.from_model(row), cursor=encode_cursor(row.id))
        for row in result.rows
    ]
    return NotificationConnectionType(
        edges=edges,
        page_info=PageInfoType(
            has_next_page=result.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        count=result.total,
    )


async def mark_notifications_read(info: Info, ids: list[strawberry.ID]) -> int:
    user = info.context.require_user()
    return await notifications.mark_read(user, [parse_id(i, "NotificationType") for i in ids])
