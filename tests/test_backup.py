"""`python server.py backup` and `restore FILE` on the configured backend: a snapshot taken, the
data changed, the snapshot restored; expired snapshots deleted; a wrong file refused. Backups keep
the promise to forget: a snapshot restored after people were erased comes back without them (the
erasure ledger applies every later erasure again), and the ledger holds no identifier in clear."""

import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import pytest
from cryptography.fernet import Fernet

import backups
from config import Settings
from models.booking import Booking
from models.event_type import EventType
from models.user import User
from server import background_jobs
from services import erasure_ledger, snapshots
from services.clock import utcnow
from services.forgetting import Reapplied
from services.personal_data import ERASED
from tests.conftest import (
    BACKEND,
    PASSWORD,
    PG_SERVER,
    QUIET,
    LiveServer,
    _admin,
    start_server,
)
from tests.graphql_ops import LOG_IN, SIGN_UP, VERIFY_EMAIL
from tests.resolvers.test_privacy_requests import CONFIRM, INVITEE, UPDATE
from tests.services.test_personal_data import read_elsewhere
from tests.subscriptions.test_live import BOOK, host_with_type, slot
from tests.test_cli import run


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: restoring replaces everything in it."""
    if BACKEND == "postgres":
        name = f"bnm_backup_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}"')
        yield f"{PG_SERVER}/{name}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{tmp_path / 'app.sqlite3'}"


async def sql(url: str, statement: str) -> int:
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            row = connection.execute(statement).fetchone()
        connection.close()
        return row[0] if row else 0
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(statement) or 0
    finally:
        await connection.close()


async def test_a_snapshot_restores_what_was_deleted_since(own_database, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    expired = backups / "booknmeet-20200101T000000000000Z.sqlite3"
    expired.write_bytes(b"old")
    old = time.time() - 31 * 86400
    os.utime(expired, (old, old))
    unrelated = backups / "notes.txt"
    unrelated.write_text("kept")
    os.utime(unrelated, (old, old))
    env = {"DATABASE_URL": own_database, "BACKUP_DIR": str(backups)}

    seeded = run("seed", "--password", "demo password 1", cwd=tmp_path, **env)
    assert seeded.returncode == 0, seeded.stderr
    bookings = await sql(own_database, "SELECT count(*) FROM bookings")
    assert bookings > 0

    made = run("backup", cwd=tmp_path, **env)
    assert made.returncode == 0, made.stderr
    snapshot = Path(made.stdout.strip())
    assert snapshot.parent == backups and snapshot.name.startswith("booknmeet-")
    assert snapshot.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    assert not expired.exists() and unrelated.exists()  # BACKUP_RETENTION_DAYS: 30
    ledger = backups / "erasure-ledger.jsonl"  # keyed hashes of erasures: kept, never pruned
    assert sorted(p.name for p in backups.iterdir()) == sorted(
        [snapshot.name, "notes.txt", ledger.name]
    )
    assert ledger.stat().st_mode & 0o077 == 0
    recorded = "SELECT size_bytes FROM backup_snapshots WHERE name = '" + snapshot.name + "'"
    assert await sql(own_database, recorded) == snapshot.stat().st_size

    await sql(own_database, "DELETE FROM bookings")
    assert await sql(own_database, "SELECT count(*) FROM bookings") == 0

    restored = run("restore", str(snapshot), cwd=tmp_path, **env)
    assert restored.returncode == 0, restored.stderr
    assert await sql(own_database, "SELECT count(*) FROM bookings") == bookings


async def test_restore_refuses_a_file_that_is_not_a_snapshot(own_database, tmp_path):
    env = {"DATABASE_URL": own_database, "BACKUP_DIR": str(tmp_path)}
    assert run("migrate", cwd=tmp_path, **env).returncode == 0
    other = tmp_path / "other.txt"
    other.write_text("not a snapshot")
    refused = run("restore", str(other), cwd=tmp_path, **env)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"restore: {other} is not a "
        + ("pg_dump snapshot (DATABASE_URL is PostgreSQL)" if BACKEND == "postgres" else "")
        + ("SQLite snapshot (DATABASE_URL is SQLite)" if BACKEND != "postgres" else "")
    ]
    missing = run("restore", str(tmp_path / "missing.dump"), cwd=tmp_path, **env)
    assert missing.returncode == 1
    assert "No such file or directory" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_an_unwritable_backup_dir_is_a_configuration_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'app.sqlite3'}", "BACKUP_DIR": str(blocker)}
    result = run("backup", cwd=tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"BACKUP_DIR: cannot create {blocker}")


DELETE_ACCOUNT = "mutation($p: String!) { deleteAccount(password: $p) }"
ERASE_CLIENT = "mutation($e: String!) { eraseClientData(email: $e) }"
HOST_BOOKINGS = "{ bookings(first: 100) { edges { node { attendeeName attendeeEmail notes } } } }"


async def dump(url: str) -> str:
    """Every row of every table of the database, as text: what any query could find."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            tables = [
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            rows = [connection.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables]
        connection.close()
        return json.dumps(rows, default=str)
    connection = await asyncpg.connect(url)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        rows = [
            [dict(r) for r in await connection.fetch(f'SELECT * FROM "{t["tablename"]}"')]
            for t in tables
        ]
    finally:
        await connection.close()
    return json.dumps(rows, default=str)


async def mailed_code(url: str, address: str) -> str:
    body = await sql(
        url,
        'SELECT body FROM mail_messages WHERE "to" = \''
        + address
        + "' AND body LIKE '%code: %' ORDER BY id DESC LIMIT 1",
    )
    match = re.search(r"code: (\S+)", str(body))
    assert match, f"no code mailed to {address}"
    return match.group(1)


class World:
    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.tmp_path = tmp_path
        self.backups = tmp_path / "backups"
        self.backups.mkdir()
        self.key = Fernet.generate_key().decode()
        self.env = {
            "DATABASE_URL": url,
            "BACKUP_DIR": str(self.backups),
            "ENCRYPTION_KEY": self.key,
        }
        self.settings = Settings(database_url=url, encryption_key=self.key, rate_limit_per_minute=0)
        self.marker = uuid.uuid4().hex[:10]

    def serve(self) -> LiveServer:
        return start_server(
            self.settings, self.tmp_path, env={**QUIET, "BACKUP_DIR": str(self.backups)}
        )

    def command(self, *args: str) -> str:
        done = run(*args, cwd=self.tmp_path, **self.env)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def person(self, who: str) -> tuple[str, str]:
        """A name and an address that carry this test's marker."""
        return (
            f"{who} M{self.marker}{who}",
            f"{who.lower()}.m{self.marker}{who.lower()}@example.com",
        )


async def test_backup_erase_restore_the_erased_never_come_back(own_database, tmp_path):
    world = World(own_database, tmp_path)
    server = world.serve()
    try:
        host, type_id = await host_with_type(server, "host@example.com")
        carl_name, carl_email = world.person("Carl")  # an account, erased by deleteAccount
        ivy_name, ivy_email = world.person("Ivy")  # an invitee, erased by her privacy request
        cleo_name, cleo_email = world.person("Cleo")  # a client the host erased
        dora_name, dora_email = world.person("Dora")  # nobody erased her: she stays
        signed_up = (
            await server.post(
                SIGN_UP, {"input": {"email": carl_email, "password": PASSWORD, "name": carl_name}}
            )
        ).ok()["signUp"]
        carl = signed_up["token"]
        code = await mailed_code(world.url, carl_email)
        (await server.post(VERIFY_EMAIL, {"code": code}, token=carl)).ok()
        for hour, (name, email, token) in enumerate(
            [
                (carl_name, carl_email, carl),
                (ivy_name, ivy_email, None),
                (cleo_name, cleo_email, None),
                (dora_name, dora_email, None),
            ]
        ):
            booking = {"eventTypeId": type_id, "start": slot(hour=9 + hour), "name": name,
                       "email": email, "notes": f"notes of {name}"}  # fmt: skip
            (await server.post(BOOK, {"i": booking}, token=token)).ok()

        snapshot = Path(world.command("backup"))

        # After the snapshot: three erasures, by the three paths.
        (await server.post(DELETE_ACCOUNT, {"p": PASSWORD}, token=carl)).ok()
        assert (await server.post(ERASE_CLIENT, {"e": cleo_email}, token=host)).ok() == {
            "eraseClientData": 1
        }
        admin = (
            await server.post(
                SIGN_UP, {"input": {"email": "dpo@example.com", "password": PASSWORD, "name": "D"}}
            )
        ).ok()["signUp"]["token"]
        await sql(world.url, "UPDATE users SET role = 'admin' WHERE email = 'dpo@example.com'")
        (await server.post(INVITEE, {"e": ivy_email, "k": "ERASURE"})).ok()
        code = await mailed_code(world.url, ivy_email)
        request = (await server.post(CONFIRM, {"t": code})).ok()["confirmPrivacyRequest"]["id"]
        (await server.post(UPDATE, {"id": request, "s": "IN_PROGRESS"}, token=admin)).ok()
        done = {"id": request, "s": "COMPLETED", "r": "Erased"}
        (await server.post(UPDATE, done, token=admin)).ok()
    finally:
        server.stop()
    erased = [world.marker + "Carl", world.marker + "carl", world.marker + "Ivy",
              world.marker + "ivy", world.marker + "Cleo", world.marker + "cleo"]  # fmt: skip

    assert world.marker + "Carl" in snapshot.read_bytes().decode("latin-1") or BACKEND == "postgres"
    said = world.command("restore", str(snapshot))
    assert said.endswith("1 accounts, 1 addresses, 1 clients"), said

    everything = await dump(world.url)
    assert world.marker + "Dora" in everything, "the snapshot was restored"
    for marker in erased:
        assert marker not in everything, f"{marker} came back from the snapshot"
    if BACKEND == "sqlite":
        database = Path(world.url.removeprefix("sqlite://"))
        raw = read_elsewhere(database) + read_elsewhere(Path(f"{database}-wal"))
        assert world.marker.encode() + b"Dora" in raw
        for marker in erased:
            assert marker.encode() not in raw, f"{marker} lingers in the database file"

    server = world.serve()  # the start-up check finds nothing left to erase
    try:
        refused = await server.post(LOG_IN, {"e": carl_email, "p": PASSWORD})
        assert refused.codes == ["UNAUTHENTICATED"]
        host = (await server.post(LOG_IN, {"e": "host@example.com", "p": PASSWORD})).ok()
        seen = json.dumps((await server.post(HOST_BOOKINGS, token=host["logIn"]["token"])).ok())
        assert world.marker + "Dora" in seen
        for marker in erased:
            assert marker not in seen
        assert "erasures applied again at start-up" not in server.log()
    finally:
        server.stop()

    ledger = (world.backups / "erasure-ledger.jsonl").read_bytes()
    assert ledger.count(b"\n") == 4  # Carl's account and address, Cleo, Ivy
    stored = await dump(world.url)
    for text in (ledger.decode(), stored[stored.find("ACCOUNT") - 200 :]):
        assert world.marker not in text and "example.com" not in text
    for line in ledger.decode().splitlines():
        entry = json.loads(line)
        assert entry["kind"] in ("ACCOUNT", "ADDRESS", "CLIENT")
        assert re.fullmatch(r"[0-9a-f]{64}", entry["digest"])
        assert set(entry) == {"kind", "digest", "erasedAt"}

    # The live database lost: the ledger's copy beside the snapshots still forgets them.
    await lose(world.url)
    said = world.command("restore", str(snapshot))
    assert said.endswith("1 accounts, 1 addresses, 1 clients"), said
    everything = await dump(world.url)
    assert world.marker + "Dora" in everything
    for marker in erased:
        assert marker not in everything, f"{marker} came back with the database lost"


async def lose(url: str) -> None:
    if url.startswith("sqlite://"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite://") + suffix).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def test_a_snapshot_older_than_the_retention_is_not_restored(own_database, tmp_path):
    old = tmp_path / "booknmeet-20200101T000000000000Z.sqlite3"
    old.write_bytes(b"SQLite format 3\x00")
    env = {"DATABASE_URL": own_database, "BACKUP_DIR": str(tmp_path)}
    refused = run("restore", str(old), cwd=tmp_path, **env)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"restore: {old} is older than BACKUP_RETENTION_DAYS (30): the erasure ledger no "
        "longer covers it"
    )


async def test_the_server_job_expires_snapshots_and_ledger_entries(clean_db, settings, tmp_path):
    directory = tmp_path / "backups"
    directory.mkdir()
    expired, kept = (directory / f"booknmeet-{n}.sqlite3" for n in ("old", "new"))
    for path in (expired, kept):
        path.write_bytes(b"snapshot")
        await snapshots.record(path.name, utcnow(), 8)
    month_ago = time.time() - 31 * 86400
    os.utime(expired, (month_ago, month_ago))
    await erasure_ledger.record_address("gone@example.com", utcnow() - timedelta(days=31))
    await erasure_ledger.record_address("ivy@example.com")
    jobs = background_jobs(
        replace(settings, backup_dir=str(directory)), SimpleNamespace(flush=None)
    )
    job = next(j for j in jobs if j.name == "backup-expiry")

    await job.run()
    assert not expired.exists() and kept.exists()
    assert [s.name for s in await snapshots.kept()] == [kept.name]
    assert len(await erasure_ledger.entries()) == 1  # older than every snapshot: not needed
    assert len((directory / "erasure-ledger.jsonl").read_text().splitlines()) == 1
    missing = replace(settings, backup_dir=str(tmp_path / "none"))
    await backups.expire_job(missing)  # no BACKUP_DIR on this machine: nothing, nothing made
    assert not (tmp_path / "none").exists()


async def test_a_database_restored_by_hand_forgets_at_start_up(clean_db, settings, tmp_path):
    """The database lacks the ledger entries written after its snapshot; the copy beside the
    snapshots has them: the server's start-up check (server.py lifespan) adds them and erases
    again before serving."""
    host = await User.create(email="host@example.com", name="Hana", password_hash="x")
    intro = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    start = datetime(2032, 3, 1, 9, tzinfo=UTC)
    ivy = await Booking.create(
        event_type=intro, host=host, start=start, end=start + timedelta(minutes=30),
        busy_start=start, busy_end=start + timedelta(minutes=30),
        attendee_name="Ivy", attendee_email="ivy@example.com",
    )  # fmt: skip
    erasure = erasure_ledger.Entry("ADDRESS", erasure_ledger.address_digest("ivy@example.com"),
                                   utcnow())  # fmt: skip
    backups.write_ledger(tmp_path, [erasure])
    in_directory = replace(settings, backup_dir=str(tmp_path))

    assert await backups.forget_restored(in_directory) == Reapplied(addresses=1)  # server.py
    assert (await Booking.get(id=ivy.id)).attendee_name == ERASED
    assert len(await erasure_ledger.entries()) == 1
    assert await backups.forget_restored(in_directory) == Reapplied()  # nothing new: no scan
