"""Logs (JSON or text) with request, user and trace ids, and Prometheus metrics (/metrics).

Logs never carry tokens, passwords, feed URLs or e-mail bodies: request paths with secrets in them
(/ical/<token>.ics, /export/<token>) are redacted, and nothing logs GraphQL variables.
"""

import asyncio
import contextvars
import gc
import hmac
import ipaddress
import itertools
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

if TYPE_CHECKING:
    from config import Settings
    from events.bus import EventBus

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)

# Request ids: a random prefix per process and a counter, as unique as uuid4 without a system call
# (and the GIL hand-over it can cost) on every request.
_id_prefix = ""
_ids = itertools.count(1)


def _new_prefix() -> None:
    global _id_prefix, _ids
    _id_prefix, _ids = os.urandom(8).hex(), itertools.count(1)


_new_prefix()
os.register_at_fork(after_in_child=_new_prefix)


def new_request_id() -> str:
    return f"{_id_prefix}{next(_ids):016x}"


def current_request_id() -> str:
    """The id of the HTTP request being served (set by AccessLog), else a new one."""
    return request_id_var.get() or new_request_id()


SECRET_PATHS = re.compile(r"^/(ical|export)/.*")
# Label values chosen by clients are bounded: every new value is a new series held for ever.
MAX_OPERATION_NAMES = 256
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_operation_names: set[str] = set()

REQUESTS = Counter("bnm_graphql_operations_total", "GraphQL operations", ["operation", "type"])
LATENCY = Histogram(
    "bnm_graphql_operation_seconds", "GraphQL operation latency", ["operation", "type"]
)
ERRORS = Counter("bnm_graphql_errors_total", "GraphQL errors by code", ["code"])
HTTP = Counter("bnm_http_requests_total", "HTTP requests", ["method", "status"])
SUBSCRIPTIONS = Gauge("bnm_live_subscriptions", "Live GraphQL subscriptions", ["subscription"])
BUS_LAG = Histogram(
    "bnm_event_bus_lag_seconds",
    "From the change being committed to its delivery to a subscriber",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SHARED_EXECUTIONS = Counter(
    "bnm_subscription_executions_total",
    "Subscription events executed: once per group of subscribers sharing an operation",
    ["subscription"],
)
SHARED_GROUPS = Gauge(
    "bnm_subscription_groups", "Groups of subscribers sharing one execution", ["subscription"]
)
GC_PAUSES = Histogram(
    "bnm_gc_pause_seconds",
    "Garbage-collector pauses (the event loop stands still meanwhile)",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TASKS = Gauge("bnm_asyncio_tasks", "asyncio tasks of this process (growth means a leak)")
BUS_SUBSCRIBERS = Gauge(
    "bnm_event_bus_subscribers", "Subscribers (each with its own queue) of this process's bus"
)
CALENDAR_SYNC_FAILURES = Counter("bnm_calendar_sync_failures_total", "Failed calendar syncs")


@dataclass(slots=True)
class AccessEntry:
    """What the access line tells beyond the HTTP status; filled in while the request runs."""

    operation: str | None = None


access_var: contextvars.ContextVar[AccessEntry | None] = contextvars.ContextVar(
    "access", default=None
)

# Set by tracing.configure: a function giving the current (trace id, span id) as hex, or None.
trace_ids: Callable[[], tuple[str, str] | None] | None = None


def _time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat()


class JsonFormatter(logging.Formatter):
    """One JSON object a line (orjson: the access line is written on every request)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": _time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": request_id_var.get(None),
            "userId": user_id_var.get(None),
        }
        access = getattr(record, "access", None)
        if access is not None:
            method, path, status, duration_ms, client, operation = access
            entry["method"], entry["path"], entry["status"] = method, path, status
            entry["durationMs"], entry["client"], entry["operation"] = (
                duration_ms,
                client,
                operation,
            )
        ids = trace_ids() if trace_ids is not None else None
        if ids is not None:
            entry["traceId"], entry["spanId"] = ids
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """For people at a terminal: time, level, logger, message, then the ids that are set."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_time(record.created)[:23]} {record.levelname:<7} {record.name}: "
        line += record.getMessage()
        access = getattr(record, "access", None)
        if access is not None:
            line += f" client={access[4]} operation={access[5] or '-'}"
        request_id, user_id = request_id_var.get(None), user_id_var.get(None)
        if request_id is not None:
            line += f" request={request_id}"
        if user_id is not None:
            line += f" user={user_id}"
        ids = trace_ids() if trace_ids is not None else None
        if ids is not None:
            line += f" trace={ids[0]}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_format(settings: "Settings", stream: TextIO) -> str:
    """LOG_FORMAT, else text for a person at a terminal and JSON for a log collector."""
    if settings.log_format:
        return settings.log_format
    return "text" if stream.isatty() else "json"


def configure_logging(settings: "Settings") -> None:
    handler = logging.StreamHandler(sys.stderr)
    text = log_format(settings, sys.stderr) == "text"
    handler.setFormatter(TextFormatter() if text else JsonFormatter())
    global _json_handler
    _json_handler = None if text else handler
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def safe_path(path: str) -> str:
    return SECRET_PATHS.sub(lambda m: f"/{m.group(1)}/[redacted]", path)


ACCESS = logging.getLogger("booknmeet.access")
_json_handler: logging.Handler | None = None  # the handler configure_logging installed, if JSON
_http_counters: dict[tuple[str, int], Counter] = {}


def start_request() -> AccessEntry:
    """Every line logged for this request carries its id, also where no GraphQL runs (a
    public-cache hit, /ical, /healthz); a GraphQL context takes this id as its own."""
    request_id_var.set(new_request_id())
    user_id_var.set(None)
    entry = AccessEntry()
    access_var.set(entry)
    return entry


def log_access(scope: Scope, status: int, started: float, entry: AccessEntry) -> None:
    """The access line (method, path, status, duration, client address, GraphQL operation name;
    secret paths redacted) and the HTTP request counter, instead of uvicorn's line."""
    method = scope["method"]
    counter = _http_counters.get((method, status))
    if counter is None:
        label = method if method in HTTP_METHODS else "other"
        counter = _http_counters[(method, status)] = HTTP.labels(label, str(status))
    counter.inc()
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    client = scope.get("client")
    address = client[0] if client else None
    path = safe_path(scope["path"])
    handler = _json_handler
    if handler is None or ACCESS.handlers or logging.root.handlers != [handler]:
        # Another set-up (text format, a test's handler): through logging, as any line.
        ACCESS.info(
            "%s %s %d %.1fms",
            method,
            path,
            status,
            duration_ms,
            extra={"access": (method, path, status, duration_ms, address, entry.operation)},
        )
        return
    _write_json_access(handler, method, path, status, duration_ms, address, entry.operation)


_dumps = orjson.dumps


def _write_json_access(
    handler: logging.Handler,
    method: str,
    path: str,
    status: int,
    duration_ms: float,
    client: str | None,
    operation: str | None,
) -> None:
    """What JsonFormatter writes for an access record, without building the LogRecord and the
    dict: the constant parts are pre-encoded, the variable ones escaped by orjson."""
    message = f"{method} {path} {status} {duration_ms:.1f}ms"
    ids = trace_ids() if trace_ids is not None else None
    parts = [
        b'{"time":"',
        _time(time.time()).encode(),
        b'","level":"INFO","logger":"booknmeet.access","message":',
        _dumps(message),
        b',"requestId":',
        _dumps(request_id_var.get(None)),
        b',"userId":',
        _dumps(user_id_var.get(None)),
        b',"method":',
        _dumps(method),
        b',"path":',
        _dumps(path),
        b',"status":',
        b"%d" % status,
        b',"durationMs":',
        _dumps(duration_ms),
        b',"client":',
        _dumps(client),
        b',"operation":',
        _dumps(operation),
    ]
    if ids is not None:
        parts += (b',"traceId":', _dumps(ids[0]), b',"spanId":', _dumps(ids[1]))
    parts.append(b"}\n")
    line = b"".join(parts).decode()
    stream = handler.stream  # type: ignore[attr-defined]
    with handler.lock:  # type: ignore[union-attr]
        stream.write(line)
        stream.flush()


def operation_context(context: object) -> None:
    """The request and user ids of the lines logged while an operation runs."""
    request_id_var.set(getattr(context, "request_id", None))
    user = getattr(context, "user", None)
    user_id_var.set(user.id if user is not None else None)


# Prometheus children, looked up once per (operation name, type) and error code: `labels()`
# hashes and locks on every call. Bounded as the label values are (MAX_OPERATION_NAMES).
_operation_children: dict[tuple[str | None, str], tuple[Counter, Histogram]] = {}
_error_children: dict[str, Counter] = {}


def observe_operation(name: str | None, kind: str, started: float) -> None:
    """An operation answered, executed or from the public cache (web/public_cache.py)."""
    entry = access_var.get()
    if entry is not None:
        entry.operation = name
    children = _operation_children.get((name, kind))
    if children is None:
        label = operation_label(name)
        children = (REQUESTS.labels(label, kind), LATENCY.labels(label, kind))
        if label != "other":
            _operation_children[(name, kind)] = children
    children[0].inc()
    children[1].observe(time.perf_counter() - started)


def count_error(code: str) -> None:
    child = _error_children.get(code)
    if child is None:
        child = ERRORS.labels(code)
        if len(_error_children) < MAX_OPERATION_NAMES:
            _error_children[code] = child
    child.inc()


def operation_label(name: str | None) -> str:
    """The operation's name, for the first MAX_OPERATION_NAMES names seen; others are `other`."""
    if name is None:
        return "anonymous"
    if name in _operation_names:
        return name
    if len(_operation_names) >= MAX_OPERATION_NAMES or not OPERATION_NAME.fullmatch(name):
        return "other"
    _operation_names.add(name)
    return name


async def metrics(request: Request) -> Response:
    """With METRICS_TOKEN set, for its bearer only; without, for loopback clients only."""
    token = request.app.state.settings.metrics_token
    if token is not None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(
                "Unauthorized\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
    elif not _is_loopback(request.client.host if request.client else None):
        return Response("Forbidden: /metrics answers loopback clients only\n", status_code=403)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_gc_started = 0.0


def _time_gc(phase: str, info: dict[str, int]) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        GC_PAUSES.labels(str(info["generation"])).observe(time.perf_counter() - _gc_started)


def watch_process(bus: "EventBus") -> None:
    """Gauges read when /metrics is: the process's tasks and bus subscribers."""
    TASKS.set_function(lambda: len(asyncio.all_tasks()))
    BUS_SUBSCRIBERS.set_function(bus.total_subscribers)


def watch_gc() -> None:
    """Times every collection into GC_PAUSES."""
    if _time_gc not in gc.callbacks:
        gc.callbacks.append(_time_gc)


def observe_delivery(occurred_at: datetime) -> None:
    BUS_LAG.observe(max((datetime.now(UTC) - occurred_at).total_seconds(), 0.0))


class LiveSubscription:
    """Counts a subscription as live for as long as its resolver runs."""

    def __init__(self, name: str) -> None:
        self.gauge = SUBSCRIPTIONS.labels(name)

    def __enter__(self) -> None:
        self.gauge.inc()

    def __exit__(self, *exc_info: object) -> None:
        self.gauge.dec()
