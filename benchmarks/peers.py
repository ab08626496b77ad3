"""What a user could pick instead of this server, for benchmarks/http_speed.py, each served by its
own uvicorn child over the same database file and the same tortoise models:

- `strawberry_app`: a minimal strawberry + tortoise GraphQL server (no limits, no logs, no
  metrics, no security headers; strawberry's parser and validation caches on), with the two
  operations the benchmark sends: `eventType(id) { title }` and `bookings(first) { edges { node
  { id start attendeeName eventType { title host { name } } } } }` for the bearer token's user,
  the way its documentation shows (select_related for the joined rows);
- `rest_app`: Starlette + the same tortoise read as REST, `GET /rest/event-types/{id}` answering
  `{"data": {"eventType": {"title": ...}}}`;
- `raw_app`: Starlette parsing a JSON body and answering a small JSON object, no database.

`uvicorn benchmarks.peers:strawberry_app` etc. (each built on first access).
"""

import contextlib
import functools
import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextlib.asynccontextmanager
async def _tortoise(app: Any) -> AsyncIterator[None]:
    from tortoise import Tortoise

    import db

    # The global context: the lifespan runs in another task than the requests.
    await Tortoise.init(
        config=db.tortoise_config(os.environ["DATABASE_URL"]), _enable_global_fallback=True
    )
    try:
        yield
    finally:
        await Tortoise.close_connections()


@functools.cache
def _strawberry_app() -> Any:
    import strawberry
    from starlette.applications import Starlette
    from starlette.routing import Route
    from strawberry.asgi import GraphQL
    from strawberry.extensions import ParserCache, ValidationCache

    from models.booking import Booking
    from models.event_type import EventType
    from models.user import AuthToken
    from services.tokens import token_hash

    @strawberry.type(name="PublicHost")
    class PublicHostType:
        name: str

    @strawberry.type(name="EventType")
    class EventTypeType:
        row: strawberry.Private[EventType]
        title: str

        @strawberry.field
        def host(self) -> PublicHostType:
            return PublicHostType(name=self.row.host.name)

    @strawberry.type(name="Booking")
    class BookingType:
        row: strawberry.Private[Booking]
        id: strawberry.ID
        start: datetime
        attendee_name: str

        @strawberry.field
        def event_type(self) -> EventTypeType:
            row = self.row.event_type
            return EventTypeType(row=row, title=row.title)

    @strawberry.type(name="BookingEdge")
    class BookingEdgeType:
        node: BookingType

    @strawberry.type(name="BookingConnection")
    class BookingConnectionType:
        edges: list[BookingEdgeType]

    @strawberry.type
    class Query:
        @strawberry.field
        async def event_type(self, id: strawberry.ID) -> EventTypeType | None:
            row = await EventType.get_or_none(id=int(id), active=True)
            return None if row is None else EventTypeType(row=row, title=row.title)

        @strawberry.field
        async def bookings(self, info: strawberry.Info, first: int = 20) -> BookingConnectionType:
            header = info.context["request"].headers.get("authorization", "")
            token = await AuthToken.get_or_none(
                token_hash=token_hash(header.removeprefix("Bearer ")), revoked_at=None
            )
            if token is None:
                raise PermissionError("sign in")
            rows = (
                await Booking.filter(host_id=token.user_id)
                .order_by("-id")
                .limit(first)
                .select_related("event_type__host")
            )
            return BookingConnectionType(
                edges=[
                    BookingEdgeType(
                        node=BookingType(
                            row=row,
                            id=strawberry.ID(str(row.id)),
                            start=row.start,
                            attendee_name=row.attendee_name,
                        )
                    )
                    for row in rows
                ]
            )

    # strawberry's own caches of parsed and validated documents: without them graphql-core
    # validates every request again (~2 ms for the small query), a strawman to compare with.
    schema = strawberry.Schema(
        query=Query, extensions=[ParserCache(maxsize=1024), ValidationCache(maxsize=1024)]
    )
    graphql = GraphQL(schema, graphql_ide=None)
    return Starlette(
        routes=[Route("/graphql", graphql, methods=["GET", "POST"])], lifespan=_tortoise
    )


@functools.cache
def _rest_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from models.event_type import EventType

    async def event_type(request: Request) -> JSONResponse:
        row = await EventType.get_or_none(id=int(request.path_params["id"]), active=True)
        if row is None:
            return JSONResponse({"data": {"eventType": None}}, status_code=404)
        return JSONResponse({"data": {"eventType": {"title": row.title}}})

    return Starlette(routes=[Route("/rest/event-types/{id:int}", event_type)], lifespan=_tortoise)


@functools.cache
def _raw_app() -> Any:
    """POST /json: the JSON body parsed, a small JSON object answered (GET: without a body)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def raw_json(request: Request) -> JSONResponse:
        body = await request.json() if request.method == "POST" else {}
        return JSONResponse({"data": {"ok": True, "keys": len(body)}})

    return Starlette(routes=[Route("/json", raw_json, methods=["GET", "POST"])])


def __getattr__(name: str) -> Any:
    # Built on first access: importing this module imports neither starlette nor the models.
    builders = {"strawberry_app": _strawberry_app, "rest_app": _rest_app, "raw_app": _raw_app}
    if name in builders:
        return builders[name]()
    raise AttributeError(name)
