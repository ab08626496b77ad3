"""OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT): one trace from the caller's traceparent
through the HTTP request, the GraphQL operation and its resolvers, the database queries and the
outbound feed request, with the trace id in the log lines and no secrets in any span."""

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import uvicorn
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

import tracing
from models.user import User
from observability import JsonFormatter
from server import create_app
from tests.conftest import BACKEND, PASSWORD, SIGN_UP, start_server
from tests.services.test_calendars import FIRST, SECRET_PATH, FeedServer, feeds, ics

__all__ = ["feeds"]  # the fixture, imported for pytest

LINK = """mutation Link($url: String!) { linkCalendar(url: $url) { id status busyCount } }"""
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


class Lines(logging.Handler):
    """The JSON lines the access log writes, as the server's handler would format them."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Traced:
    url: str
    spans: InMemorySpanExporter
    log: Lines


@pytest.fixture
async def traced(settings, clean_db) -> AsyncIterator[Traced]:
    """The app with tracing on, served by uvicorn in this process so that its spans land in an
    in-memory exporter; over the test database, which the test process has open already."""
    exporter = InMemorySpanExporter()
    on = replace(
        settings,
        otel_endpoint="http://127.0.0.1:9",
        calendar_allowed_hosts=("127.0.0.1",),
        redis_url=None,  # without the lifespan no bus is started: the in-process one needs none
    )
    assert tracing.configure(on, exporter=exporter)
    log = Lines()
    access = logging.getLogger("booknmeet.access")
    level = access.level
    access.addHandler(log)
    access.setLevel(logging.INFO)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(on), lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield Traced(f"http://127.0.0.1:{sock.getsockname()[1]}", exporter, log)
    finally:
        server.should_exit = True
        await task
        sock.close()
        access.removeHandler(log)
        access.setLevel(level)
        tracing.shutdown()


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


async def test_one_trace_from_the_request_to_the_database_and_the_feed(
    traced: Traced, feeds: FeedServer
) -> None:
    async with httpx.AsyncClient(base_url=traced.url) as client:
        variables = {"input": {"email": "trace@example.com", "password": PASSWORD, "name": "T"}}
        signed_up = await client.post("/graphql", json={"query": SIGN_UP, "variables": variables})
        token = signed_up.json()["data"]["signUp"]["token"]
        consent = "mutation { setConsent(purpose: CALENDAR_ACCESS, granted: true) { granted } }"
        granted = await client.post(
            "/graphql", json={"query": consent}, headers={"Authorization": f"Bearer {token}"}
        )
        assert granted.json()["data"]["setConsent"]["granted"] is True  # linking needs it
        traced.spans.clear()
        url = feeds.serve(body=ics(*FIRST))
        response = await client.post(
            "/graphql",
            json={"query": LINK, "variables": {"url": url}},
            headers={
                "Authorization": f"Bearer {token}",
                "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
            },
        )
    assert response.json()["data"]["linkCalendar"]["status"] == "OK", response.json()
    spans = traced.spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in spans}

    def parent(span: ReadableSpan) -> ReadableSpan | None:
        return by_id.get(span.parent.span_id) if span.parent else None

    def named(name: str) -> ReadableSpan:
        (found,) = [s for s in spans if s.name == name]
        return found

    request = named("POST /graphql")
    assert request.kind == SpanKind.SERVER
    assert format(request.context.trace_id, "032x") == CALLER_TRACE  # the caller's trace goes on
    assert request.parent is not None and format(request.parent.span_id, "016x") == CALLER_SPAN
    assert attributes(request)["http.response.status_code"] == 200
    assert attributes(request)["client.address"] == "127.0.0.1"
    assert {s.context.trace_id for s in spans} == {request.context.trace_id}  # one trace

    operation = named("GraphQL Query: Link")
    assert parent(operation) is request
    resolver = named("GraphQL Resolving: linkCalendar")
    assert parent(resolver) is operation

    system = "postgresql" if BACKEND == "postgres" else "sqlite"
    queries = [s for s in spans if attributes(s).get("db.system.name") == system]
    assert any(attributes(q)["db.operation.name"] == "INSERT" for q in queries)
    assert queries and all(parent(q) is not None for q in queries)
    under_resolver = [q for q in queries if parent(q) is resolver]
    assert under_resolver, [(q.name, parent(q).name if parent(q) else None) for q in queries]

    (outbound,) = [s for s in spans if s.kind == SpanKind.CLIENT and s.name == "GET"]
    assert parent(outbound) is resolver
    (hit,) = feeds.hits_for()
    assert hit.headers["traceparent"].split("-")[1] == CALLER_TRACE  # sent on to the feed

    everything = repr([(s.name, attributes(s)) for s in spans])
    assert f"127.0.0.1:{feeds.port}" in everything  # the feed's origin is traced ...
    for secret in (SECRET_PATH.strip("/").split("/")[0], token, "trace@example.com", PASSWORD):
        assert secret not in everything  # ... never its path, nor what people typed

    (line,) = [line for line in traced.log.lines if '"operation":"Link"' in line]
    assert f'"traceId":"{CALLER_TRACE}"' in line

    traced.spans.clear()
    assert await User.filter(email="trace@example.com").count() == 1  # outside any request
    assert traced.spans.get_finished_spans() == ()  # background polls start no trace each


async def test_no_tracing_without_the_endpoint(settings) -> None:
    assert tracing.configure(settings) is False
    assert tracing.schema_extensions(settings) == [] and tracing.client_trace_configs() == []


@pytest.mark.parametrize("kind", ["text", "json"])
async def test_spans_are_exported_over_otlp_by_a_real_server(
    settings, tmp_path, database, kind
) -> None:
    received: list[ExportTraceServiceRequest] = []
    arrived = asyncio.Event()

    async def collect(request: web.Request) -> web.Response:
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.read())
        received.append(message)
        arrived.set()
        return web.Response(content_type="application/x-protobuf", body=b"")

    app = web.Application()
    app.router.add_post("/v1/traces", collect)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server = start_server(
        settings,
        tmp_path,
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
            "OTEL_SERVICE_NAME": "bnm-under-test",
            "OTEL_BSP_SCHEDULE_DELAY": "50",  # export after 50 ms instead of 5 s
            "LOG_FORMAT": kind,
        },
    )
    try:
        (await server.post("query Who { me { id } }")).ok()
        names: dict[str, str] = {}
        async with asyncio.timeout(30):
            # The HTTP span ends after the GraphQL one: it may come in a later batch.
            while not {"GraphQL Query: Who", "POST /graphql"} <= names.keys():
                await arrived.wait()
                arrived.clear()
                for message in received:
                    for resource_spans in message.resource_spans:
                        service = {
                            a.key: a.value.string_value for a in resource_spans.resource.attributes
                        }["service.name"]
                        assert service == "bnm-under-test"
                        for scope in resource_spans.scope_spans:
                            for span in scope.spans:
                                names[span.name] = span.trace_id.hex()
    finally:
        server.stop()
        await runner.cleanup()
    trace_id = names["GraphQL Query: Who"]
    assert names["POST /graphql"] == trace_id
    log = server.log()
    assert (f"trace={trace_id}" if kind == "text" else f'"traceId":"{trace_id}"') in log
