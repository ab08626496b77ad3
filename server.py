"""The ASGI app (`uvicorn server:app`) and the `python server.py` entry point."""

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

import db
from config import Settings
from graphql_app import GraphQLApp
from services import events
from subscriptions.bus import EventBus, bus_from_url

log = logging.getLogger("booknmeet")
DISPATCH_INTERVAL = 2.0


async def dispatch_forever(bus: EventBus, interval: float = DISPATCH_INTERVAL) -> None:
    """Publishes what committed but was not yet published (at start: what a crash left behind)."""
    while True:
        try:
            await events.flush(bus)
        except Exception:
            log.exception("publishing outbox events failed; retrying")
        await asyncio.sleep(interval)


async def healthz(request: Request) -> JSONResponse:
    try:
        await db.ping()
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    bus = bus_from_url(settings.redis_url)
    graphql = GraphQLApp(settings, bus)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.start_database(settings)
        await bus.start()
        dispatcher = asyncio.create_task(dispatch_forever(bus))
        try:
            yield
        finally:
            dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatcher
            await bus.stop()
            await db.stop_database()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


def app_factory() -> Starlette:
    return create_app()


def __getattr__(name: str) -> Starlette:
    # `uvicorn server:app --workers N` imports `app`; built on first access, not on every import.
    if name == "app":
        return create_app()
    raise AttributeError(name)


def serve(settings: Settings) -> None:
    uvicorn.run(
        "server:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        ssl_certfile=settings.ssl_certfile,
        ssl_keyfile=settings.ssl_keyfile,
        proxy_headers=False,
    )


async def _makemigrations() -> None:
    from tortoise import Tortoise
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = db.tortoise_config("sqlite://:memory:")
    await Tortoise.init(config=config)
    try:
        written = await MigrationAutodetector(Tortoise.apps, config["apps"]).write()
    finally:
        await Tortoise.close_connections()
    print("\n".join(written) or "No model changes.")


def main(argv: list[str]) -> None:
    settings = Settings.from_env()
    command = argv[0] if argv else "serve"
    if command == "serve":
        serve(settings)
    elif command == "migrate":
        asyncio.run(db.start_database(settings))
    elif command == "makemigrations":
        asyncio.run(_makemigrations())
    else:
        sys.exit(f"usage: python server.py [serve|migrate|makemigrations]; unknown {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
