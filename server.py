"""The ASGI app (`uvicorn server:app`) and the `python server.py` entry point."""

import asyncio
import contextlib
import functools
import logging
import sys
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

import backups
import cli
import db
import gc_policy
import observability
import tracing
from config import Settings
from events.bus import bus_from_url
from events.outbox import Outbox
from events.runner import Job, Runner
from graphql_app import GraphQLApp
from models.user import User
from services import calendar_writes, calendars, holds, reminders, retention, webhooks
from services.mail import delivery
from services.mail import retention as mail_retention
from web import export, ical, mailbox, oauth, pages
from web.middleware import Front
from web.websocket_protocol import LeanWebSocketsProtocol

log = logging.getLogger("booknmeet")


BACKUP_EXPIRY_SECONDS = 3600.0


def background_jobs(settings: Settings, outbox: Outbox) -> list[Job]:
    """The server's background work. The outbox dispatch runs first thing, publishing what a
    crash left committed but unpublished."""
    return [
        Job("outbox", settings.outbox_poll_seconds, outbox.flush),
        Job("reminders", settings.reminder_poll_seconds, reminders.fire_due),
        Job(
            "webhooks",
            settings.webhook_poll_seconds,
            functools.partial(webhooks.deliver_all_due, settings),
        ),
        Job("webhook-prune", webhooks.PRUNE_EVERY_SECONDS, webhooks.prune, once_per_interval=True),
        # retention.purge claims its own hourly slot (and records it), so every worker may try.
        Job("retention", settings.retention_purge_seconds, retention.purge),
        Job(
            "calendars",
            settings.calendar_tick_seconds,
            functools.partial(calendars.sync_due, settings),
        ),
        Job(
            "calendar-writes",
            settings.calendar_write_seconds,
            functools.partial(calendar_writes.run_due, settings),
        ),
        Job("gc", settings.gc_full_seconds, gc_policy.collect_old),
        # Expired slot holds free their slots (and the booking pages are told).
        Job("holds", settings.hold_sweep_seconds, holds.sweep),
        # Claims its own rows: every worker sends, none sends a message twice.
        Job("mail", settings.mail_poll_seconds, functools.partial(delivery.deliver_due, settings)),
        Job(
            "mail-retention",
            mail_retention.PURGE_SECONDS,
            mail_retention.purge,
            once_per_interval=True,
        ),
        # Snapshots in BACKUP_DIR past BACKUP_RETENTION_DAYS go even on days without a backup.
        Job(
            "backup-expiry",
            BACKUP_EXPIRY_SECONDS,
            functools.partial(backups.expire_job, settings),
        ),
    ]


async def healthz(request: Request) -> JSONResponse:
    try:
        await db.ping()
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def front(app: ASGIApp, settings: Settings, graphql: GraphQLApp) -> Front:
    """The access log, security headers, body limit and CORS as one middleware."""
    cors = CORSMiddleware(
        app,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    return Front(app, max_bytes=settings.max_body_bytes, cors=cors, direct={"/graphql": graphql})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    if settings.mail_url:
        delivery.parse_mail_url(settings.mail_url)  # a wrong MAIL_URL stops the start, loudly
    traced = tracing.configure(settings)  # before the schema, which adds its extension if on
    bus = bus_from_url(settings.redis_url, prefix=settings.bus_prefix)
    graphql = GraphQLApp(settings, bus)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.start_database(settings)
        # A database restored by other means than `restore` forgets the erased before serving.
        reapplied = await backups.forget_restored(settings)
        if reapplied.total:
            log.warning("erasures applied again at start-up: %s", reapplied)
        await bus.start()
        gc_policy.apply()
        observability.watch_gc()
        observability.watch_process(bus)
        runner = Runner(graphql.outbox, background_jobs(settings, graphql.outbox))
        runner.start()
        listeners = []
        if graphql.public_cache is not None:
            listeners.append(asyncio.create_task(graphql.public_cache.listen(graphql.outbox)))
        try:
            yield
        finally:
            await runner.stop()
            for listener in listeners:
                listener.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)
            await bus.stop()
            await db.stop_database()

    app = Starlette(
        routes=[
            # First: starlette tries the routes in order, and nearly every request is GraphQL.
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/metrics", observability.metrics),
            Route("/ical/{token}.ics", ical.host_feed),
            Route("/ical/booking/{booking_id}.ics", ical.booking_file),
            Route("/export/{token}", export.download),
            Route("/oauth/callback/{provider}", oauth.callback),
            Route("/dev/mailbox", mailbox.dev_mailbox),
            Route("/dashboard", pages.dashboard),
            Route("/reset-password", pages.reset_password),
            Route("/book/{event_type_id}", pages.book),
            Route("/book/{handle}/{slug}", pages.book_by_handle),
            Route("/manage/{token}", pages.manage),
            Route("/privacy", pages.privacy),
            Mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static"),
        ],
        lifespan=lifespan,
        middleware=[
            *([Middleware(tracing.TraceRequests)] if traced else []),  # the access line inside
            Middleware(front, settings=settings, graphql=graphql),
        ],
    )
    app.state.settings = settings
    app.state.graphql = graphql
    app.state.outbox = graphql.outbox
    return app


def app_factory() -> Starlette:
    """What `python server.py serve` runs in each worker process (their logging included)."""
    settings = Settings.from_env()
    observability.configure_logging(settings)
    return create_app(settings)


def __getattr__(name: str) -> Starlette:
    # `uvicorn server:app --workers N` imports `app`; built on first access, not on every import.
    if name == "app":
        return create_app()
    raise AttributeError(name)


def serve(settings: Settings) -> None:
    """uvicorn with WORKERS processes; cli.py checked the settings before."""
    observability.configure_logging(settings)
    uvicorn.run(
        "server:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # A worker busy importing and migrating can miss uvicorn's 5 s ping on a loaded machine
        # and be killed over and over; 30 s still catches a hung one.
        timeout_worker_healthcheck=30,
        ssl_certfile=settings.ssl_certfile,
        ssl_keyfile=settings.ssl_keyfile,
        ws=LeanWebSocketsProtocol,  # uvicorn's websockets-sansio, less memory per idle socket
        ws_per_message_deflate=settings.ws_compression,
        ws_max_size=settings.max_body_bytes,
        proxy_headers=False,
        access_log=False,  # AccessLog writes JSON lines with secret paths redacted
        log_config=None,
    )


async def make_migrations() -> None:
    from tortoise import Tortoise
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = db.tortoise_config("sqlite://:memory:")
    await Tortoise.init(config=config)
    try:
        written = await MigrationAutodetector(Tortoise.apps, config["apps"]).write()
    finally:
        await Tortoise.close_connections()
    print("\n".join(written) or "No model changes.")


async def create_admin(settings: Settings, email: str) -> None:
    """Makes an existing account staff (the first admin has no one to ask)."""
    await db.start_database(settings)
    try:
        updated = await User.filter(email=email.strip().lower()).update(role="admin")
    finally:
        await db.stop_database()
    if not updated:
        sys.exit(f"no account with e-mail {email}: sign up first")
    print(f"{email} is now an admin")


def main(argv: list[str]) -> None:
    cli.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
