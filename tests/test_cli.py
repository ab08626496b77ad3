"""`python server.py`: sub-commands with their help, the settings listed from config.py, and
start-up errors in one line that names the setting (exit status 2), before anything is migrated."""

import os
import re
import socket
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

import cli
from config import Settings, documented
from tests.conftest import BACKEND, PG_SERVER, ROOT, free_port, start_server


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python server.py ARGS` with only the given settings (none inherited from the tests)."""
    child_env = {k: v for k, v in os.environ.items() if k not in {d.env for d in documented()}}
    return subprocess.run(
        [sys.executable, str(ROOT / "server.py"), *args],
        cwd=cwd, env={**child_env, **env}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, no traceback
    return lines[0]


def test_help_describes_every_command(tmp_path):
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name, (_, summary) in cli.COMMANDS.items():
        listed = re.search(rf"^\s+{re.escape(name)}\s+(.+)$", result.stdout, re.MULTILINE)
        described = listed.group(1) if listed and listed.group(1).strip() else None
        if described is None:  # argparse wraps a long name's summary onto the next line
            described = result.stdout.split(name, 1)[1].split("\n", 2)[1].strip()
        assert summary.startswith(described.strip()), (name, described)
    assert "python server.py settings" in result.stdout


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_each_command_has_its_own_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python server.py {command}")
    assert cli.COMMANDS[command][1].capitalize() + "." in " ".join(out.split())


def test_settings_lists_every_setting_with_its_default(tmp_path):
    result = run("settings", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    for name in ("DATABASE_URL", "REDIS_URL", "LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        assert name in rows
    for doc in documented():
        assert rows[doc.env].split()[1:2] == doc.default.split()[:1], rows[doc.env]
    assert re.search(r"^PORT\s+8000\s", result.stdout, re.MULTILINE)
    assert re.search(r"^WS_MAX_SUBSCRIPTIONS\s+50\s", result.stdout, re.MULTILINE)


def test_every_listed_setting_is_read_from_its_variable():
    special = {"DATABASE_URL": "postgresql://u@h:1/d", "REDIS_URL": "redis://h:1/2"}
    special |= {"LOG_FORMAT": "json", "PORT": "8001"}
    defaults = Settings()
    for spec in fields(Settings):
        env, default = spec.metadata["env"], spec.default
        if env in special:
            value = special[env]
        elif isinstance(default, bool):
            value = "0" if default else "1"
        elif isinstance(default, int | float):
            value = str(default + 7)
        else:
            value = "a,b"
        changed = Settings.from_env({env: value})
        assert getattr(changed, spec.name) != getattr(defaults, spec.name), env
    assert Settings.from_env({}) == defaults


def test_an_unusable_value_names_its_variable(tmp_path):
    assert one_line_error(run(cwd=tmp_path, PORT="eighty")) == "PORT: 'eighty': not a whole number"
    line = one_line_error(run("migrate", cwd=tmp_path, DATABASE_URL="mysql://u:pw@h/db"))
    assert line == "DATABASE_URL: 'mysql://u:…@h/db': must start with sqlite:// or postgres://"


def test_an_unreachable_database_is_one_line_with_the_password_masked(tmp_path):
    port = free_port()  # nothing listens there
    url = f"postgres://app:s3cret-pw@127.0.0.1:{port}/app"
    result = run(cwd=tmp_path, DATABASE_URL=url, PORT=str(free_port()))
    line = one_line_error(result)
    assert line == f"DATABASE_URL: cannot connect to postgres://app:…@127.0.0.1:{port}/app: " + (
        "connection refused"
    )
    assert "s3cret-pw" not in result.stdout + result.stderr


@pytest.mark.skipif(BACKEND != "postgres", reason="a PostgreSQL server to refuse the login")
def test_a_database_that_does_not_exist_is_named(tmp_path):
    url = f"{PG_SERVER}/bnm_no_such_database"
    line = one_line_error(run("migrate", cwd=tmp_path, DATABASE_URL=url))
    assert line.startswith("DATABASE_URL: cannot connect to ")
    assert line.endswith(': database "bnm_no_such_database" does not exist')


def test_an_unreachable_redis_is_one_line(tmp_path):
    port = free_port()
    result = run(
        cwd=tmp_path,
        DATABASE_URL=f"sqlite://{tmp_path / 'app.sqlite3'}",
        REDIS_URL=f"redis://:pw@127.0.0.1:{port}/0",
        PORT=str(free_port()),
    )
    line = one_line_error(result)
    assert line == f"REDIS_URL: cannot connect to redis://:…@127.0.0.1:{port}/0: connection refused"


def test_a_taken_port_is_named_before_anything_is_migrated(tmp_path):
    database = tmp_path / "app.sqlite3"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(cwd=tmp_path, DATABASE_URL=f"sqlite://{database}", PORT=str(port))
    assert one_line_error(result) == f"PORT: 127.0.0.1:{port} is already in use"
    assert not database.exists()  # checked before the database was even opened


def test_a_missing_sqlite_directory_is_one_line(tmp_path):
    url = f"sqlite://{tmp_path / 'missing' / 'app.sqlite3'}"
    line = one_line_error(run("migrate", cwd=tmp_path, DATABASE_URL=url))
    assert line == f"DATABASE_URL: cannot open {url}: no such directory"


def test_migrate_applies_migrations_and_exits(tmp_path):
    database = tmp_path / "app.sqlite3"
    result = run("migrate", cwd=tmp_path, DATABASE_URL=f"sqlite://{database}")
    assert result.returncode == 0, result.stderr
    assert database.stat().st_size > 0


async def test_serve_runs_workers_processes_that_log_like_one(settings, database, tmp_path):
    server = start_server(settings, tmp_path, env={"WORKERS": "2"})
    try:
        for _ in range(4):
            (await server.post("query Who { me { id } }")).ok()
    finally:
        server.stop()
    entries = server.log_entries()
    started = {e["message"] for e in entries if e["message"].startswith("Started server process")}
    assert len(started) == 2, started
    assert not [e for e in entries if "died" in e["message"]]
    access = [e for e in entries if e["logger"] == "booknmeet.access" and e["operation"] == "Who"]
    assert len(access) == 4  # each worker configured its own (JSON) logging
