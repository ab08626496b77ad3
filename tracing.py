"""OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.

When on, each process exports over OTLP/HTTP: a span per HTTP request (W3C `traceparent` from
the caller continued), the GraphQL operation and its resolvers (strawberry's extension), each
database query (tortoise's clients, both backends) and each outbound HTTP request (aiohttp, with
`traceparent` sent on). Log lines carry the trace and span ids.

What spans may hold follows the logs' rules: request paths with secrets are redacted, outbound
URLs are cut to scheme and host (feed URLs are credentials), SQL carries placeholders and never
its parameters, resolver arguments only from an allow-list, query text without string literals.
"""

import contextlib
import contextvars
import functools
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension
from yarl import URL

import observability
from config import Settings

_provider: TracerProvider | None = None
_tracer: trace.Tracer | None = None
_patched: list[tuple[type, str, Callable[..., Any]]] = []
_in_query: contextvars.ContextVar[bool] = contextvars.ContextVar("in_query", default=False)

# Resolver arguments recorded on spans: identifiers and paging, never what people typed in.
TRACED_ARGUMENTS = frozenset(
    {"id", "eventTypeId", "first", "last", "order", "status", "start", "end", "timeZone"}
)
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')


def enabled() -> bool:
    return _provider is not None


def configure(settings: Settings, exporter: SpanExporter | None = None) -> bool:
    """Turns tracing on for this process if OTEL_EXPORTER_OTLP_ENDPOINT is set (or `exporter`
    is given: tests); once per process, later calls only report whether it is on."""
    global _provider, _tracer
    if _provider is not None:
        return True
    if exporter is None:
        if not settings.otel_endpoint:
            return False
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_endpoint.rstrip("/") + "/v1/traces"
        processor: Any = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))
    else:
        processor = SimpleSpanProcessor(exporter)
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name})
    )
    provider.add_span_processor(processor)
    _provider, _tracer = provider, provider.get_tracer("booknmeet")
    _trace_database()
    observability.trace_ids = current_ids
    return True


def shutdown() -> None:
    """Exports what is pending and turns tracing off again (tests; exit flushes by itself)."""
    global _provider, _tracer
    for cls, name, original in reversed(_patched):
        setattr(cls, name, original)
    _patched.clear()
    observability.trace_ids = None
    if _provider is not None:
        _provider.shutdown()
    _provider = _tracer = None


def current_ids() -> tuple[str, str] | None:
    """The current trace and span ids in hex, for log lines."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


# --- HTTP requests ------------------------------------------------------------------------------


class TraceRequests:
    """A server span per HTTP request, continuing the caller's trace (W3C traceparent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = _tracer
        if scope["type"] != "http" or tracer is None:
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path = observability.safe_path(scope["path"])
        client = scope.get("client")
        attributes = {
            "http.request.method": scope["method"],
            "url.path": path,
            "url.scheme": scope.get("scheme", "http"),
            "network.protocol.version": scope.get("http_version", "1.1"),
            "client.address": client[0] if client else "",
        }
        with tracer.start_as_current_span(
            f"{scope['method']} {path}",
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await self.app(scope, receive, send_traced)


# --- GraphQL ------------------------------------------------------------------------------------


def _traced_arguments(arguments: dict[str, Any], info: object) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if k in TRACED_ARGUMENTS}


class GraphQLTracing(OpenTelemetryExtension):
    """strawberry's spans (operation, parsing, validation, resolvers), on this module's provider,
    with the query's string literals blanked (they may hold e-mails, passwords, names)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(tracer_provider=_provider, arg_filter=_traced_arguments, **kwargs)

    def on_operation(self) -> Iterator[None]:
        operation = super().on_operation()
        next(operation)
        query = self.execution_context.query
        if query:
            redacted = _STRING_LITERAL.sub('"…"', query)
            self._span_holder[LifecycleStep.OPERATION].set_attribute("query", redacted)
        yield
        with contextlib.suppress(StopIteration):
            next(operation)


def schema_extensions(settings: Settings) -> list[type[GraphQLTracing]]:
    """For build_schema: the tracing extension when tracing is on."""
    return [GraphQLTracing] if settings.otel_endpoint and enabled() else []


# --- database queries ---------------------------------------------------------------------------


def _trace_database() -> None:
    """Wraps the query methods of tortoise's clients (both backends, transactions included)."""
    from tortoise.backends.asyncpg.client import AsyncpgDBClient
    from tortoise.backends.asyncpg.client import TransactionWrapper as AsyncpgTransaction
    from tortoise.backends.base_postgres.client import BasePostgresClient
    from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

    systems = {
        SqliteClient: "sqlite",
        SqliteTransactionWrapper: "sqlite",
        BasePostgresClient: "postgresql",
        AsyncpgDBClient: "postgresql",
        AsyncpgTransaction: "postgresql",
    }
    methods = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")
    for cls, system in systems.items():
        for name in (*methods, "execute_script"):
            original = cls.__dict__.get(name)
            if original is not None:
                _patched.append((cls, name, original))
                setattr(cls, name, _traced_query(original, system))


def _traced_query(
    method: Callable[..., Awaitable[Any]], system: str
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def traced(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        tracer = _tracer
        # Only inside a traced request or job (background polls would each start a trace of
        # one query), and one span per query, not per inner call.
        if tracer is None or _in_query.get() or not trace.get_current_span().is_recording():
            return await method(self, query, *args, **kwargs)
        operation = query.lstrip().split(None, 1)[0].upper() if query.strip() else "QUERY"
        attributes = {
            "db.system.name": system,
            "db.operation.name": operation,
            "db.query.text": query,  # placeholders only: the values are never recorded
        }
        with tracer.start_as_current_span(operation, kind=SpanKind.CLIENT, attributes=attributes):
            token = _in_query.set(True)
            try:
                return await method(self, query, *args, **kwargs)
            finally:
                _in_query.reset(token)

    return traced


# --- outbound HTTP ------------------------------------------------------------------------------


def _origin(url: URL) -> str:
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.explicit_port else "")


def client_trace_configs() -> list[aiohttp.TraceConfig]:
    """For aiohttp sessions: a client span per request, `traceparent` sent along; the URL cut
    to its origin (feed URLs are credentials)."""
    if _provider is None:
        return []
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    return [create_trace_config(url_filter=_origin, tracer_provider=_provider)]
