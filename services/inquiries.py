"""Support inquiries: anyone may write (rate-limited per address and per e-mail), staff reply and
close; the signed-in author sees their inquiries and the replies. Closed inquiries are purged
after their retention (services/retention.py)."""

from datetime import timedelta

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import Conflict, NotFound, RateLimited
from models.governance import Inquiry, InquiryReply
from models.user import User
from services import audit, changes
from services.clock import utcnow
from services.mail import outbox as mail

PER_EMAIL_PER_HOUR = 5
OPEN, ANSWERED, CLOSED = "OPEN", "ANSWERED", "CLOSED"


async def submit(user: User | None, email: str, subject: str, message: str) -> Inquiry:
    address = validation.email_address(email)
    subject = validation.text(subject, field="subject", max_length=200)
    message = validation.text(message, field="message", max_length=10_000)
    now = utcnow()
    recent = await Inquiry.filter(email=address, created_at__gte=now - timedelta(hours=1)).count()
    if recent >= PER_EMAIL_PER_HOUR:
        raise RateLimited(retry_after=3600)
    return await Inquiry.create(
        user_id=user.id if user else None, email=address, subject=subject, message=message
    )


async def _get(inquiry_id: int) -> Inquiry:
    inquiry = await Inquiry.get_or_none(id=inquiry_id)
    if inquiry is None:
        raise NotFound("Inquiry")
    return inquiry


async def reply(admin: User, inquiry_id: int, body: str, close: bool) -> Inquiry:
    body = validation.text(body, field="body", max_length=10_000)
    inquiry = await _get(inquiry_id)
    if inquiry.status == CLOSED:
        raise Conflict("The inquiry is closed.", field="id")
    async with in_transaction():
        await InquiryReply.create(inquiry=inquiry, author_id=admin.id, body=body)
        inquiry.status = CLOSED if close else ANSWERED
        inquiry.closed_at = utcnow() if close else None
        await inquiry.save(update_fields=["status", "closed_at"])
        title = f"Reply to your inquiry: {inquiry.subject}"
        if inquiry.user_id:
            await changes.notify(
                [inquiry.user_id], "INQUIRY_REPLY", title, {"inquiryId": inquiry.id}
            )
        else:
            await mail.notice(to=inquiry.email, kind="INQUIRY_REPLY", subject=title, body=body)
        await audit.record(admin, inquiry.user_id, "REPLY_INQUIRY", f"inquiry {inquiry.id}")
    return inquiry


async def close(admin: User, inquiry_id: int) -> Inquiry:
    inquiry = await _get(inquiry_id)
    if inquiry.status == CLOSED:
        raise Conflict("The inquiry is closed.", field="id")
    async with in_transaction():
        inquiry.status, inquiry.closed_at = CLOSED, utcnow()
        await inquiry.save(update_fields=["status", "closed_at"])
        await audit.record(admin, inquiry.user_id, "CLOSE_INQUIRY", f"inquiry {inquiry.id}")
    return inquiry


async def for_admin(admin: User, status: str | None) -> list[Inquiry]:
    """Reading people's inquiries is a read of their data: audited per account holder."""
    query = Inquiry.all() if status is None else Inquiry.filter(status=status)
    rows = await query.order_by("id").prefetch_related("replies")
    for user_id in sorted({r.user_id for r in rows if r.user_id}):
        await audit.record(admin, user_id, "READ_INQUIRIES", None)
    return rows


async def mine(user: User) -> list[Inquiry]:
    return await Inquiry.filter(user_id=user.id).order_by("id").prefetch_related("replies")
