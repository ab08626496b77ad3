"""Privacy of the mail outbox: a delivered (or given up) message's parts are emptied after
BODY_RETENTION; what is left (recipient, subject, kind, times) goes with the notification
category's retention, per person like notifications (services/retention.py)."""

from datetime import datetime, timedelta

from tortoise.expressions import Q

from domain.privacy import Category
from models.privacy import MailMessage
from services import retention
from services.clock import utcnow
from services.mail.outbox import FINAL

BODY_RETENTION = timedelta(days=7)
PURGE_SECONDS = 3600.0


async def purge(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    emptied = await (
        MailMessage.filter(status__in=FINAL, created_at__lt=now - BODY_RETENTION)
        .exclude(body="")
        .update(body="", html=None, calendar=None)
    )
    target = retention.Target(MailMessage, "user_id", "created_at", Q(status__in=FINAL))
    deleted = await retention.purge_target(Category.NOTIFICATION, target, now)
    return {"emptied": emptied, "deleted": deleted}
