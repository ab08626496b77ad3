"""`fanout.py --realistic`: issue #22 goal 5's shape. `--hosts` hosts (default 1,000), each with
3 dashboards (graphql-transport-ws connections signed in as the host, subscribed to
`bookingEvents`), and `--watchers` anonymous connections (default 500) subscribed to
`availabilityChanged` of one host's event type each (watcher j watches host j mod hosts); then
bookings at `--rate` per second (default 50) for `--seconds` (default 20), booking i for host
i mod hosts, sent over HTTP on their schedule whatever the earlier ones' answers.

Delivery latency (the goal's figure) = the client's read time.time_ns() - the event's
occurredAt (the server's clock when the booking was written, just before its commit; one machine,
one clock), per audience. Beside it, end to end = read time - t0 (just before bookMeeting was
sent), which adds the booking's own wait and work in the server. A dashboard's event is matched
with its booking by id; a watcher's k-th availabilityChanged of an event type with the k-th booking
of that event type (a host's bookings are hosts / rate seconds apart). Lost = expected deliveries
that did not arrive within `SETTLE_TIMEOUT` of the last booking. Goal: p99 < 50 ms, 0 lost.
"""

import asyncio
import contextlib
import json
import math
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import httpx

from benchmarks import _clients, _graphql, _server, _stats

GOAL_P99_MS = 50.0
DASHBOARDS_PER_HOST = 3
OPEN_CONCURRENCY = 64
START_TIMEOUT = 180.0
OPEN_TIMEOUT = 300.0
SETTLE_TIMEOUT = 30.0  # seconds after the last booking for every delivery to arrive
SETUP_THREADS = 8

AVAILABILITY = """subscription ($id: ID!) {
  availabilityChanged(eventTypeId: $id) { eventTypeId occurredAt } }"""
BOOK = "mutation ($input: BookMeetingInput!) { bookMeeting(input: $input) { id } }"

# A connection: (token or None, "b" for a dashboard or "a" for a watcher, event type id).
Spec = tuple[str | None, str, str]


async def client_main(pipe: Pipe, ws_url: str, specs: list[Spec]) -> None:
    """In a client process: opens one subscribed connection per spec on ("open",); on
    ("collect", expected, timeout) waits until `expected` events arrived (or the timeout) and
    answers every arrival as (spec index, kind, key, read ns)."""
    from websockets.client import ClientProtocol
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Response
    from websockets.typing import Subprotocol
    from websockets.uri import parse_uri

    uri = parse_uri(ws_url)
    loop = asyncio.get_running_loop()
    arrivals: list[tuple[int, str, str, int, int]] = []
    problems: Counter[str] = Counter()
    enough = asyncio.Event()
    expected = math.inf

    class Sub(asyncio.Protocol):
        def __init__(self, index: int, spec: Spec) -> None:
            self.index, (self.token, self.kind, self.type_id) = index, spec
            self.ws = ClientProtocol(uri, subprotocols=[Subprotocol("graphql-transport-ws")])
            self.transport: asyncio.Transport | None = None
            self.ready: asyncio.Future[None] = loop.create_future()

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]
            self.ws.send_request(self.ws.connect())
            self.flush()

        def flush(self) -> None:
            assert self.transport is not None
            for data in self.ws.data_to_send():
                if data:
                    self.transport.write(data)

        def send(self, text: str) -> None:
            self.ws.send_text(text.encode())
            self.flush()

        def data_received(self, data: bytes) -> None:
            rx_ns = time.time_ns()
            self.ws.receive_data(data)
            for event in self.ws.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    self.on_message(json.loads(event.data), rx_ns)
                elif isinstance(event, Response):
                    if self.ws.handshake_exc is not None:
                        self.fail(f"handshake: {self.ws.handshake_exc}")
                    elif self.token:
                        self.send(_graphql.connection_init(self.token))
                    else:
                        self.send('{"type":"connection_init","payload":{}}')
            self.flush()

        def on_message(self, message: dict[str, Any], rx_ns: int) -> None:
            kind = message.get("type")
            if kind == "next":
                data = message["payload"].get("data") or {}
                if self.kind == "b" and data.get("bookingEvents"):
                    event = data["bookingEvents"]
                    key = str(event["booking"]["id"])
                elif self.kind == "a" and data.get("availabilityChanged"):
                    event = data["availabilityChanged"]
                    key = str(event["eventTypeId"])
                else:
                    problems[f"unexpected next: {str(message)[:120]}"] += 1
                    return
                occurred = datetime.fromisoformat(event["occurredAt"]).timestamp()
                arrivals.append((self.index, self.kind, key, rx_ns, int(occurred * 1e9)))
                if len(arrivals) >= expected:
                    enough.set()
            elif kind == "connection_ack":
                if self.kind == "b":
                    self.send(_graphql.subscribe(_graphql.BOOKING_EVENTS))
                else:
                    self.send(
                        json.dumps(
                            {
                                "id": "1",
                                "type": "subscribe",
                                "payload": {
                                    "query": AVAILABILITY,
                                    "variables": {"id": self.type_id},
                                },
                            }
                        )
                    )
                if not self.ready.done():
                    self.ready.set_result(None)
            elif kind == "ping":
                self.send(_graphql.PONG)
            elif kind in ("error", "complete"):
                self.fail(f"{kind}: {str(message)[:120]}")

        def fail(self, problem: str) -> None:
            problems[problem.split(":")[0]] += 1
            if not self.ready.done():
                self.ready.set_exception(RuntimeError(problem))

        def connection_lost(self, exc: Exception | None) -> None:
            if self.ready.done():
                problems["closed"] += 1
            else:
                self.ready.set_exception(RuntimeError(f"closed: {exc}"))

    subs: list[Sub] = []
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one(index: int, spec: Spec) -> None:
        async with gate:
            sub = Sub(index, spec)
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
                failures = await _clients.failures(open_one(i, s) for i, s in enumerate(specs))
                pipe.send(("opened", len(subs), failures, time.monotonic() - began))
            elif command == "collect":
                expected, timeout = args
                if len(arrivals) < expected:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(enough.wait(), timeout)
                pipe.send(("arrivals", arrivals, dict(problems)))
            elif command == "close":
                for sub in subs:
                    if sub.transport is not None:
                        sub.transport.close()
                pipe.send(("closed",))
                return
    finally:
        for sub in subs:
            if sub.transport is not None:
                sub.transport.close()


def create_hosts(base_url: str, count: int) -> list[tuple[str, str]]:
    """`count` UTC hosts available all day with a 15-minute event type: (token, event type id)."""

    def one(i: int) -> tuple[str, str]:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            host = _graphql.create_host(
                client,
                email=f"realistic-host{i}@example.com",
                name=f"Host {i}",
                time_zone="UTC",
                days=_graphql.EVERY_DAY,
                hours=("00:00", "24:00"),
                event_type={
                    "title": "Call",
                    "slug": "call",
                    "durationMinutes": 15,
                    "slotIntervalMinutes": 15,
                },
            )
        return host.token, host.event_type_id

    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        return list(pool.map(one, range(count)))


async def book_all(
    base_url: str, type_ids: list[str], rate: float, seconds: float
) -> list[dict[str, Any]]:
    """Bookings at `rate` per second for `seconds`, each sent on its schedule: per booking its
    index, event type, id (None if it failed), t0 and round-trip time."""
    total = int(rate * seconds)
    day = datetime.now(UTC).date() + timedelta(days=2)
    first = datetime(day.year, day.month, day.day, tzinfo=UTC)
    made: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

        async def book(i: int) -> None:
            type_id = type_ids[i % len(type_ids)]
            start = first + timedelta(minutes=15 * (i // len(type_ids)))
            variables = {
                "input": {
                    "eventTypeId": type_id,
                    "start": start.isoformat(),
                    "name": f"Guest {i}",
                    "email": f"guest{i}@example.com",
                }
            }
            row: dict[str, Any] = {"i": i, "type_id": type_id, "id": None}
            made.append(row)
            row["t0"] = time.time_ns()
            try:
                response = await client.post(
                    "/graphql", json={"query": BOOK, "variables": variables}
                )
                body = response.json()
                row["id"] = str(body["data"]["bookMeeting"]["id"])
            except Exception as exc:  # counted, the run goes on
                row["error"] = f"{type(exc).__name__}: {str(exc)[:100]}"
            row["rtt_ms"] = (time.time_ns() - row["t0"]) / 1e6

        began = time.monotonic()
        tasks = []
        for i in range(total):
            delay = began + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(book(i)))
        await asyncio.gather(*tasks)
    return made


def match(
    specs: list[Spec], arrivals: list[tuple[int, str, str, int, int]], made: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Delivery and end-to-end latencies (ms) and lost/extra deliveries per audience."""
    booked = [m for m in made if m["id"] is not None]
    t0_by_id = {m["id"]: m["t0"] for m in booked}
    by_type: dict[str, list[int]] = defaultdict(list)
    for m in sorted(booked, key=lambda m: m["t0"]):
        by_type[m["type_id"]].append(m["t0"])
    got: dict[int, list[tuple[str, int]]] = defaultdict(list)
    out: dict[str, dict[str, Any]] = {
        k: {"latency_ms": [], "e2e_ms": [], "expected": 0, "lost": 0, "extra": 0}
        for k in ("b", "a")
    }
    for index, kind, key, rx, occurred in arrivals:
        got[index].append((key, rx))
        out[kind]["latency_ms"].append((rx - occurred) / 1e6)
    for index, (_token, kind, type_id) in enumerate(specs):
        audience = out[kind]
        if kind == "b":
            wanted = {m["id"] for m in booked if m["type_id"] == type_id}
            seen = {key for key, _ in got[index]}
            audience["expected"] += len(wanted)
            audience["lost"] += len(wanted - seen)
            audience["extra"] += len(got[index]) - len(seen & wanted)
            audience["e2e_ms"] += [
                (rx - t0_by_id[key]) / 1e6 for key, rx in got[index] if key in wanted
            ]
        else:
            t0s = by_type.get(type_id, [])
            rxs = sorted(rx for key, rx in got[index] if key == type_id)
            audience["expected"] += len(t0s)
            audience["lost"] += max(0, len(t0s) - len(rxs))
            audience["extra"] += max(0, len(rxs) - len(t0s))
            audience["e2e_ms"] += [(rx - t0) / 1e6 for t0, rx in zip(t0s, rxs, strict=False)]
    return out


def run(
    hosts: int, watchers: int, rate: float, seconds: float, procs: int, tmp: Path
) -> dict[str, Any]:
    result: dict[str, Any] = {"hosts": hosts, "watchers": watchers, "error": None}
    log_path = tmp / "server-realistic.log"
    server: _server.Child | None = None
    clients: _clients.ClientProcesses | None = None
    try:
        server = _server.start_app_server(
            "server",
            log_path=log_path,
            database_url=f"sqlite://{tmp}/realistic.sqlite3",
            timeout=START_TIMEOUT,
        )
        ws_url = server.url.replace("http://", "ws://") + "/graphql"
        began = time.monotonic()
        created = create_hosts(server.url, hosts)
        result["setup_s"] = time.monotonic() - began
        specs: list[Spec] = [
            (token, "b", type_id) for token, type_id in created for _ in range(DASHBOARDS_PER_HOST)
        ] + [(None, "a", created[j % hosts][1]) for j in range(watchers)]
        procs = max(1, min(procs, len(specs)))
        shares = [specs[p::procs] for p in range(procs)]
        began = time.monotonic()
        clients = _clients.ClientProcesses(client_main, [(ws_url, share) for share in shares])
        replies = clients.ask(("open",), OPEN_TIMEOUT + 30, server)
        result["open_s"] = time.monotonic() - began
        result["connections"] = len(specs)
        result["connected"] = sum(r[1] for r in replies)
        failures: Counter[str] = Counter()
        for r in replies:
            failures.update(r[2])
        result["open_failures"] = dict(failures)
        _server.settle(server.pid)
        result["rss_kib"] = server.rss_kib()

        cpu = _server.cpu_seconds(server.pid)
        made = asyncio.run(book_all(server.url, [t for _, t in created], rate, seconds))
        result["bookings"] = len(made)
        result["booking_errors"] = dict(Counter(m["error"] for m in made if "error" in m))
        result["book_rtt_p99_ms"] = _stats.percentile([m["rtt_ms"] for m in made], 0.99)
        ok = {m["type_id"]: 0 for m in made}
        for m in made:
            ok[m["type_id"]] += m["id"] is not None
        collected = []
        for share, (pipe, _process) in zip(
            shares, zip(clients.pipes, clients.processes, strict=True), strict=True
        ):
            expected = sum(ok.get(type_id, 0) for _, _, type_id in share)
            pipe.send(("collect", expected, SETTLE_TIMEOUT))
        for pipe in clients.pipes:
            if not pipe.poll(SETTLE_TIMEOUT + 60):
                raise TimeoutError("a client process did not answer collect")
            collected.append(pipe.recv())
        result["server_cpu_s"] = _server.cpu_seconds(server.pid) - cpu
        problems: Counter[str] = Counter()
        for r in collected:
            problems.update(r[2])
        result["problems"] = dict(problems)
        for share, r in zip(shares, collected, strict=True):
            for audience, figures in match(share, r[1], made).items():
                total = result.setdefault(audience, {})
                for key, value in figures.items():
                    total[key] = total.get(key, [] if isinstance(value, list) else 0) + value
        for audience in ("b", "a"):
            figures = result.setdefault(audience, {"expected": 0})
            samples = figures.pop("latency_ms", [])
            e2e = figures.pop("e2e_ms", [])
            figures["deliveries"] = len(samples)
            figures["p50_ms"] = _stats.percentile(samples, 0.50)
            figures["p99_ms"] = _stats.percentile(samples, 0.99)
            figures["max_ms"] = max(samples, default=math.nan)
            figures["e2e_p50_ms"] = _stats.percentile(e2e, 0.50)
            figures["e2e_p99_ms"] = _stats.percentile(e2e, 0.99)
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        if server is not None:
            result["server_log_tail"] = server.log_tail()
    finally:
        if clients is not None:
            clients.stop()
        _server.stop_all([server])
    return result


def _fmt(value: Any, spec: str = ".1f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def report(r: dict[str, Any], rate: float, seconds: float) -> dict[str, Any]:
    print()
    print("=== realistic fan-out (issue #22 goal 5) ===")
    print(
        f"{r['hosts']} hosts x {DASHBOARDS_PER_HOST} dashboards (bookingEvents) + "
        f"{r['watchers']} anonymous availabilityChanged watchers; {rate:g} bookings/s for "
        f"{seconds:g} s; one server worker, SQLite, in-process bus, loopback"
    )
    if r.get("error"):
        print(f"FAILED: {r['error']}\n{r.get('server_log_tail', '')}")
    if "connected" in r:
        print(
            f"connected {r['connected']}/{r['connections']} in {_fmt(r.get('open_s'))} s "
            f"(setup of hosts {_fmt(r.get('setup_s'))} s), server RSS "
            f"{r.get('rss_kib', 0) / 1024:.1f} MiB; failures {r['open_failures'] or 'none'}"
        )
    if "bookings" in r:
        print(
            f"bookings sent {r['bookings']}, failed {r['booking_errors'] or 'none'}, "
            f"bookMeeting round trip p99 {_fmt(r['book_rtt_p99_ms'])} ms, server CPU "
            f"{_fmt(r['server_cpu_s'])} s; client problems {r['problems'] or 'none'}"
        )
    names = {"b": "dashboards (bookingEvents)", "a": "watchers (availabilityChanged)"}
    for audience in ("b", "a"):
        f = r.get(audience)
        if f and "p99_ms" in f:
            print(
                f"  {names[audience]:<32} deliveries {f['deliveries']:>6}/{f['expected']:<6} "
                f"p50 {_fmt(f['p50_ms']):>7} ms  p99 {_fmt(f['p99_ms']):>7} ms  "
                f"max {_fmt(f['max_ms']):>7} ms  lost {f.get('lost', 0)}  "
                f"extra {f.get('extra', 0)}; end to end from bookMeeting sent: "
                f"p50 {_fmt(f['e2e_p50_ms'])} ms, p99 {_fmt(f['e2e_p99_ms'])} ms"
            )
    print(
        "  (delivery latency = client read - the event's occurredAt, stamped by the server "
        "just before the booking's commit)"
    )
    worst = max((r.get(a, {}).get("p99_ms", math.inf) for a in ("b", "a")), default=math.inf)
    lost = sum(r.get(a, {}).get("lost", 0) for a in ("b", "a"))
    met = bool(
        not r.get("error")
        and r.get("connected") == r.get("connections")
        and not r.get("booking_errors")
        and lost == 0
        and worst < GOAL_P99_MS
    )
    verdict = f"{'MET' if met else 'MISSED'}: p99 {_fmt(worst)} ms (worst audience), lost {lost}"
    print(
        f"goal 5 realtime (1,000 hosts x 3 dashboards + 500 watchers, 50 bookings/s for 20 s: "
        f"p99 < {GOAL_P99_MS:.0f} ms, 0 lost): {verdict}"
        + (
            ""
            if (r["hosts"], r["watchers"], rate, seconds) == (1000, 500, 50, 20)
            else " [reduced shape]"
        )
    )
    return {"realistic": r, "goal_met": met, "goal": verdict}
