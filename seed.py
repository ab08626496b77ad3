"""Demo data: `python server.py seed [--password PASSWORD]`.

Fills the configured database (DATABASE_URL; the embedded SQLite file by default) with a demo
host, `demo@booknmeet.example`, three event types, weekly working hours and a few bookings, so
`/dashboard` and `/book/<id>` show something on a fresh machine. Idempotent: what exists is
kept, what is missing is added. The password is printed when the host is created (random unless
given); on later runs it stays unchanged unless `--password` is given.
"""

import argparse
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import db
from config import Settings
from models.booking import Booking
from models.event_type import EventType
from models.schedule import Schedule
from models.user import User
from services import accounts, availability, bookings, event_types, slots
from services.clock import utcnow
from services.event_types import EventTypeData
from services.passwords import hash_password

DEMO_EMAIL = "demo@booknmeet.example"
DEMO_NAME = "Dana Demo"
DEMO_ZONE = "Europe/London"

EVENT_TYPES = (
    EventTypeData(
        title="Intro call",
        slug="intro-call",
        description="A first, short conversation: what you need and whether I can help.",
        duration_minutes=30,
        location_kind="VIDEO",
        location="Video link in the invitation",
        minimum_notice_minutes=60,
    ),
    EventTypeData(
        title="Consultation",
        slug="consultation",
        description="An hour on your project, with 15 minutes to breathe afterwards.",
        duration_minutes=60,
        location_kind="IN_PERSON",
        location="1 Example Street, London",
        buffer_after_minutes=15,
        minimum_notice_minutes=240,
    ),
    EventTypeData(
        title="Coffee chat",
        slug="coffee-chat",
        description="Fifteen informal minutes. I confirm each request.",
        duration_minutes=15,
        location_kind="PHONE",
        requires_confirmation=True,
    ),
)

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
WEEKLY_RULES = [
    *((day, "09:00", "12:30") for day in WEEKDAYS),
    *((day, "13:30", "17:30") for day in WEEKDAYS),
    ("SATURDAY", "10:00", "14:00"),
]

# (event type slug, guest name, guest e-mail, cancelled?)
BOOKINGS = (
    ("intro-call", "Ada Lovelace", "ada@example.com", False),
    ("consultation", "Grace Hopper", "grace@example.com", False),
    ("intro-call", "Alan Turing", "alan@example.com", False),
    ("coffee-chat", "Katherine Johnson", "katherine@example.com", False),
    ("intro-call", "Linus Pauling", "linus@example.com", True),
)
SEARCH_DAYS = 30


@dataclass
class SeedReport:
    email: str
    password: str | None  # None: the host existed and its password was left as it was
    host_created: bool
    event_types: dict[str, int] = field(default_factory=dict)  # slug → id
    bookings_created: int = 0


async def _host(password: str | None) -> tuple[User, str | None, bool]:
    user = await User.get_or_none(email=DEMO_EMAIL)
    if user is None:
        password = password or secrets.token_urlsafe(12)
        session = await accounts.sign_up(
            accounts.SignUp(
                email=DEMO_EMAIL, password=password, name=DEMO_NAME, time_zone=DEMO_ZONE
            )
        )
        # The demo address is the operator's own: nothing to confirm.
        await User.filter(id=session.user.id).update(
            email_verified_at=utcnow(), email_code_hash=None
        )
        return await User.get(id=session.user.id), password, True
    if password:
        await User.filter(id=user.id).update(password_hash=await hash_password(password))
    return user, password, False


async def _first_free(event_type: EventType, after: datetime) -> datetime | None:
    end = after + timedelta(days=SEARCH_DAYS)
    found, _ = await slots.available(event_type.id, after, end, None)
    return found[0][0] if found else None


async def _bookings(user: User, types: dict[str, EventType]) -> int:
    """A few bookings from now on, one per day so the dashboard shows today and upcoming."""
    if await Booking.filter(host_id=user.id).exists():
        return 0
    zone = ZoneInfo(DEMO_ZONE)
    created = 0
    used_days: set[date] = set()
    for slug, name, email, cancelled in BOOKINGS:
        start = await _first_free(types[slug], utcnow())
        while start is not None and start.astimezone(zone).date() in used_days:
            next_day = start.astimezone(zone).date() + timedelta(days=1)
            start = await _first_free(types[slug], datetime.combine(next_day, time(), zone))
        if start is None:
            continue
        request = bookings.BookingRequest(
            event_type_id=types[slug].id,
            start=start,
            name=name,
            email=email,
            time_zone="Europe/Paris",
            notes="Booked by the demo seed.",
        )
        booked = await bookings.book(request)
        if cancelled:
            await bookings.cancel(booked.booking, "Plans changed (demo data).")
        else:
            used_days.add(start.astimezone(zone).date())
        created += 1
    return created


async def populate(password: str | None = None) -> SeedReport:
    """Fills an already started database (see `seed` for the one that starts it)."""
    user, shown_password, created = await _host(password)
    report = SeedReport(email=DEMO_EMAIL, password=shown_password, host_created=created)
    types: dict[str, EventType] = {}
    for data in EVENT_TYPES:
        slug = str(data.slug)
        row = await EventType.get_or_none(host_id=user.id, slug=slug, active=True)
        types[slug] = row or await event_types.create(user, data)
        report.event_types[slug] = types[slug].id
    if not await Schedule.filter(host_id=user.id).exists():
        await availability.set_weekly(user, DEMO_ZONE, WEEKLY_RULES)
    report.bookings_created = await _bookings(user, types)
    return report


async def seed(settings: Settings, password: str | None = None) -> SeedReport:
    """Starts the database of `settings` (applying migrations), fills it, and closes it."""
    await db.start_database(settings)
    try:
        return await populate(password)
    finally:
        await db.stop_database()


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{location}"


def describe(report: SeedReport, settings: Settings) -> str:
    base = f"http://{settings.host}:{settings.port}"
    if settings.ssl_certfile and settings.ssl_keyfile:
        base = f"https://{settings.host}:{settings.port}"
    secret = report.password or "unchanged (`python server.py seed --password NEW` sets one)"
    lines = [
        f"Demo data ready in {_without_password(settings.database_url)}",
        f"  host:      {report.email}",
        f"  password:  {secret}",
        f"  dashboard: {base}/dashboard",
        *(f"  book:      {base}/book/{i}  ({slug})" for slug, i in report.event_types.items()),
        f"  bookings added: {report.bookings_created}",
    ]
    return "\n".join(lines)


async def main(settings: Settings, argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python server.py seed", description=__doc__)
    parser.add_argument("--password", help="set the demo host's password (else random/kept)")
    args = parser.parse_args(argv)
    report = await seed(settings, args.password)
    print(describe(report, settings))
