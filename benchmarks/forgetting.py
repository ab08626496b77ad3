"""What applying the erasure ledger again costs (services/forgetting.py): every server start does
it before serving, and `restore` after restoring. A SQLite database with USERS accounts, two
bookings each and a ledger of ENTRIES erasures; timed side by side with the database start-up it
follows (migrations checked, tortoise initialised):

- the start-up check (backups.forget_restored) with the ledger's copy in BACKUP_DIR holding
  nothing the database lacks (the usual case);
- applying the whole ledger again over every account and address (after a restore), when 1% of
  the accounts and of the invitee addresses came back and are erased again.

Goal: the usual start-up check costs about what the database start-up does (tens of
milliseconds), independent of the number of accounts; the whole ledger again is a restore's cost.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

import argparse
import asyncio
import secrets
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet

import backups
import db
from config import Settings
from models.booking import Booking
from models.erasure import ErasureEntry
from models.event_type import EventType
from models.user import User
from services import erasure_ledger, forgetting

START = datetime(2032, 3, 1, tzinfo=UTC)


async def fill(users: int, entries: int) -> tuple[list[User], list[str]]:
    accounts = [
        User(email=f"user{i}@example.com", name=f"User {i}", password_hash="x")
        for i in range(users)
    ]
    await User.bulk_create(accounts, batch_size=1000)
    accounts = await User.all().order_by("id")
    types = [
        EventType(host_id=u.id, title="Intro", slug="intro", duration_minutes=30) for u in accounts
    ]
    await EventType.bulk_create(types, batch_size=1000)
    type_of = dict(await EventType.all().values_list("host_id", "id"))
    rows = []
    invitees = [f"invitee{i}@example.com" for i in range(users)]
    for i, user in enumerate(accounts):
        for n in range(2):
            start = START + timedelta(hours=n)
            end = start + timedelta(minutes=30)
            rows.append(
                Booking(event_type_id=type_of[user.id], host_id=user.id, start=start, end=end,
                        busy_start=start, busy_end=end, attendee_name=f"Invitee {i}",
                        attendee_email=invitees[i], notes="notes")
            )  # fmt: skip
    await Booking.bulk_create(rows, batch_size=1000)
    later = datetime.now(UTC) + timedelta(days=1)
    await ErasureEntry.bulk_create(
        [
            ErasureEntry(kind=kind, digest=secrets.token_hex(32), erased_at=later)
            for kind in ("ACCOUNT", "ADDRESS")
            for _ in range(entries // 2)
        ],
        batch_size=1000,
    )
    return accounts, invitees


async def timed(run) -> float:
    began = time.perf_counter()
    await run()
    return time.perf_counter() - began


async def main(users: int, entries: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            database_url=f"sqlite://{Path(directory) / 'bench.sqlite3'}",
            encryption_key=Fernet.generate_key().decode(),
        )
        await db.start_database(settings)
        accounts, invitees = await fill(users, entries)
        await db.stop_database()

        started = await timed(lambda: db.start_database(settings))
        backups.write_ledger(Path(directory), await erasure_ledger.entries())
        in_directory = replace(settings, backup_dir=directory)
        usual = await timed(lambda: backups.forget_restored(in_directory))
        back = max(users // 100, 1)
        for user in accounts[:back]:
            await erasure_ledger.record_account(user)
        for email in invitees[-back:]:
            await erasure_ledger.record_address(email)
        result: list[forgetting.Reapplied] = []

        async def restore_case() -> None:
            result.append(await forgetting.reapply())

        restoring = await timed(restore_case)
        await db.stop_database()
    print(f"{users} accounts, {2 * users} bookings, {entries + 2 * back} ledger entries (SQLite)")
    print(f"database start-up:                      {started * 1000:8.1f} ms")
    print(f"start-up check, nothing new in the copy:{usual * 1000:8.1f} ms "
          f"({usual / started:.2f} of the start-up)")  # fmt: skip
    print(f"the whole ledger again, {result[0]}: {restoring * 1000:8.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.users, arguments.entries))
