"""`python server.py backup` and `python server.py restore FILE`: consistent database snapshots
that forget erased people.

SQLite: the online backup API (a consistent copy while the server runs). PostgreSQL: `pg_dump`
in its custom format, restored with `pg_restore` in one transaction. A snapshot is written under
a temporary name and renamed when complete, so a file named like a snapshot is a whole one.

Every erasure writes keyed hashes of what it erased into the erasure ledger (a table, in the
erasure's own transaction: services/erasure_ledger.py). A restore would roll that table back, so
`restore` first reads the ledger of the live database and the copy each `backup` keeps beside the
snapshots (LEDGER_FILE), puts their union back after restoring, and erases again every row they
cover (services/forgetting.py) before anything serves the restored data.
"""

import asyncio
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import db
from config import ConfigError, Settings
from services import erasure_ledger, forgetting, snapshots
from services.erasure_ledger import Entry

PREFIX = "booknmeet-"
SUFFIXES = (".sqlite3", ".dump")
STAMP = "%Y%m%dT%H%M%S%fZ"
LEDGER_FILE = "erasure-ledger.jsonl"  # keyed hashes only; not a snapshot, never pruned as one
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in one line."""


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore without its password (which goes in the environment, not
    on a command line every local user can read) and without tortoise's own query options."""
    parts = urlsplit(database_url)
    env = {**os.environ}
    if parts.password is not None:
        env["PGPASSWORD"] = parts.password
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(("postgresql", netloc, parts.path, "", "")), env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client tools")
    done = subprocess.run(  # noqa: S603 (a fixed tool, arguments built here)
        [executable, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise BackupError(f"{tool} failed: {lines[0] if lines else done.returncode}")


def _directory(settings: Settings) -> Path:
    directory = Path(settings.backup_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"BACKUP_DIR: cannot create {directory}: {exc.strerror}") from None
    if not os.access(directory, os.W_OK):
        raise ConfigError(f"BACKUP_DIR: {directory} is not writable")
    return directory


def backup(settings: Settings) -> Path:
    """Writes a snapshot into BACKUP_DIR, then deletes those older than the retention."""
    directory = _directory(settings)
    stamp = datetime.now(UTC).strftime(STAMP)
    suffix = ".sqlite3" if settings.is_sqlite else ".dump"
    target = directory / f"{PREFIX}{stamp}{suffix}"
    partial = directory / f".{target.name}.partial"
    try:
        if settings.is_sqlite:
            _sqlite_copy(settings.database_url.removeprefix("sqlite://"), partial)
        else:
            url, env = _libpq(settings.database_url)
            _run("pg_dump", ["--format=custom", "--no-owner", f"--file={partial}", url], env)
        partial.chmod(0o600)  # personal data
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    prune(directory, settings.backup_retention_days)
    return target


def _sqlite_copy(source: str, target: Path) -> None:
    if source != ":memory:" and not Path(source).is_file():
        raise BackupError(f"no database at {source}")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def prune(directory: Path, retention_days: float) -> list[Path]:
    """Deletes snapshot files (by name) modified more than `retention_days` ago."""
    cutoff = time.time() - retention_days * 86400
    removed = []
    for path in directory.iterdir():
        if (
            path.name.startswith(PREFIX)
            and path.suffix in SUFFIXES
            and path.is_file()
            and path.stat().st_mtime < cutoff
        ):
            path.unlink()
            removed.append(path)
    return removed


def restore(settings: Settings, file: str) -> None:
    """Replaces the database's content with the snapshot in `file` (made by `backup`)."""
    path = Path(file)
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {file}: {exc.strerror}") from None
    if settings.is_sqlite:
        if header != SQLITE_MAGIC:
            raise BackupError(f"{file} is not a SQLite snapshot (DATABASE_URL is SQLite)")
        with (
            sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True) as src,
            sqlite3.connect(settings.database_url.removeprefix("sqlite://")) as dst,
        ):
            src.backup(dst)
        src.close()
        dst.close()
        return
    if not header.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{file} is not a pg_dump snapshot (DATABASE_URL is PostgreSQL)")
    url, env = _libpq(settings.database_url)
    _run(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         f"--dbname={url}", str(path)],
        env,
    )  # fmt: skip


def taken_at(path: Path) -> datetime:
    """When a snapshot was taken: from its name, else its file's modification time."""
    stem = path.name.removeprefix(PREFIX).removesuffix(path.suffix)
    try:
        return datetime.strptime(stem, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def read_ledger(directory: Path) -> list[Entry]:
    path = directory / LEDGER_FILE
    if not path.is_file():
        return []
    found = []
    for line in path.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            erased_at = datetime.fromisoformat(item["erasedAt"])
            found.append(Entry(item["kind"], item["digest"], erased_at))
    return found


def write_ledger(directory: Path, found: list[Entry]) -> Path:
    path = directory / LEDGER_FILE
    # Every worker's hourly job may write it at once: each its own partial file, renamed whole.
    partial = directory / f".{LEDGER_FILE}.{os.getpid()}.{secrets.token_hex(4)}.partial"
    lines = [
        json.dumps({"kind": e.kind, "digest": e.digest, "erasedAt": e.erased_at.isoformat()})
        for e in found
    ]
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("".join(f"{line}\n" for line in lines))
    partial.rename(path)
    return path


async def keep_ledger(settings: Settings, directory: Path) -> None:
    """The database's ledger and the file's, merged into both; entries older than every snapshot
    kept are dropped (no restore needs them)."""
    await erasure_ledger.add(read_ledger(directory))
    await erasure_ledger.prune(datetime.now(UTC) - timedelta(days=settings.backup_retention_days))
    write_ledger(directory, await erasure_ledger.entries())


async def expire(settings: Settings, directory: Path) -> list[Path]:
    """Deletes expired snapshot files and records it; with the database started."""
    removed = prune(directory, settings.backup_retention_days)
    await snapshots.deleted(path.name for path in removed)
    await keep_ledger(settings, directory)
    return removed


async def run_backup(settings: Settings) -> Path:
    """`python server.py backup`: a snapshot, recorded; expired ones deleted."""
    directory = _directory(settings)
    await db.start_database(settings)
    try:
        target = await asyncio.to_thread(backup, settings)
        await snapshots.record(target.name, taken_at(target), target.stat().st_size)
        await expire(settings, directory)
    finally:
        await db.stop_database()
    return target


async def expire_job(settings: Settings) -> None:
    """The scheduled part of `backup`, in the server: retention of the snapshots and the ledger.
    Nothing when BACKUP_DIR does not exist (no backups are taken on this machine)."""
    directory = Path(settings.backup_dir)
    if _writable(directory):
        await expire(settings, directory)


def _writable(directory: Path) -> bool:
    return directory.is_dir() and os.access(directory, os.W_OK)


def _expired(snapshot: Path, retention_days: float) -> bool:
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    return snapshot.is_file() and taken_at(snapshot) < cutoff


async def _live_ledger(settings: Settings) -> list[Entry]:
    """The ledger of the database about to be overwritten; none when it cannot be read."""
    try:
        await db.start_database(settings)
        try:
            return await erasure_ledger.entries()
        finally:
            await db.stop_database()
    except Exception as exc:  # a lost or broken database: the file's ledger must do
        print(f"restore: the live database's erasure ledger was not read ({exc})", file=sys.stderr)
        return []


async def forget_restored(settings: Settings) -> forgetting.Reapplied:
    """At start-up, before serving: a database restored by other means than `restore` lacks the
    ledger entries written after its snapshot; the copy in BACKUP_DIR holds those up to the last
    backup. Only when it adds one is every erasure applied again (in the usual case the database's
    ledger already holds the file's, and this costs one read of each)."""
    found = read_ledger(Path(settings.backup_dir))
    if not found or not await erasure_ledger.add(found):
        return forgetting.Reapplied()
    return await forgetting.reapply()


async def run_restore(settings: Settings, file: str) -> forgetting.Reapplied:
    """`python server.py restore FILE`: the snapshot restored, then every erasure made after it
    applied again, before the command returns (and so before a server serves it)."""
    if _expired(Path(file), settings.backup_retention_days):
        raise BackupError(
            f"{file} is older than BACKUP_RETENTION_DAYS ({settings.backup_retention_days:g}): "
            "the erasure ledger no longer covers it"
        )
    directory = Path(settings.backup_dir)
    ledger = [*await _live_ledger(settings), *read_ledger(directory)]
    await asyncio.to_thread(restore, settings, file)
    await db.start_database(settings)  # migrates a snapshot of an older schema
    try:
        await erasure_ledger.add(ledger)
        reapplied = await forgetting.reapply()
        if _writable(directory):
            write_ledger(directory, await erasure_ledger.entries())
    finally:
        await db.stop_database()
    return reapplied
