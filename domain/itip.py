"""iTIP (RFC 5546) invitations for e-mail (RFC 6047): one VEVENT per booking whose UID never
changes and whose SEQUENCE is the booking's, so calendar clients update the entry in place
(METHOD:REQUEST) or remove it (METHOD:CANCEL with STATUS:CANCELLED). Pure: no ORM, no network."""

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from domain.headers import one_line
from domain.ical import PRODID

REQUEST, CANCEL = "REQUEST", "CANCEL"


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    email: str

    def address(self) -> vCalAddress:
        address = vCalAddress(f"mailto:{self.email}")
        address.params["CN"] = vText(one_line(self.name, 200))
        return address


@dataclass(frozen=True, slots=True)
class Invitation:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    organizer: Party
    attendee: Party
    tentative: bool = False
    location: str | None = None
    description: str | None = None
    url: str | None = None


def itip(invitation: Invitation, method: str, *, now: datetime | None = None) -> bytes:
    """The text/calendar object for `method` (REQUEST or CANCEL)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"method must be REQUEST or CANCEL, got {method!r}")
    if invitation.start.tzinfo is None or invitation.end.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    event = Event()
    event.add("UID", invitation.uid)
    event.add("DTSTAMP", _utc(now or datetime.now(UTC)))
    event.add("DTSTART", _utc(invitation.start))
    event.add("DTEND", _utc(invitation.end))
    event.add("SEQUENCE", invitation.sequence)
    if method == CANCEL:
        status = "CANCELLED"
    else:
        status = "TENTATIVE" if invitation.tentative else "CONFIRMED"
    event.add("STATUS", status)
    event.add("SUMMARY", one_line(invitation.summary, 200))
    event.add("ORGANIZER", invitation.organizer.address())
    attendee = invitation.attendee.address()
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("NEEDS-ACTION" if method == REQUEST else "DECLINED")
    attendee.params["RSVP"] = vText("FALSE")
    event.add("ATTENDEE", attendee)
    if invitation.location:
        event.add("LOCATION", invitation.location)
    if invitation.description:
        event.add("DESCRIPTION", invitation.description)
    if invitation.url:
        event.add("URL", invitation.url)
    calendar.add_component(event)
    return calendar.to_ical()


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)
