"""`python server.py backup` and `python server.py restore FILE`: consistent database snapshots.

SQLite: the online backup API (a consistent copy while the server runs). PostgreSQL: `pg_dump`
in its custom format, restored with `pg_restore` in one transaction. A snapshot is written under
a temporary name and renamed when complete, so a file named like a snapshot is a whole one.
"""

import os
import shutil
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from config import ConfigError, Settings

PREFIX = "booknmeet-"
SUFFIXES = (".sqlite3", ".dump")
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
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
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
