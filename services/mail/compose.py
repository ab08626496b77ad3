"""A stored message -> the bytes of an `email.message.EmailMessage` ready for SMTP.

Headers come only from fixed strings, the configured sender and validated addresses: names and
subjects are made one line (domain.headers) and then set through the standard library's header
objects, whose SMTP policy refuses CR or LF in any header value. The envelope recipient is passed
to SMTP explicitly, so no header can add one.

Composing costs about 5 ms of CPU a message (the standard library parses every header it sets),
so the mail job composes in a separate process (`to_bytes` in a process pool): the event loop
that answers requests does not spend it."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from domain.headers import one_line


@dataclass(frozen=True, slots=True)
class Parts:
    """What a message is made of (plain values: they cross to the composing process)."""

    to: str
    to_name: str | None
    subject: str
    body: str
    html: str | None = None
    calendar: str | None = None
    calendar_method: str | None = None
    message_id: str | None = None


def build(parts: Parts, sender: str, *, now: datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = Address(display_name=one_line(parts.to_name or "", 200), addr_spec=parts.to)
    message["Subject"] = one_line(parts.subject, 200)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = parts.message_id or make_msgid()
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(parts.body)
    if parts.html:
        message.add_alternative(parts.html, subtype="html")
    if parts.calendar and parts.calendar_method:
        message.add_alternative(
            parts.calendar, subtype="calendar", params={"method": parts.calendar_method}
        )
    return message


def to_bytes(parts: Parts, sender: str) -> bytes:
    return build(parts, sender).as_bytes(policy=policy.SMTP)
