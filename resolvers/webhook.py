import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.pagination import page_size
from schema.webhook import WebhookDeliveryType, WebhookRegistrationType, WebhookType
from services import webhooks


async def register_webhook(info: Info, url: str) -> WebhookRegistrationType:
    host = info.context.require_user()
    registered = await webhooks.register(host, url, info.context.settings)
    return WebhookRegistrationType(
        webhook=WebhookType.from_model(registered.webhook), secret=registered.secret
    )


async def my_webhooks(info: Info) -> list[WebhookType]:
    host = info.context.require_user()
    return [WebhookType.from_model(row) for row in await webhooks.list_for(host)]


async def delete_webhook(info: Info, id: strawberry.ID) -> bool:
    host = info.context.require_user()
    return await webhooks.delete(host, parse_id(id, "Webhook"))


async def webhook_deliveries(
    info: Info, webhook_id: strawberry.ID, first: int | None = 20
) -> list[WebhookDeliveryType]:
    host = info.context.require_user()
    rows = await webhooks.deliveries(host, parse_id(webhook_id, "Webhook"), first=page_size(first))
    return [WebhookDeliveryType.from_model(row) for row in rows]
