"""strawberry's ASGI app with our context: bearer token on HTTP, connection_init on WebSocket."""

import time
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET
from strawberry.utils.operation import get_operation_type

from config import Settings
from events.bus import EventBus
from events.outbox import Outbox
from observability import current_request_id, observe_operation
from schema.context import Context, bearer_token
from schema.direct import Direct
from schema.root import build_schema
from services import accounts
from services.rate_limit import RateLimiter
from services.sessions import SessionLimits
from subscriptions.fanout import FanOut
from subscriptions.handlers import (
    BoundedWebSocketAdapter,
    LegacyWSHandler,
    TooDeep,
    TransportWSHandler,
)
from subscriptions.sessions import SessionWatch
from web import pages
from web.persisted_queries import PersistedQueries, PersistedQueryError
from web.persisted_queries import error_body as persisted_error
from web.public_cache import PublicCache

SUBSCRIPTION_OVER_HTTP = (
    "A subscription is served over WebSocket (graphql-transport-ws), or over HTTP when the "
    "request accepts multipart/mixed;subscriptionSpec=1.0 or text/event-stream."
)
HTTP_CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}


def decode_json(data: str | bytes) -> object:
    """Request bodies, GET variables and WebSocket messages: orjson refuses (JSONDecodeError,
    which strawberry answers as a 400 or a 4400 close) what json.loads let through to fail
    later: invalid UTF-8, lone surrogates (no database stores them), nesting beyond 1024."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        if str(error).startswith("depth limit exceeded"):
            raise TooDeep(error.msg, "", 0) from None
        raise


def too_large(size: int, limit: int) -> bytes:
    """The answer instead of one over MAX_RESPONSE_BYTES: an error, never a truncated body."""
    message = (
        f"The answer would be {size} bytes, more than the {limit} one response may hold "
        "(MAX_RESPONSE_BYTES): ask for fewer fields, smaller pages or a shorter window."
    )
    return orjson.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
    )


_JSON = (b"content-type", b"application/json")
VARY = (b"vary", b"Authorization")


class Ready:
    """An answer whose headers are already bytes (public-cache hits): sent as is, without
    building a starlette Response for it."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code, "headers": self.headers}
        await send(start)
        await send({"type": "http.response.body", "body": self.body})


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = BoundedWebSocketAdapter  # type: ignore[assignment]

    def __init__(self, settings: Settings, bus: EventBus) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
            allowed_origins=settings.allowed_origins,
        )
        self.settings = settings
        self.bus = bus
        self.outbox = Outbox(bus)
        self.fanout = FanOut(bus)
        self.limiter = RateLimiter(settings)
        self.session_limits = SessionLimits.from_settings(settings)
        self.session_watch = SessionWatch(bus, self.session_limits, settings.session_check_seconds)
        self.persisted = PersistedQueries()
        self.direct = Direct.of(self.schema)
        self.cache_control = b"public, max-age=%d" % int(settings.public_cache_ttl_seconds)
        self.public_cache = (
            PublicCache(
                max_entries=settings.public_cache_entries,
                ttl=settings.public_cache_ttl_seconds,
                max_tokens=settings.max_tokens,
            )
            if settings.public_cache
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but refusals before execution (a batch, a mutation over GET, a
        malformed body, an unknown persisted query) are GraphQL errors with a code, not plain
        text."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.answer(Request(scope=scope, receive=receive))
        except ClientDisconnect:
            return  # the client left before sending its request: nobody to answer
        except HTTPException as refused:
            code = HTTP_CODES.get(refused.status_code, "BAD_USER_INPUT")
            error = {"message": refused.reason, "extensions": {"code": code}}
            response = JSONResponse({"errors": [error]}, status_code=refused.status_code)
        except PersistedQueryError as refused:
            response = JSONResponse(persisted_error(refused), status_code=refused.status)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response | Ready:
        """From the public cache when it holds the answer (web/public_cache.py), else executed.
        Answers to public GET queries may be kept by HTTP caches too (ETag, 304)."""
        cache = self.public_cache
        if cache is None or not cache.listening:
            return await self.run(request)
        method = request.scope["method"]
        body = await request.body() if method == "POST" else b""
        key = cache.key_of(request.scope, body, self.persisted)
        if key is None:
            return await self.run(request)
        started = time.perf_counter()
        cached = cache.entry(key)
        if cached is not None:
            observe_operation(cache.operation(key), "query", started)
            answer, etag = cached
            if method == "GET":
                return self.http_cached(request, answer, etag)
            return Ready(200, [(b"content-length", b"%d" % len(answer)), _JSON], answer)
        generation = cache.generation  # before any row is read
        response = await self.run(request)
        if response.status_code == 200 and type(response) in (Response, Ready):
            etag = cache.store(key, bytes(response.body), generation)
            if etag is not None and method == "GET":
                return self.http_cached(request, bytes(response.body), etag)
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """A plain query or mutation over HTTP goes the direct path (schema/direct.py);
        everything else (WebSockets, GraphiQL, streams, errors before execution) strawberry's."""
        if self.direct is not None and context is UNSET and isinstance(request, Request):
            answer = await self.run_direct(request, self.direct)
            if answer is not None:
                return answer
        return await super().run(request, context, root_value)

    async def run_direct(self, request: Request, direct: Direct) -> Ready | None:
        """The request strawberry's view would execute, read as it reads it (refusals raise the
        same HTTPException), or None for strawberry to answer."""
        method = request.scope["method"]
        content_type = accept = ""
        for name, value in request.scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"accept":
                accept = value.decode("latin-1")
        if accept and self._get_stream_transport_from_headers({"accept": accept}):
            return None
        if method == "POST" and "application/json" in content_type:
            data = self.parse_json(await request.body())
        elif method == "GET" and (
            "query" in request.query_params or "extensions" in request.query_params
        ):
            data = self.parse_query_params(request.query_params)
        else:
            return None
        if not isinstance(data, dict):
            return None  # a batch: refused by strawberry's view
        query, variables = data.get("query"), data.get("variables")
        name, extensions = data.get("operationName"), data.get("extensions")
        if not (
            isinstance(variables, dict | None)
            and isinstance(extensions, dict | None)
            and isinstance(name, str | None)
        ):
            return None
        if extensions:
            query = self.persisted.resolve(query, extensions)
        if not isinstance(query, str):
            return None
        plan = direct.plan(query, name)
        if plan is None or (method == "GET" and plan.kind != OperationType.QUERY):
            return None
        context = await self.get_context(request)
        result = await direct.execute(plan, variables, context, extensions)
        body = self.encode_answer(process_result(result))
        return Ready(200, [(b"content-length", b"%d" % len(body)), _JSON], body)

    def http_cached(self, request: Request, answer: bytes, etag: str) -> Ready:
        """A public answer to a GET query, for browsers and CDNs to keep as long as the public
        cache would; 304 when the client holds it already."""
        tag = etag.encode()
        headers = [(b"cache-control", self.cache_control), (b"etag", tag), VARY]
        for name, given in request.scope["headers"]:
            if name == b"if-none-match" and (
                given.strip() == b"*"
                or tag in (t.strip().removeprefix(b"W/") for t in given.split(b","))
            ):
                return Ready(304, headers, b"")
        return Ready(200, [*headers, (b"content-length", b"%d" % len(answer)), _JSON], answer)

    async def execute_single(self, **kwargs: Any) -> Any:
        """As strawberry's, but a subscription sent as a plain request is refused: strawberry
        would execute it like a query, and its field's stream would be an internal error."""
        data: GraphQLRequestData = kwargs["request_data"]
        steps = getattr(self.schema, "steps", None)
        if steps is not None and isinstance(data.query, str):
            try:
                document = steps.parsed(data.query)
                kind = get_operation_type(document, data.operation_name)
            except (GraphQLError, RuntimeError):
                kind = None  # strawberry reports it
            if kind == OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIPTION_OVER_HTTP)
        return await super().execute_single(**kwargs)

    async def parse_http_body(self, request: Any) -> Any:
        """As strawberry's, with Automatic Persisted Queries (web/persisted_queries.py): a query
        given by its hash is the stored document; a query given with its hash is stored."""
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and data.extensions:
            data.query = self.persisted.resolve(data.query, data.extensions)
        return data

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A GET with only a persisted query's hash (no `query` parameter) is a query too."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        """As strawberry's, and a body (or GET parameter) that is no JSON object or list is a
        400 too, not an AttributeError deep in strawberry."""
        value = super().parse_json(data)
        if not isinstance(value, dict | list):
            raise HTTPException(400, "Expected a JSON object")
        return value

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """As strawberry's, encoded with orjson (WebSocket messages keep the standard encoder)."""
        body = self.encode_answer(response_data)
        response = Response(body, status_code=200, media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    def encode_answer(self, response_data: object) -> bytes:
        try:
            body = orjson.dumps(response_data)
        except TypeError:  # e.g. an integer beyond 64 bits in a JSON scalar
            body = self.encode_json(response_data).encode()  # type: ignore[union-attr]
        if len(body) > self.settings.max_response_bytes:
            body = too_large(len(body), self.settings.max_response_bytes)
        return body

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page (web/pages.py): vendored assets, our example query, the strict CSP."""
        return pages.graphiql()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        context = Context(
            settings=self.settings,
            bus=self.bus,
            outbox=self.outbox,
            request=request,
            response=response,
            limiter=self.limiter,
        )
        if isinstance(request, Request):
            context.request_id = current_request_id()  # the access log's id for this request
            token = bearer_token(request.headers.get("authorization"))
            live = await accounts.authenticate_session(token, self.session_limits)
            if live is not None:
                context.user, context.token, context.session_id = live.user, token, live.session_id
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is None:
            return UNSET  # anonymous: public subscriptions only
        token = bearer_token(header) if isinstance(header, str) else None
        await self.session_watch.ready()  # before the token is read: see subscriptions/sessions.py
        live = await accounts.authenticate_session(token, self.session_limits)
        if live is None:
            raise ConnectionRejectionError({"message": "Invalid token.", "code": "UNAUTHENTICATED"})
        context.user, context.token, context.session_id = live.user, token, live.session_id
        return UNSET
