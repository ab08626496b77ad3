from datetime import datetime
from enum import Enum

import strawberry

from models.webhook import Webhook, WebhookDelivery


@strawberry.enum
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@strawberry.type(
    name="Webhook", description="Booking events are POSTed, signed with the secret, to `url`."
)
class WebhookType:
    id: strawberry.ID
    url: str
    active: bool
    created_at: datetime

    @classmethod
    def from_model(cls, row: Webhook) -> "WebhookType":
        return cls(
            id=strawberry.ID(str(row.id)),
            url=row.url,
            active=row.active,
            created_at=row.created_at,
        )


@strawberry.type(name="WebhookRegistration")
class WebhookRegistrationType:
    webhook: WebhookType
    secret: str = strawberry.field(
        description=(
            "The HMAC-SHA256 key of X-BookNMeet-Signature (over `<timestamp>.<body>`). "
            "Shown only here."
        )
    )


@strawberry.type(name="WebhookDelivery")
class WebhookDeliveryType:
    id: strawberry.ID
    event: str
    status: WebhookDeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(description="Only while PENDING.")

    @classmethod
    def from_model(cls, row: WebhookDelivery) -> "WebhookDeliveryType":
        return cls(
            id=strawberry.ID(str(row.id)),
            event=row.event,
            status=WebhookDeliveryStatus(row.status),
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            next_attempt_at=row.next_attempt_at if row.status == "PENDING" else None,
        )
