"""`python server.py seed`: a demo host with a printed password, event types, weekly hours and
bookings; running it again adds only what is missing."""

import asyncio
import os
import re
import sys

from config import Settings
from models.booking import Booking
from models.event_type import EventType
from models.notification import Notification
from models.schedule import Schedule
from models.user import User
from seed import DEMO_EMAIL, populate
from services import accounts
from tests.conftest import ROOT


async def run_seed(settings: Settings, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tests" / "run_server.py"),  # server.py, hashing cheaply
        "seed",
        *args,
        env={**os.environ, "DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, output.decode()
    return output.decode()


async def counts() -> tuple[int, int, int, int]:
    host = await User.get(email=DEMO_EMAIL)
    return (
        await User.all().count(),
        await EventType.filter(host_id=host.id, active=True).count(),
        await Schedule.filter(host_id=host.id).count(),
        await Booking.filter(host_id=host.id).count(),
    )


async def test_the_seed_command_fills_an_empty_database_once(
    clean_db: None, settings: Settings
) -> None:
    first = await run_seed(settings)
    password = re.search(r"password:\s+(\S+)", first)
    assert password, first
    assert DEMO_EMAIL in first and "/dashboard" in first and "/book/" in first
    session = await accounts.log_in(DEMO_EMAIL, password[1])
    assert session.user.name == "Dana Demo"

    users, types, schedules, bookings = await counts()
    assert (users, types, schedules) == (1, 3, 1)
    assert bookings >= 4
    statuses = set(await Booking.all().values_list("status", flat=True))
    assert {"CONFIRMED", "PENDING", "CANCELLED"} <= statuses
    assert await Notification.filter(user_id=session.user.id, read_at=None).exists()

    again = await run_seed(settings)
    assert "unchanged" in again and password[1] not in again
    assert await counts() == (users, types, schedules, bookings)
    assert await accounts.log_in(DEMO_EMAIL, password[1])  # the password was kept

    await run_seed(settings, "--password", "a new demo password")
    assert await accounts.log_in(DEMO_EMAIL, "a new demo password")
    assert await counts() == (users, types, schedules, bookings)


async def test_seeding_again_restores_what_is_missing(clean_db: None) -> None:
    report = await populate("demo password")
    assert report.host_created and report.password == "demo password"
    assert sorted(report.event_types) == ["coffee-chat", "consultation", "intro-call"]
    before = await counts()
    await EventType.filter(slug="consultation").update(active=False, slug="retired")
    await Schedule.all().delete()

    again = await populate()
    assert not again.host_created and again.password is None and again.bookings_created == 0
    assert await counts() == before
    assert again.event_types["intro-call"] == report.event_types["intro-call"]
    assert again.event_types["consultation"] != report.event_types["consultation"]
