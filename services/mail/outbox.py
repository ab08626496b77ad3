"""Writing a message: call inside the transaction of the change that causes it, so a rolled-back
change sends nothing and a committed one is sent by the mail job after the commit."""

from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from functools import cache

from domain.headers import one_line
from models.fresh import fresh
from models.privacy import MailMessage
from services.clock import utcnow
from services.mail import render, runtime

PENDING, SENT, KEPT, FAILED = "PENDING", "SENT", "KEPT", "FAILED"
FINAL = (SENT, KEPT, FAILED)


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@cache
def sender_address(mail_from: str) -> str:
    """The address part of MAIL_FROM ("Name <address>"): parsed once, not for every message."""
    return parseaddr(mail_from)[1]


def _message_id() -> str:
    settings = runtime.settings()
    sender = sender_address(settings.mail_from) if settings else ""
    domain = sender.rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


async def queue(**message: object) -> MailMessage:
    """Renders the message (see `compose`) and writes it for the mail job."""
    row = compose(**message)  # type: ignore[arg-type]
    await row.save()
    return row


def compose(
    *,
    to: str,
    kind: str,
    subject: str,
    template: str,
    to_name: str | None = None,
    user_id: int | None = None,
    booking_id: int | None = None,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    **context: object,
) -> MailMessage:
    """The message, rendered from `template` with `context`, not yet written."""
    subject = one_line(subject, 200)
    text, html = render.render(template, subject=subject, **context)
    return fresh(
        MailMessage,
        to=to,
        to_name=one_line(to_name, 200) if to_name else None,
        user_id=user_id,
        booking_id=booking_id,
        kind=kind,
        subject=subject,
        body=text,
        html=html,
        calendar=calendar.decode() if calendar else None,
        calendar_method=calendar_method,
        message_id=_message_id(),
        status=PENDING,
        next_attempt_at=utcnow(),
    )


async def notice(
    *,
    to: str,
    kind: str,
    subject: str,
    body: str,
    user_id: int | None = None,
    link: Link | None = None,
) -> MailMessage:
    """A plain message: a few lines of text and at most one link."""
    return await queue(
        to=to, kind=kind, subject=subject, template="notice", user_id=user_id, body=body, link=link
    )
