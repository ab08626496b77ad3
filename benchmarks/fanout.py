"""Live-subscription fan-out benchmark: N hosts' dashboards (graphql-transport-ws connections, all
signed in as one host) subscribed to `bookingEvents`, one booking, how long until the last of
them has it.

Run from the repository root: `.venv/bin/python benchmarks/fanout.py [--counts 1000,5000]`.
Goal (issue): 5,000 subscribers, p99 delivery latency under 250 ms, no event lost.

For each N a fresh `python server.py` (one worker, in-process event bus, throwaway SQLite file,
RATE_LIMIT_PER_MINUTE=0) is started on a free loopback port, so that its memory figures are not
inflated by the previous round. A host with availability 00:00-24:00 UTC every day and a
15-minute event type (every 15 minutes) is created over GraphQL. Then:

1. a pilot client connects once, subscribes, receives one booking and leaves (warms every code
   path), and the server's RSS is read (VmRSS in /proc/<pid>/status): the baseline;
2. N WebSocket clients, spread over `--procs` child processes (spawned, uvloop), each send
   connection_init {"authorization": "Bearer <token>"} and subscribe to
   `subscription { bookingEvents { kind occurredAt booking { id } } }`;
3. once the server's CPU has gone quiet the RSS is read again: (after - baseline) / N is the
   memory per idle subscription;
4. warm-up bookings (at most 3) until every client has received one: all are subscribed;
5. `--bookings` bookings one after another. t0 = time.time_ns() just before bookMeeting is sent
   over HTTP; every client records time.time_ns() when its event loop reads the frame off the
   socket (in `data_received`, before parsing). Latency = arrival - t0. t0, not
   the HTTP response, is the reference: bookMeeting publishes (after its commit) before it
   answers, and its response is queued behind the fan-out on the same event loop, so it can
   arrive after most of the deliveries. The round-trip time of bookMeeting is reported beside it.
   Every process on the machine reads the same wall clock, so the times compare directly.

Each client connection is websockets' sans-I/O protocol under a plain asyncio.Protocol: frames are
parsed and handled in data_received, with no task woken per message (the asyncio client of
websockets cost ~50 µs of CPU per message, more than the server spends on it).
Everything runs on one machine: the clients' CPU competes with the server's, and the latency
includes the time the client processes take to read the frames (measured and reported as client
CPU per event). The server and every client process are always stopped.
"""

import os
import sys

# The repository root, for `python benchmarks/fanout.py`.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import asyncio
import contextlib
import json
import math
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import httpx

from benchmarks import _clients, _graphql, _server, _stats

DEFAULT_COUNTS = (1000, 5000)
DEFAULT_BOOKINGS = 5
DEFAULT_PROCS = 2
GOAL_SUBSCRIBERS = 5000
GOAL_P99_MS = 250.0
GOAL_IDLE_KIB = 20.0  # goal 5: RSS growth per idle subscribed connection
MAX_WARMUPS = 3

START_TIMEOUT = 180.0  # seconds for the server to answer (a loaded machine starts slowly)
OPEN_CONCURRENCY = 64  # handshakes in flight per client process
OPEN_TIMEOUT = 120.0  # seconds for one process to open all its connections
DELIVERY_TIMEOUT = 30.0  # seconds for every client to get one booking's event

BOOK = """
mutation ($input: BookMeetingInput!) { bookMeeting(input: $input) { id } }
"""


# --- the clients (child processes) ------------------------------------------------------------


async def client_main(
    pipe: Pipe, ws_url: str, token: str, count: int, compression: str | None
) -> None:
    """In a client process: opens `count` subscribed connections on ("open",), then answers the
    parent's commands on `pipe`."""
    # websockets' sans-I/O protocol under a plain asyncio.Protocol: frames are parsed and handled
    # inside data_received, with no task woken per message, so the clients (on the same cores
    # as the server) take as little CPU from it as a real WebSocket client can.
    from websockets.client import ClientProtocol
    from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Response
    from websockets.typing import Subprotocol
    from websockets.uri import parse_uri

    uri = parse_uri(ws_url)
    extensions = [ClientPerMessageDeflateFactory()] if compression else None
    loop = asyncio.get_running_loop()
    received: Counter[str] = Counter()  # booking id -> clients that have it
    waiting: dict[str, tuple[int, asyncio.Event]] = {}
    duplicates = 0
    init = _graphql.connection_init(token)
    subscribe = _graphql.subscribe(_graphql.BOOKING_EVENTS)

    class Sub(asyncio.Protocol):
        """One graphql-transport-ws connection, subscribed once it has been acknowledged."""

        def __init__(self) -> None:
            self.ws = ClientProtocol(
                uri, subprotocols=[Subprotocol("graphql-transport-ws")], extensions=extensions
            )
            self.transport: asyncio.Transport | None = None
            self.ready: asyncio.Future[None] = loop.create_future()
            self.got: dict[str, tuple[int, int]] = {}  # booking id -> (read ns, handled ns)
            self.problem: str | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]
            self.ws.send_request(self.ws.connect())
            self.flush()

        def flush(self) -> None:
            assert self.transport is not None
            for data in self.ws.data_to_send():
                if data:
                    self.transport.write(data)
                elif self.transport.can_write_eof():
                    self.transport.write_eof()

        def send(self, text: str) -> None:
            self.ws.send_text(text.encode())
            self.flush()

        def data_received(self, data: bytes) -> None:
            rx_ns = time.time_ns()  # a message is stamped with the read that completed it
            self.ws.receive_data(data)
            for event in self.ws.events_received():
                if isinstance(event, Frame):
                    if event.opcode is Opcode.TEXT:
                        self.on_message(event.data, rx_ns)
                elif isinstance(event, Response):
                    if self.ws.handshake_exc is not None:
                        self.fail(f"handshake: {self.ws.handshake_exc}")
                    else:
                        self.send(init)
            self.flush()

        def on_message(self, raw: bytes, rx_ns: int) -> None:
            nonlocal duplicates
            handled = time.time_ns()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "next":
                data = message["payload"].get("data") or {}
                event = data.get("bookingEvents")
                if event is None:
                    self.problem = f"next without data: {raw[:200]!r}"
                    return
                booking_id = event["booking"]["id"]
                if booking_id in self.got:
                    duplicates += 1
                    return
                self.got[booking_id] = (rx_ns, handled)
                received[booking_id] += 1
                wait = waiting.get(booking_id)
                if wait is not None and received[booking_id] >= wait[0]:
                    wait[1].set()
            elif kind == "connection_ack":
                self.send(subscribe)
                if not self.ready.done():
                    self.ready.set_result(None)
            elif kind == "ping":
                self.send(_graphql.PONG)
            elif kind in ("error", "complete"):
                self.fail(f"{kind}: {raw[:200]!r}")

        def fail(self, problem: str) -> None:
            self.problem = self.problem or problem
            if not self.ready.done():
                self.ready.set_exception(RuntimeError(problem))

        def connection_lost(self, exc: Exception | None) -> None:
            self.fail(f"closed: {exc}")

        def close(self) -> None:
            if self.transport is not None:
                self.transport.close()

    subs: list[Sub] = []
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one() -> None:
        async with gate:
            sub = Sub()
            transport, _ = await loop.create_connection(lambda: sub, uri.host, uri.port)
            try:
                await asyncio.wait_for(asyncio.shield(sub.ready), 60)
            except BaseException:
                transport.close()
                raise
            subs.append(sub)

    try:
        while True:
            command, *args = await _clients.next_command(pipe)
            if command == "open":
                began = time.monotonic()
                failures = await _clients.failures(open_one() for _ in range(count))
                pipe.send(("opened", len(subs), failures, time.monotonic() - began))
            elif command == "wait":
                booking_id, timeout = args
                target = len(subs)
                event = asyncio.Event()
                waiting[booking_id] = (target, event)
                if received[booking_id] < target:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), timeout)
                del waiting[booking_id]
                arrivals = [s.got[booking_id] for s in subs if booking_id in s.got]
                problems = Counter(s.problem.split(":")[0] for s in subs if s.problem)
                pipe.send(
                    (
                        "arrivals",
                        [a[0] for a in arrivals],
                        [a[1] for a in arrivals],
                        target - len(arrivals),
                        dict(problems),
                        duplicates,
                    )
                )
            elif command == "close":
                for sub in subs:
                    with contextlib.suppress(Exception):
                        sub.ws.send_close(1000)
                        sub.flush()
                await asyncio.sleep(0.5)  # the server answers the close handshakes
                pipe.send(("closed",))
                return
    finally:
        for sub in subs:
            sub.close()


def open_clients(
    ws_url: str, token: str, total: int, procs: int, compression: str | None
) -> _clients.ClientProcesses:
    """`procs` spawned client processes holding `total` connections between them."""
    procs = max(1, min(procs, total))
    shares = [total // procs + (1 if i < total % procs else 0) for i in range(procs)]
    return _clients.ClientProcesses(
        client_main, [(ws_url, token, share, compression) for share in shares]
    )


# --- GraphQL over HTTP ------------------------------------------------------------------------


def create_host(client: httpx.Client) -> tuple[str, str]:
    """A UTC host, available 00:00-24:00 every day, with a 15-minute event type every 15 minutes:
    its token and the event type's id."""
    host = _graphql.create_host(
        client,
        email="fanout-host@example.com",
        name="Fanout Host",
        time_zone="UTC",
        days=_graphql.EVERY_DAY,
        hours=("00:00", "24:00"),
        event_type={
            "title": "Fan-out call",
            "slug": "fanout-call",
            "durationMinutes": 15,
            "slotIntervalMinutes": 15,
        },
    )
    return host.token, host.event_type_id


class Booker:
    """Books consecutive 15-minute slots from the day after tomorrow, 00:00 UTC."""

    def __init__(self, client: httpx.Client, event_type_id: str) -> None:
        self.client, self.event_type_id = client, event_type_id
        day = datetime.now(UTC).date() + timedelta(days=2)
        self.start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.made = 0

    def book(self) -> tuple[str, int, int]:
        """Booking id, t0 (ns, just before sending) and t1 (ns, response read)."""
        start = self.start + timedelta(minutes=15 * self.made)
        self.made += 1
        variables = {
            "input": {
                "eventTypeId": self.event_type_id,
                "start": start.isoformat(),
                "name": f"Guest {self.made}",
                "email": f"guest{self.made}@example.com",
            }
        }
        t0 = time.time_ns()
        data = _graphql.graphql(self.client, BOOK, variables)
        t1 = time.time_ns()
        return str(data["bookMeeting"]["id"]), t0, t1


# --- one round --------------------------------------------------------------------------------


def deliver(
    clients: _clients.ClientProcesses,
    booker: Booker,
    server: _server.Child,
    timeout: float = DELIVERY_TIMEOUT,
) -> dict[str, Any]:
    """One booking and every client's arrival time of its event."""
    server_cpu, client_cpu = _server.cpu_seconds(server.pid), clients.cpu_seconds()
    booking_id, t0, t1 = booker.book()
    replies = clients.ask(("wait", booking_id, timeout), timeout + 30, server)
    server_cpu = _server.cpu_seconds(server.pid) - server_cpu
    client_cpu = clients.cpu_seconds() - client_cpu
    read_ns = [ns for r in replies for ns in r[1]]
    handled_ns = [ns for r in replies for ns in r[2]]
    problems: Counter[str] = Counter()
    for r in replies:
        problems.update(r[4])
    return {
        "booking_id": booking_id,
        "t0_ns": t0,
        "response_ns": t1,
        "http_ms": (t1 - t0) / 1e6,
        "latency_ms": [(ns - t0) / 1e6 for ns in read_ns],
        "handled_ms": [(ns - t0) / 1e6 for ns in handled_ns],
        "missing": sum(r[3] for r in replies),
        "problems": dict(problems),
        "duplicates": sum(r[5] for r in replies),
        "server_cpu_s": server_cpu,
        "client_cpu_s": client_cpu,
    }


def run_round(
    n: int, procs: int, bookings: int, compression: str | None, tmp: Path
) -> dict[str, Any]:
    result: dict[str, Any] = {"n": n, "procs": procs, "connected": 0, "error": None}
    database_url = f"sqlite://{tmp}/fanout-{n}.sqlite3"
    log_path = tmp / f"server-{n}.log"
    server: _server.Child | None = None
    clients: _clients.ClientProcesses | None = None
    try:
        server = _server.start_app_server(
            "server", log_path=log_path, database_url=database_url, timeout=START_TIMEOUT
        )
        url = server.url
        ws_url = url.replace("http://", "ws://") + "/graphql"
        result["server_fd_limit"] = _server.fd_soft_limit(server.pid)
        with httpx.Client(base_url=url, timeout=120) as http:
            token, type_id = create_host(http)
            booker = Booker(http, type_id)

            # Pilot: one client through the whole path, so the baseline includes warm code.
            pilot = open_clients(ws_url, token, 1, 1, compression)
            try:
                opened = pilot.ask(("open",), OPEN_TIMEOUT, server)[0]
                if opened[1] != 1:
                    raise RuntimeError(f"pilot client could not subscribe: {opened[2]}")
                _server.settle(server.pid)
                got = deliver(pilot, booker, server)
                if got["missing"]:
                    raise RuntimeError(f"pilot client got no event: {got['problems']}")
            finally:
                pilot.stop()
            _server.settle(server.pid)
            result["rss_before_kib"] = server.rss_kib()

            began = time.monotonic()
            clients = open_clients(ws_url, token, n, procs, compression)
            replies = clients.ask(("open",), OPEN_TIMEOUT + 30, server)
            result["open_s"] = time.monotonic() - began
            result["connected"] = sum(r[1] for r in replies)
            failures: Counter[str] = Counter()
            for r in replies:
                failures.update(r[2])
            result["open_failures"] = dict(failures)
            if not server.alive():
                raise RuntimeError(
                    f"server exited (code {server.process.returncode}) while connecting"
                )
            _server.settle(server.pid)
            result["rss_after_kib"] = server.rss_kib()
            result["server_fds"] = _server.open_fds(server.pid)
            delta = result["rss_after_kib"] - result["rss_before_kib"]
            result["kib_per_subscription"] = delta / max(1, result["connected"])

            # Warm-up: until every connected client has had an event, all are subscribed.
            warmups = []
            for _ in range(MAX_WARMUPS):
                warm = deliver(clients, booker, server)
                warmups.append(warm)
                if warm["missing"] == 0:
                    break
                _server.settle(server.pid)
            result["warmups"] = len(warmups)
            result["warmup_missing"] = [w["missing"] for w in warmups]
            result["warmup_p99_ms"] = _stats.percentile(warmups[-1]["latency_ms"], 0.99)

            if bookings == 0:  # --idle: the memory and the warm-up's check are the figures
                return result
            gc_before = gc_pauses(http)
            measured = [deliver(clients, booker, server) for _ in range(bookings)]
            result["gc"] = {
                generation: (
                    count - gc_before.get(generation, (0, 0.0))[0],
                    total - gc_before.get(generation, (0, 0.0))[1],
                )
                for generation, (count, total) in gc_pauses(http).items()
            }
            if not server.alive():
                raise RuntimeError(
                    f"server exited (code {server.process.returncode}) during bookings"
                )
            result |= summarise(measured)
            result["rss_end_kib"] = server.rss_kib()
    except Exception as exc:  # reported, and the next round still runs
        result["error"] = f"{type(exc).__name__}: {exc}"
        if server is not None and not server.alive():
            result["error"] += f" (server exit code {server.process.returncode})"
        tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
        result["server_log_tail"] = tail
        sys.stderr.write(f"--- round N={n} failed: {result['error']}\n--- server log ---\n{tail}\n")
    finally:
        if clients is not None:
            clients.stop()
        _server.stop_all([server])
        if log_path.exists():
            log = log_path.read_text(errors="replace")
            result["server_log_errors"] = sum(
                1 for line in log.splitlines() if "ERROR" in line or "Traceback" in line
            )
    return result


def gc_pauses(http: httpx.Client) -> dict[str, tuple[int, float]]:
    """The server's garbage-collector pauses so far, by generation: (count, seconds)."""
    found: dict[str, list[float]] = {}
    for line in http.get("/metrics").text.splitlines():
        for suffix, index in (("_count", 0), ("_sum", 1)):
            prefix = f'bnm_gc_pause_seconds{suffix}{{generation="'
            if line.startswith(prefix):
                generation = line[len(prefix) :].split('"', 1)[0]
                found.setdefault(generation, [0.0, 0.0])[index] = float(line.rsplit(" ", 1)[1])
    return {g: (int(count), total) for g, (count, total) in found.items()}


def summarise(measured: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [ms for m in measured for ms in m["latency_ms"]]
    handled = [ms for m in measured for ms in m["handled_ms"]]
    last = [max(m["latency_ms"]) for m in measured if m["latency_ms"]]
    spread = [max(m["latency_ms"]) - min(m["latency_ms"]) for m in measured if m["latency_ms"]]
    first = [min(m["latency_ms"]) for m in measured if m["latency_ms"]]
    after_response = [
        max(m["latency_ms"]) - m["http_ms"] for m in measured if m["latency_ms"]
    ]  # last delivery measured from the bookMeeting response instead of t0
    problems: Counter[str] = Counter()
    for m in measured:
        problems.update(m["problems"])
    deliveries = len(latencies)
    return {
        "bookings": len(measured),
        "deliveries": deliveries,
        "lost": sum(m["missing"] for m in measured),
        "duplicates": max((m["duplicates"] for m in measured), default=0),
        "problems": dict(problems),
        "p50_ms": _stats.percentile(latencies, 0.50),
        "p99_ms": _stats.percentile(latencies, 0.99),
        "max_ms": max(latencies, default=math.nan),
        "first_ms_median": statistics.median(first) if first else math.nan,
        "last_delivery_ms_median": statistics.median(last) if last else math.nan,
        "last_delivery_ms_max": max(last, default=math.nan),
        "spread_ms_median": statistics.median(spread) if spread else math.nan,
        "last_after_response_ms_median": (
            statistics.median(after_response) if after_response else math.nan
        ),
        "handled_p99_ms": _stats.percentile(handled, 0.99),
        "http_ms_median": statistics.median(m["http_ms"] for m in measured),
        "server_cpu_ms_per_event": statistics.median(m["server_cpu_s"] for m in measured) * 1000,
        "client_cpu_ms_per_event": statistics.median(m["client_cpu_s"] for m in measured) * 1000,
        "per_booking": [
            {
                "booking_id": m["booking_id"],
                "t0_ns": m["t0_ns"],
                "response_ns": m["response_ns"],
                "http_ms": m["http_ms"],
                "p50_ms": _stats.percentile(m["latency_ms"], 0.5),
                "p99_ms": _stats.percentile(m["latency_ms"], 0.99),
                "last_ms": max(m["latency_ms"], default=math.nan),
                "missing": m["missing"],
                "server_cpu_ms": m["server_cpu_s"] * 1000,
            }
            for m in measured
        ],
    }


# --- report -----------------------------------------------------------------------------------


def _fmt(value: Any, spec: str = ".1f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def report(rounds: list[dict[str, Any]], compression: str | None) -> dict[str, Any]:
    print()
    print("=== subscription fan-out summary ===")
    print(
        "latency = client read time.time_ns() - t0 (t0 = just before bookMeeting is sent); "
        f"clients {'offer' if compression else 'do not offer'} permessage-deflate (the server "
        "declines it by default: WS_COMPRESSION=0); one server worker, loopback"
    )
    header = (
        f"{'N':>6} {'connected':>9} {'open s':>7} {'KiB/sub':>8} {'bookMeeting':>11} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'last ms':>8} {'lost':>5} "
        f"{'srv CPU ms/evt':>14} {'cli CPU ms/evt':>14}"
    )
    print(header)
    print("-" * len(header))
    for r in rounds:
        print(
            f"{r['n']:>6} {r['connected']:>9} {_fmt(r.get('open_s')):>7} "
            f"{_fmt(r.get('kib_per_subscription')):>8} {_fmt(r.get('http_ms_median')):>11} "
            f"{_fmt(r.get('p50_ms')):>8} {_fmt(r.get('p99_ms')):>8} {_fmt(r.get('max_ms')):>8} "
            f"{_fmt(r.get('last_delivery_ms_median')):>8} {_fmt(r.get('lost'), 'd'):>5} "
            f"{_fmt(r.get('server_cpu_ms_per_event')):>14} "
            f"{_fmt(r.get('client_cpu_ms_per_event')):>14}"
        )
    print()
    for r in rounds:
        if r.get("error"):
            print(f"N={r['n']}: FAILED - {r['error']}")
        if "rss_before_kib" in r:
            print(
                f"N={r['n']}: server RSS {r['rss_before_kib'] / 1024:.1f} MiB before, "
                f"{r.get('rss_after_kib', 0) / 1024:.1f} MiB with {r['connected']} idle "
                f"subscriptions, {r.get('rss_end_kib', 0) / 1024:.1f} MiB at the end; "
                f"{r.get('server_fds', '-')} open fds (limit {r.get('server_fd_limit')}); "
                f"{r['procs']} client processes"
            )
        if "p99_ms" in r:
            print(
                f"  {r['deliveries']} deliveries over {r['bookings']} bookings: first delivery "
                f"{_fmt(r['first_ms_median'])} ms, last {_fmt(r['last_delivery_ms_median'])} ms "
                f"(median over bookings; worst {_fmt(r['last_delivery_ms_max'])} ms), "
                f"last delivery {_fmt(r['last_after_response_ms_median'])} ms after the "
                f"bookMeeting response; p99 when handled by the client "
                f"{_fmt(r['handled_p99_ms'])} ms"
            )
            print(
                f"  warm-up bookings {r['warmups']} (clients missing: {r['warmup_missing']}), "
                f"lost {r['lost']}, duplicates {r['duplicates']}, client problems "
                f"{r['problems'] or 'none'}, server log errors {r.get('server_log_errors', 0)}"
            )
        if "per_booking" in r:
            lasts = ", ".join(_fmt(b["last_ms"]) for b in r["per_booking"])
            pauses = ", ".join(
                f"gen {g}: {count} ({total * 1000:.0f} ms)"
                for g, (count, total) in sorted(r.get("gc", {}).items())
            )
            print(f"  last delivery per booking (ms): {lasts}; server GC meanwhile: {pauses}")
        if r.get("open_failures"):
            print(f"  connection failures: {r['open_failures']}")
    goal = next((r for r in rounds if r["n"] == GOAL_SUBSCRIBERS), None)
    if goal is None:
        verdict, met = f"not evaluated (no N={GOAL_SUBSCRIBERS} round)", None
    else:
        met = bool(
            not goal.get("error")
            and goal["connected"] == GOAL_SUBSCRIBERS
            and goal.get("lost") == 0
            and goal.get("p99_ms", math.inf) < GOAL_P99_MS
        )
        verdict = (
            f"{'MET' if met else 'MISSED'}: {goal['connected']} subscribers, "
            f"p99 {_fmt(goal.get('p99_ms'))} ms, lost {_fmt(goal.get('lost'), 'd')}"
        )
    print(
        f"goal ({GOAL_SUBSCRIBERS:,} subscribers, p99 < {GOAL_P99_MS:.0f} ms, none lost): {verdict}"
    )
    return {"rounds": {r["n"]: r for r in rounds}, "goal_met": met, "goal": verdict}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--counts",
        default=",".join(map(str, DEFAULT_COUNTS)),
        help="subscriber counts, comma-separated (default 1000,5000)",
    )
    parser.add_argument("--bookings", type=int, default=DEFAULT_BOOKINGS, help="measured bookings")
    parser.add_argument(
        "--procs", type=int, default=DEFAULT_PROCS, help="client processes (default 2)"
    )
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="do not negotiate permessage-deflate (browsers do; the default here too)",
    )
    parser.add_argument(
        "--realistic",
        action="store_true",
        help="goal 5's shape: hosts x 3 dashboards + watchers, bookings at --rate for --seconds",
    )
    parser.add_argument("--hosts", type=int, default=1000, help="--realistic: hosts")
    parser.add_argument("--watchers", type=int, default=500, help="--realistic: watchers")
    parser.add_argument("--rate", type=float, default=50.0, help="--realistic: bookings/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="--realistic: duration")
    parser.add_argument(
        "--idle", type=int, default=0, help="N idle subscribed connections: server RSS growth"
    )
    args = parser.parse_args(argv)
    if args.realistic or args.idle:
        return shapes(args)
    counts = [int(c) for c in args.counts.split(",") if c.strip()]
    compression = None if args.no_compression else "deflate"
    load = os.getloadavg()[0]
    print(
        f"benchmark fd limit {_server.raise_fd_limit()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} (other work on this machine skews the figures)"
    )

    rounds = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bnm-fanout-") as tmp:
        for n in counts:
            began = time.monotonic()
            r = run_round(n, args.procs, args.bookings, compression, Path(tmp))
            print(
                f"N={n}: {r['connected']} connected, p99 {_fmt(r.get('p99_ms'))} ms, "
                f"lost {_fmt(r.get('lost'), 'd')}, round took {time.monotonic() - began:.1f} s"
                + (f", ERROR {r['error']}" if r.get("error") else ""),
                flush=True,
            )
            rounds.append(r)
    figures = report(rounds, compression)
    figures["elapsed_s"] = time.monotonic() - started
    figures["load_average_before"], figures["load_average_after"] = load, os.getloadavg()[0]
    print(
        f"total {figures['elapsed_s']:.1f} s; 1-minute load average {load:.2f} before, "
        f"{figures['load_average_after']:.2f} after"
    )
    return figures


def idle_report(r: dict[str, Any]) -> dict[str, Any]:
    """Goal 5's memory figure from an idle round (`run_round` with no measured bookings)."""
    print()
    print("=== idle subscribed connections (issue #22 goal 5) ===")
    if r.get("error"):
        print(f"FAILED: {r['error']}")
    per = r.get("kib_per_subscription", math.nan)
    print(
        f"{r['connected']}/{r['n']} connections signed in and subscribed to bookingEvents on one "
        f"worker; server RSS {r.get('rss_before_kib', 0) / 1024:.1f} MiB before, "
        f"{r.get('rss_after_kib', 0) / 1024:.1f} MiB after: {_fmt(per)} KiB per connection; "
        f"all subscribed (a booking reached every one): "
        f"{'yes' if r.get('warmup_missing', [1])[-1] == 0 else 'NO'}"
    )
    met = bool(
        not r.get("error")
        and r["connected"] == r["n"]
        and r.get("warmup_missing", [1])[-1] == 0
        and per <= GOAL_IDLE_KIB
    )
    verdict = f"{'MET' if met else 'MISSED'}: {_fmt(per)} KiB per connection"
    print(
        f"goal 5 memory (10,000 idle subscribed connections, RSS growth <= {GOAL_IDLE_KIB:.0f} "
        f"KiB per connection): {verdict}" + ("" if r["n"] == 10_000 else " [reduced shape]")
    )
    return {"idle": r, "goal_met": met, "goal": verdict}


def shapes(args: argparse.Namespace) -> dict[str, Any]:
    """--realistic and/or --idle N (goal 5), each on its own fresh server."""
    from benchmarks import _fanout_realistic

    print(
        f"benchmark fd limit {_server.raise_fd_limit()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} (other work on this machine skews the figures)"
    )
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bnm-fanout-") as tmp:
        if args.realistic:
            r = _fanout_realistic.run(
                args.hosts, args.watchers, args.rate, args.seconds, args.procs, Path(tmp)
            )
            figures["realistic"] = _fanout_realistic.report(r, args.rate, args.seconds)
        if args.idle:
            r = run_round(args.idle, args.procs, 0, None, Path(tmp))
            figures["idle"] = idle_report(r)
    return figures


if __name__ == "__main__":
    main()
