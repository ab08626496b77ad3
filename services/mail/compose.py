"""A stored message -> an `email.message.EmailMessage` ready for SMTP.

Headers come only from fixed strings, the configured sender and validated addresses: names and
subjects are made one line (domain.headers) and then set through the standard library's header
objects, whose SMTP policy refuses CR or LF in any header value. The envelope recipient is passed
to SMTP explicitly, so no header can add one."""

from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from domain.headers import one_line
from models.privacy import MailMessage


def build(row: MailMessage, sender: str, *, now: datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = Address(display_name=one_line(row.to_name or "", 200), addr_spec=row.to)
    message["Subject"] = one_line(row.subject, 200)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = row.message_id or make_msgid()
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    if row.html:
        message.add_alternative(row.html, subtype="html")
    if row.calendar and row.calendar_method:
        message.add_alternative(
            row.calendar, subtype="calendar", params={"method": row.calendar_method}
        )
    return message
