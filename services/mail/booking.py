"""The e-mails of a booking's life: created, confirmed, rescheduled, cancelled, reminders. Each
goes to the invitee (with an iTIP part whose UID is the booking's and whose SEQUENCE is the
booking's sequence, times in the zone they booked in, the manage link) and to the host (times
in the host's zone). Call inside the transaction of the change."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from domain import itip
from domain.headers import one_line
from domain.itip import CANCEL, REQUEST, Invitation, Party
from models.booking import CANCELLED, PENDING, Booking
from models.event_type import EventType
from models.privacy import MailMessage
from models.user import User
from services import crypto
from services.mail import outbox, runtime
from services.mail.outbox import Link

INVITEE_HEADLINES = {
    "CREATED": "Your meeting is booked.",
    "CREATED_PENDING": "Your request is in: the host will confirm it.",
    "CONFIRMED": "Your meeting is confirmed.",
    "RESCHEDULED": "Your meeting was moved.",
    "CANCELLED": "Your meeting was cancelled.",
}
INVITEE_SUBJECTS = {
    "CREATED": "Booked",
    "CREATED_PENDING": "Requested",
    "CONFIRMED": "Confirmed",
    "RESCHEDULED": "Moved",
    "CANCELLED": "Cancelled",
}
HOST_SUBJECTS = {
    "CREATED": "New booking",
    "CREATED_PENDING": "New booking to confirm",
    "CONFIRMED": "Confirmed",
    "RESCHEDULED": "Booking moved",
    "CANCELLED": "Booking cancelled",
}


def local_time(start: datetime, end: datetime, zone: str) -> str:
    """E.g. "Monday 7 January 2030, 10:00 to 10:30 (Europe/London)"."""
    tz = ZoneInfo(zone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{a:%A} {a.day} {a:%B %Y, %H:%M} to {b:%H:%M} ({zone})"


def manage_url(token: str) -> str:
    return f"{runtime.base_url()}/manage/{token}"


def keep_token(token: str) -> str | None:
    """The manage token encrypted for later e-mails (services/crypto.py), or None when this
    process has no settings to encrypt with."""
    settings = runtime.settings()
    return crypto.encrypt(settings, token) if settings else None


def _kept_token(booking: Booking) -> str | None:
    settings = runtime.settings()
    if settings is None or not booking.manage_token_encrypted:
        return None
    try:
        return crypto.decrypt(settings, booking.manage_token_encrypted)
    except ValueError:  # the key changed: the link is left out, the rest still goes
        return None


def _mailable(address: str) -> bool:
    return "@" in address  # erased bookings hold "[erased]"


def _invitation(booking: Booking, event_type: EventType, host: User, url: str | None) -> bytes:
    invitation = Invitation(
        uid=booking.calendar_uid(),
        sequence=booking.sequence,
        start=booking.start,
        end=booking.end,
        summary=f"{event_type.title} with {host.name}",
        # The platform's address: the host's own is never handed out.
        organizer=Party(host.name, _platform_address()),
        attendee=Party(booking.attendee_name, booking.attendee_email),
        tentative=booking.status == PENDING,
        location=booking.location or event_type.location,
        description=f"Manage this booking: {url}" if url else None,
        url=url,
    )
    return itip.itip(invitation, CANCEL if booking.status == CANCELLED else REQUEST)


def _platform_address() -> str:
    settings = runtime.settings()
    address = outbox.sender_address(settings.mail_from) if settings else ""
    return address or "no-reply@localhost"


async def _host(event_type: EventType, booking: Booking | None = None) -> User:
    """The booking's host: of a team event type the member it was given to, not the owner."""
    if event_type.team_id is not None and booking is not None:
        return await User.get(id=booking.host_id)
    host = event_type.host
    return host if isinstance(host, User) else await User.get(id=event_type.host_id)


async def booking_changed(
    booking: Booking,
    event_type: EventType,
    kind: str,
    manage_token: str | None = None,
    other_hosts: Sequence[int] = (),
) -> None:
    """`other_hosts`: the other hosts of a team booking, who get the host's message too."""
    others = await User.filter(id__in=other_hosts).order_by("id") if other_hosts else []
    host = await _host(event_type, booking)
    for message in changed_messages(booking, event_type, host, kind, manage_token, others):
        await message.save()


def changed_messages(
    booking: Booking,
    event_type: EventType,
    host: User,
    kind: str,
    manage_token: str | None,
    others: Sequence[User] = (),
) -> list[MailMessage]:
    """The invitee's message and each host's about the change, not yet written."""
    messages = []
    hosts = [host, *others]
    names = ", ".join(h.name for h in hosts)
    attendee = one_line(booking.attendee_name, 200)
    key = "CREATED_PENDING" if kind == "CREATED" and booking.status == PENDING else kind
    token = manage_token or _kept_token(booking)
    url = manage_url(token) if token else None
    reason = booking.cancel_reason if kind == "CANCELLED" else None
    if kind == "RESCHEDULED":
        reason = booking.reschedule_reason
    invitee_zone = booking.attendee_time_zone or "UTC"
    if _mailable(booking.attendee_email):
        facts = [
            ("What", event_type.title),
            ("When", local_time(booking.start, booking.end, invitee_zone)),
            ("With", names),
        ]
        if place := booking.location or event_type.location:
            facts.append(("Where", place))
        if reason:
            facts.append(("Reason", reason))
        method = CANCEL if booking.status == CANCELLED else REQUEST
        messages.append(
            outbox.compose(
                booking_id=booking.id,
                to=booking.attendee_email,
                to_name=booking.attendee_name,
                kind=f"BOOKING_{kind}",
                subject=f"{INVITEE_SUBJECTS[key]}: {event_type.title} with {names}",
                template="booking",
                greeting=f"Hello {attendee},",
                headline=INVITEE_HEADLINES[key],
                facts=facts,
                link=Link("Cancel or reschedule", url) if url and kind != "CANCELLED" else None,
                calendar=_invitation(booking, event_type, host, url),
                calendar_method=method,
            )
        )
    for each in hosts:
        facts = [
            ("What", event_type.title),
            ("When", local_time(booking.start, booking.end, each.time_zone)),
            ("Who", f"{attendee} <{booking.attendee_email}>"),
        ]
        if booking.notes and kind == "CREATED":
            facts.append(("Notes", booking.notes))
        if reason:
            facts.append(("Reason", reason))
        messages.append(
            outbox.compose(
                booking_id=booking.id,
                to=each.email,
                to_name=each.name,
                user_id=each.id,
                kind=f"BOOKING_{kind}",
                subject=f"{HOST_SUBJECTS[key]}: {event_type.title} with {attendee}",
                template="booking",
                greeting=f"Hello {each.name},",
                headline=f"{HOST_SUBJECTS[key]}.",
                facts=facts,
                link=Link("Your bookings", f"{runtime.base_url()}/dashboard"),
            )
        )
    return messages


async def reminder(booking: Booking, when: str) -> None:
    """`when`: "1 hour", "1 day"..."""
    event_type = booking.event_type
    host = await _host(event_type, booking)
    subject = f"Reminder: {event_type.title} in {when}"
    attendee = one_line(booking.attendee_name, 200)
    if _mailable(booking.attendee_email):
        token = _kept_token(booking)
        zone = booking.attendee_time_zone or "UTC"
        await outbox.queue(
            booking_id=booking.id,
            to=booking.attendee_email,
            to_name=booking.attendee_name,
            kind="REMINDER",
            subject=f"{subject} with {host.name}",
            template="booking",
            greeting=f"Hello {attendee},",
            headline=f"Your meeting starts in {when}.",
            facts=[
                ("What", event_type.title),
                ("When", local_time(booking.start, booking.end, zone)),
                ("With", host.name),
                *([("Where", place)] if (place := booking.location or event_type.location) else []),
            ],
            link=Link("Cancel or reschedule", manage_url(token)) if token else None,
        )
    await outbox.queue(
        booking_id=booking.id,
        to=host.email,
        to_name=host.name,
        user_id=host.id,
        kind="REMINDER",
        subject=f"{subject} with {attendee}",
        template="booking",
        greeting=f"Hello {host.name},",
        headline=f"Your meeting starts in {when}.",
        facts=[
            ("What", event_type.title),
            ("When", local_time(booking.start, booking.end, host.time_zone)),
            ("Who", f"{attendee} <{booking.attendee_email}>"),
        ],
        link=Link("Your bookings", f"{runtime.base_url()}/dashboard"),
    )
