"""Shared fixtures: a real database per session (SQLite file, or a throwaway PostgreSQL database
when TEST_DATABASE=postgres), the schema executed directly, and real servers on free ports."""

import asyncio
import dataclasses
import inspect
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from tortoise import Tortoise, connections
from tortoise.exceptions import OperationalError

import db
from config import Settings
from models.privacy import MailMessage
from schema.context import Context
from schema.root import build_schema
from server import create_app
from services import accounts, passwords
from tests import cheap_hashing
from tests.graphql_ops import SIGN_UP, VERIFY_EMAIL
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TEST_REDIS_URL")  # set by .ci/run's second pass

PASSWORD = "correct horse battery"


def pytest_report_header() -> str:
    return f"database backend: {BACKEND}; redis: {REDIS_URL or 'in-process bus'}"


def _admin(sql: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "postgres":
        name = f"bnm_test_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}"')
        yield f"{PG_SERVER}/{name}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Still argon2id, at a tiny cost (tests/cheap_hashing.py)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cheap_hashing.patches().items():
            patch.setattr(passwords, name, value)
        yield


@pytest.fixture(scope="session", autouse=True)
def fresh_redis() -> None:
    """The test Redis database starts empty (rate-limit windows, stray channels)."""
    if REDIS_URL:
        with redis.Redis.from_url(REDIS_URL) as client:
            client.flushdb()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        rate_limit_per_minute=0,
        encryption_key=Fernet.generate_key().decode(),  # shared by the test process and servers
        bus_prefix=f"bnm-test-{uuid.uuid4().hex[:8]}:",  # runs sharing a Redis never cross-talk
    )


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    await db.start_database(settings)
    yield
    await db.stop_database()


async def truncate_all() -> None:
    tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]
    connection = connections.get("default")
    if BACKEND == "postgres":
        # A live server's background job may hold locks at this moment: retry a deadlock.
        for attempt in range(5):
            try:
                await connection.execute_script(
                    f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
                )
                break
            except (OperationalError, asyncpg.exceptions.DeadlockDetectedError):
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2)
    else:
        for table in tables:
            await connection.execute_script(f"DELETE FROM {table}")


@pytest.fixture
async def clean_db(database: None) -> AsyncIterator[None]:
    """An empty database for this test."""
    await truncate_all()
    yield


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def ok(self) -> dict[str, Any]:
        assert not self.errors, self.errors
        assert self.data is not None
        return self.data


Execute = Callable[..., Awaitable[Result]]


@pytest.fixture(scope="session")
def schema(settings: Settings) -> Any:
    return build_schema(settings)


@pytest.fixture
async def gql(clean_db: None, schema: Any, settings: Settings) -> Execute:
    """Runs an operation through the schema as the holder of `token` (or anonymously)."""

    async def execute(
        query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Result:
        context = Context(settings=settings)
        live = await accounts.authenticate_session(token)
        if live is not None:
            context.user, context.token, context.session_id = live.user, token, live.session_id
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [e.formatted for e in result.errors or []]
        return Result(result.data, errors)

    return execute


async def mailed_code(address: str) -> str:
    """The code in the newest MailMessage to `address` (the e-mail stand-in)."""
    message = await MailMessage.filter(to=address, body__contains="code: ").order_by("-id").first()
    assert message is not None, f"nothing mailed to {address}"
    match = re.search(r"code: (\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def sign_up(gql: Execute) -> Callable[..., Awaitable[tuple[str, dict[str, Any]]]]:
    """Signs up through the schema and, unless `verified=False`, confirms the mailed code."""

    async def create(
        email: str = "host@example.com",
        name: str = "Hanna Host",
        time_zone: str = "UTC",
        *,
        verified: bool = True,
    ) -> tuple[str, dict[str, Any]]:
        variables = {
            "input": {"email": email, "password": PASSWORD, "name": name, "timeZone": time_zone}
        }
        data = (await gql(SIGN_UP, variables)).ok()["signUp"]
        if verified:
            code = await mailed_code(data["user"]["email"])
            assert (await gql(VERIFY_EMAIL, {"code": code})).ok() == {"verifyEmail": True}
        return data["token"], data["user"]

    return create


async def wait_until(
    condition: Callable[[], Any], *, within: float = 10.0, interval: float = 0.02
) -> Any:
    """Polls `condition` (a function, sync or async) until it returns something truthy, and
    returns that; fails after `within` seconds. For what gives no event to wait on."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not within {within} s: {getattr(condition, '__qualname__', condition)}"
            )
        await asyncio.sleep(interval)


def live_subscriptions(name: str) -> str:
    """The /metrics sample of `name`'s subscriptions registered on the bus (their resolvers
    count themselves once their fan-out group has subscribed)."""
    return f'bnm_live_subscriptions{{subscription="{name}"}}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpServer:
    """What HTTP tests need of a server: its address, a client, GraphQL over POST, /metrics."""

    url: str

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=30)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        async with self.client() as client:
            return await client.get(f"{self.url}{path}", **kwargs)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Result:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client() as client:
            response = await client.post(
                self.graphql, json={"query": query, "variables": variables}, headers=headers
            )
        body = response.json()
        return Result(body.get("data"), body.get("errors") or [])

    async def verify_email(self, address: str) -> None:
        """Confirms the code last mailed to `address`, as its holder would."""
        code = await mailed_code(address)
        assert (await self.post(VERIFY_EMAIL, {"code": code})).ok() == {"verifyEmail": True}

    async def metric(self, sample: str) -> float:
        """A sample's value on /metrics, e.g. 'bnm_live_subscriptions{subscription="x"}';
        0 when absent."""
        return (await self.metrics()).get(sample, 0.0)

    async def metrics(self) -> dict[str, float]:
        """Every sample on /metrics by name and labels."""
        text = (await self.get("/metrics")).text
        samples = (
            line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#")
        )
        return {name: float(value) for name, value in samples}

    async def until_metric(self, sample: str, value: float) -> None:
        """Waits until `sample` is `value` on /metrics."""
        await wait_until(lambda: self._metric_is(sample, value))

    async def _metric_is(self, sample: str, value: float) -> bool:
        return await self.metric(sample) == value


class AppServer(HttpServer):
    """`server.create_app` run inside the test process, its lifespan and middleware included,
    reached through httpx's ASGI transport: for tests of HTTP answers, not of the transport
    (WebSocket, TLS, uvicorn's own behaviour and other processes need a LiveServer)."""

    url = "http://127.0.0.1"

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000))
        return httpx.AsyncClient(transport=transport, base_url=self.url, timeout=30)


@dataclass
class LiveServer(HttpServer):
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def ws(self) -> str:
        return self.graphql.replace("http", "ws", 1)  # http→ws, https→wss

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_entries(self) -> list[dict[str, Any]]:
        """The server's JSON log lines, parsed."""
        return [json.loads(line) for line in self.log().splitlines() if line.startswith("{")]

    def access_lines(self, after: int = 0) -> list[dict[str, Any]]:
        """The access-log lines among the log's entries after the first `after`."""
        return [e for e in self.log_entries()[after:] if e["logger"] == "booknmeet.access"]

    async def logged_requests(self, count: int, after: int = 0) -> list[dict[str, Any]]:
        """Waits for the access-log lines of `count` requests after the log's first `after`
        entries (a request's line is its last, written once its answer has been sent)."""

        def written() -> list[dict[str, Any]] | None:
            lines = self.access_lines(after)
            return lines if len(lines) >= count else None

        return await wait_until(written)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a server the test settings."""
    return {
        **os.environ,
        "HOST": "127.0.0.1",
        "DATABASE_URL": settings.database_url,
        "RATE_LIMIT_PER_MINUTE": str(settings.rate_limit_per_minute),
        "ENCRYPTION_KEY": settings.encryption_key or "",
        "EVENT_BUS_PREFIX": settings.bus_prefix,
        **({"REDIS_URL": settings.redis_url} if settings.redis_url else {}),
    }


def start_server(
    settings: Settings, log_dir: Path, *, env: dict[str, str] | None = None, tls: bool = False
) -> LiveServer:
    """`python server.py` (with cheap password hashing: tests/run_server.py) in a child process
    on a free port, ready when /healthz answers."""
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    child_env = {**server_env(settings), "PORT": str(port), **(env or {})}
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "run_server.py")],
            cwd=log_dir,
            env=child_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"{'https' if tls else 'http'}://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            # Readiness only; the TLS test verifies the certificate itself.
            if httpx.get(f"{server.url}/healthz", timeout=1, verify=False).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")


# Background loops of shared servers stay quiet so they cannot race tests that run their own
# workers; their own mutations still publish at once (the unit of work around each operation).
QUIET = {
    "OUTBOX_POLL_SECONDS": "3600",
    "REMINDER_POLL_SECONDS": "3600",
    "CALENDAR_TICK_SECONDS": "3600",
    "CALENDAR_WRITE_SECONDS": "3600",
    "RETENTION_PURGE_SECONDS": "3600",
    "WEBHOOK_POLL_SECONDS": "3600",
    "HOLD_SWEEP_SECONDS": "3600",
    "MAIL_POLL_SECONDS": "3600",
}


@pytest.fixture(scope="session")
def live_server(
    database: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = start_server(settings, tmp_path_factory.mktemp("server"), env=QUIET)
    yield server
    server.stop()


@pytest.fixture
def server(live_server: LiveServer, clean_db: None) -> LiveServer:
    """The shared live server over an empty database."""
    return live_server


@asynccontextmanager
async def serve_in_process(settings: Settings) -> AsyncIterator[AppServer]:
    """The app of `settings` in this process, between its lifespan's start-up and shutdown."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
        yield AppServer(app)


@pytest.fixture(scope="session")
async def app_server(database: None, settings: Settings) -> AsyncIterator[AppServer]:
    quiet = Settings.from_env({**server_env(settings), **QUIET})
    async with serve_in_process(quiet) as served:
        yield served


@pytest.fixture
def http(app_server: AppServer, clean_db: None) -> AppServer:
    """The shared in-process app over an empty database."""
    return app_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port (tests/smtp.py); stopped afterwards."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def mail_settings(settings: Settings, smtp_port: int, **changes: Any) -> Settings:
    """The test settings sending to the SMTP server on `smtp_port`."""
    values: dict[str, Any] = {
        "mail_url": f"smtp://127.0.0.1:{smtp_port}",
        "mail_retry_seconds": 0.2,
    }
    return dataclasses.replace(settings, **{**values, **changes})
