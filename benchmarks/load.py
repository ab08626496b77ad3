"""Load test: two server processes on one PostgreSQL database and one Redis, bookings (with
deliberate collisions), cancellations, availableSlots queries and 1,000 live subscribers at once.

Run from the repository root: `.venv/bin/python benchmarks/load.py [--seconds 75]`.
`--bookings` measures issue #22's goal 4 instead (benchmarks/_booking_speed.py): bookMeeting's
statements and CPU, bookings/s across 50 hosts and on one host, p99, double bookings.
Loopback only; bounded in time (`--seconds` of load, about two minutes in all by default) and in
count (`--max-ops`).

1. A throwaway database `bnm_load_<random>` is created on PostgreSQL (127.0.0.1:5432, user
   postgres) and dropped at the end, whatever happens.
2. `python server.py` is started twice on two free ports with the same DATABASE_URL and REDIS_URL
   (redis://127.0.0.1:6379/0) and RATE_LIMIT_PER_MINUTE=0. Redis pub/sub channels are global to
   the Redis server and named after host ids (`bnm:booking:<id>`): the id sequences of the fresh
   database are moved to random starting points so that another run on the same Redis cannot
   share a channel with this one.
3. `--hosts` hosts (UTC, available 00:00-24:00 every day), each with one 30-minute event type
   every 30 minutes; every other one has a 15-minute buffer after meetings, so that neighbouring
   slots collide too.
4. `--subscribers` WebSocket clients (graphql-transport-ws, signed in as a host, subscribed to
   `bookingEvents`) spread evenly over the hosts and over both servers, held in `--sub-procs`
   spawned processes. One warm-up booking per host makes sure every one of them is subscribed.
5. For `--seconds`, concurrently against randomly chosen servers:
   - `--bookers` clients booking random slots of the hosts over four weeks (collisions happen as
     the calendar fills) and now and then cancelling one of their own bookings;
   - `--colliders` clients booking one slot three times at once, twice on one server and once
     on the other: at most one may succeed;
   - `--readers` clients asking availableSlots for a random day of a random host.
6. Afterwards: until every subscriber has every event of its host (or a time-out), then the
   database is asked for overlapping non-cancelled busy ranges per host (double bookings).

Printed: operations per second and p50/p99 latency per kind, errors by code (only CONFLICT on
bookings is expected), collisions with more than one winner, double bookings, events received vs
expected (bookings and cancellations times the subscribers of their host), delivery lag, and each
server's RSS at start, with the subscribers connected, half-way, and at the end.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _clients, _graphql, _server, _stats

ADMIN_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"

DEFAULT_SECONDS = 75.0
DEFAULT_SUBSCRIBERS = 1000
DEFAULT_HOSTS = 4
DEFAULT_BOOKERS = 12
DEFAULT_COLLIDERS = 2
DEFAULT_READERS = 6
DEFAULT_SUB_PROCS = 2
DEFAULT_MAX_OPS = 50_000

POOL_DAYS = 28  # bookable days, from the day after tomorrow
SLOT_MINUTES = 30
CANCEL_SHARE = 0.1  # of a booker's operations, when it holds a booking
COLLISION_SERVERS = (0, 1, 0)
EXPECTED_CODES = {"book": {"CONFLICT"}, "collide": {"CONFLICT"}}

OPEN_CONCURRENCY = 64  # WebSocket handshakes in flight per subscriber process
OPEN_TIMEOUT = 120.0
WARMUP_TIMEOUT = 30.0
DRAIN_TIMEOUT = 30.0  # for the last events to reach every subscriber
RSS_EVERY = 5.0
HTTP_TIMEOUT = 60.0

BOOK = "mutation ($input: BookMeetingInput!) { bookMeeting(input: $input) { id manageToken } }"
CANCEL = """mutation ($id: ID!, $token: String) {
  cancelBooking(id: $id, manageToken: $token) { id status } }"""
EVENT_KINDS = {"CREATED": 0, "CONFIRMED": 1, "RESCHEDULED": 2, "CANCELLED": 3}


def event_key(booking_id: int | str, kind: str) -> int:
    return int(booking_id) * 4 + EVENT_KINDS[kind]


def histogram_percentile(histogram: dict[int, int], fraction: float) -> float:
    total = sum(histogram.values())
    if not total:
        return math.nan
    rank, seen = max(1, math.ceil(total * fraction)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


# --- the subscribers (spawned processes) ------------------------------------------------------


async def subscriber_main(
    pipe: Pipe, assignments: list[tuple[int, str, str]], compression: Any
) -> None:
    """In a subscriber process: on ("open",) one subscribed connection per (host index, ws url,
    token) of `assignments`; then answers the parent's commands on `pipe`."""
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.exceptions import ConnectionClosed

    received: Counter[int] = Counter()  # event key -> subscribers that got it
    lag_ms: Counter[int] = Counter()  # whole milliseconds from occurredAt to arrival -> events
    problems: Counter[str] = Counter()
    totals = {"events": 0, "duplicates": 0}
    connected: Counter[int] = Counter()  # host index -> subscribed connections
    connections: list[ClientConnection] = []
    readers: list[asyncio.Task[None]] = []
    closing = False
    subscribe = _graphql.subscribe(_graphql.BOOKING_EVENTS)

    async def read(ws: ClientConnection) -> None:
        seen: set[int] = set()
        try:
            async for raw in ws:
                arrived = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "next":
                    data = (message.get("payload") or {}).get("data") or {}
                    event = data.get("bookingEvents")
                    if not event:
                        problems[f"next without data: {str(raw)[:120]}"] += 1
                        continue
                    key = event_key(event["booking"]["id"], event["kind"])
                    if key in seen:
                        totals["duplicates"] += 1
                        continue
                    seen.add(key)
                    received[key] += 1
                    totals["events"] += 1
                    occurred = datetime.fromisoformat(event["occurredAt"]).timestamp()
                    lag_ms[max(0, int((arrived - occurred) * 1000))] += 1
                elif kind == "ping":
                    await ws.send(_graphql.PONG)
                elif kind in ("error", "complete"):
                    problems[f"{kind}: {str(raw)[:160]}"] += 1
        except ConnectionClosed as exc:
            if not closing:
                code = exc.rcvd.code if exc.rcvd else "none"
                problems[f"connection closed (code {code})"] += 1

    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one(host: int, url: str, token: str) -> None:
        async with gate:
            ws = await connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                compression=compression,
                open_timeout=60,
                ping_interval=None,  # the server pings; websockets answers
                close_timeout=2,
            )
            try:
                await ws.send(_graphql.connection_init(token))
                while True:
                    ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
                    if ack.get("type") == "connection_ack":
                        break
                    if ack.get("type") != "ping":
                        raise RuntimeError(f"expected connection_ack, got {str(ack)[:160]}")
                await ws.send(subscribe)
            except BaseException:
                await ws.close()
                raise
            connections.append(ws)
            connected[host] += 1
            readers.append(asyncio.create_task(read(ws)))

    try:
        while True:
            command, *_args = await _clients.next_command(pipe)
            if command == "open":
                began = time.monotonic()
                failures = await _clients.failures(open_one(*a) for a in assignments)
                pipe.send(("opened", dict(connected), failures, time.monotonic() - began))
            elif command == "total":
                pipe.send(("total", totals["events"]))
            elif command == "stats":
                pipe.send(
                    (
                        "stats",
                        dict(received),
                        dict(lag_ms),
                        totals["duplicates"],
                        dict(problems),
                        sum(1 for ws in connections if ws.state.name == "OPEN"),
                    )
                )
            elif command == "close":
                closing = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True),
                        20,
                    )
                pipe.send(("closed",))
                return
    finally:
        for task in readers:
            task.cancel()


class Subscribers(_clients.ClientProcesses):
    """`procs` spawned processes holding the subscribed connections between them."""

    def __init__(self, assignments: list[tuple[int, str, str]], procs: int, compression: Any):
        procs = max(1, min(procs, len(assignments)))
        shares = [(assignments[p::procs], compression) for p in range(procs)]
        super().__init__(subscriber_main, shares, name="subscriber")

    def total(self) -> int:
        return sum(r[1] for r in self.ask(("total",), 30))


# --- the database -----------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def _execute(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_database(admin_url: str, name: str) -> None:
    await _execute(admin_url, f'CREATE DATABASE "{name}"')


async def drop_database(admin_url: str, name: str) -> None:
    await _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def spread_ids(url: str, rng: random.Random) -> dict[str, int]:
    """Moves the id sequences of users and bookings to random starting points (see step 2)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        starts = {}
        for table in ("users", "bookings"):
            start = rng.randrange(1_000_000, 1_000_000_000)
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1, false)", start
            )
            starts[table] = start
        return starts
    finally:
        await connection.close()


DOUBLE_BOOKINGS = """
SELECT a.host_id, count(*) AS pairs
FROM bookings a JOIN bookings b
  ON a.host_id = b.host_id AND a.id < b.id
 AND a.status <> 'CANCELLED' AND b.status <> 'CANCELLED'
 AND a.busy_start < b.busy_end AND b.busy_start < a.busy_end
GROUP BY a.host_id
"""


async def database_checks(url: str) -> dict[str, Any]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        overlaps = await connection.fetch(DOUBLE_BOOKINGS)
        statuses = await connection.fetch("SELECT status, count(*) FROM bookings GROUP BY status")
        outbox = await connection.fetchval("SELECT count(*) FROM outbox_events")
    finally:
        await connection.close()
    return {
        "double_bookings": sum(int(r["pairs"]) for r in overlaps),
        "double_bookings_by_host": {int(r["host_id"]): int(r["pairs"]) for r in overlaps},
        "bookings_by_status": {r["status"]: int(r["count"]) for r in statuses},
        "outbox_left": int(outbox),
    }


# --- GraphQL over HTTP ------------------------------------------------------------------------


def create_hosts(base_url: str, count: int, run_id: str) -> list[dict[str, Any]]:
    import httpx

    hosts = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for i in range(count):
            buffer_after = 15 if i % 2 else 0
            host = _graphql.create_host(
                client,
                email=f"load-{run_id}-host{i}@example.com",
                password="load-test-password-1",
                name=f"Load Host {i}",
                time_zone="UTC",
                days=_graphql.EVERY_DAY,
                hours=("00:00", "24:00"),
                event_type={
                    "title": f"Load call {i}",
                    "slug": f"load-call-{i}",
                    "durationMinutes": SLOT_MINUTES,
                    "slotIntervalMinutes": SLOT_MINUTES,
                    "bufferAfterMinutes": buffer_after,
                },
            )
            hosts.append(
                {
                    "index": i,
                    "user_id": host.user_id,
                    "token": host.token,
                    "type_id": host.event_type_id,
                    "buffer_after": buffer_after,
                }
            )
    return hosts


class Driver:
    """The HTTP side of the load: the clients, their outcomes and latencies."""

    def __init__(self, urls: list[str], hosts: list[dict[str, Any]], seed: int, max_ops: int):
        self.urls = [u + "/graphql" for u in urls]
        self.hosts = hosts
        self.seed = seed
        self.max_ops = max_ops
        day = datetime.now(UTC).date() + timedelta(days=2)
        self.first_day = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.slots_per_day = 24 * 60 // SLOT_MINUTES
        self.latency_ms: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)  # kind -> "ok" or code
        self.events: list[tuple[int, int]] = []  # (event key, host index) of every change made
        self.collision_winners: Counter[int] = Counter()
        self.bad_answers: Counter[str] = Counter()
        self.ops = 0
        self.deadline = math.inf
        self.sessions: list[Any] = []

    def stopping(self) -> bool:
        return time.monotonic() >= self.deadline or self.ops >= self.max_ops

    def slot(self, rng: random.Random) -> datetime:
        cell = rng.randrange(POOL_DAYS * self.slots_per_day)
        return self.first_day + timedelta(minutes=SLOT_MINUTES * cell)

    async def call(
        self, kind: str, server: int, query: str, variables: dict[str, Any]
    ) -> dict[str, Any] | None:
        """One operation, recorded under `kind`: its data, or None when it failed."""
        import aiohttp

        self.ops += 1
        began = time.perf_counter()
        code: str | None = None
        data = None
        try:
            async with self.sessions[server].post(
                self.urls[server], json={"query": query, "variables": variables}
            ) as response:
                raw = await response.read()
                status = response.status
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                code = f"HTTP {status}"
            elif body.get("errors"):
                code = str((body["errors"][0].get("extensions") or {}).get("code", "NO_CODE"))
            elif status != 200 or body.get("data") is None:
                code = f"HTTP {status}"
            else:
                data = body["data"]
        except TimeoutError:
            code = "TIMEOUT"
        except aiohttp.ClientError as exc:
            code = f"transport {type(exc).__name__}"
        self.latency_ms[kind].append((time.perf_counter() - began) * 1000)
        self.outcomes[kind][code or "ok"] += 1
        return data

    async def book(
        self, kind: str, rng: random.Random, host: dict[str, Any], start: datetime, server: int
    ) -> tuple[str, str, int] | None:
        n = rng.randrange(1_000_000)
        data = await self.call(
            kind,
            server,
            BOOK,
            {
                "input": {
                    "eventTypeId": host["type_id"],
                    "start": start.isoformat(),
                    "name": f"Guest {n}",
                    "email": f"guest{n}@example.com",
                }
            },
        )
        if data is None:
            return None
        booked = data["bookMeeting"]
        self.events.append((event_key(booked["id"], "CREATED"), host["index"]))
        return booked["id"], booked["manageToken"], host["index"]

    async def booker(self, i: int) -> None:
        rng = random.Random(self.seed * 1000 + i)
        mine: list[tuple[str, str, int]] = []
        while not self.stopping():
            server = rng.randrange(len(self.urls))
            if mine and rng.random() < CANCEL_SHARE:
                booking_id, token, host = mine.pop(rng.randrange(len(mine)))
                data = await self.call("cancel", server, CANCEL, {"id": booking_id, "token": token})
                if data is not None:
                    if data["cancelBooking"]["status"] != "CANCELLED":
                        self.bad_answers["cancel: status not CANCELLED"] += 1
                    self.events.append((event_key(booking_id, "CANCELLED"), host))
            else:
                host = self.hosts[rng.randrange(len(self.hosts))]
                booked = await self.book("book", rng, host, self.slot(rng), server)
                if booked is not None:
                    mine.append(booked)

    async def collider(self, i: int) -> None:
        rng = random.Random(self.seed * 1000 + 500 + i)
        while not self.stopping():
            host = self.hosts[rng.randrange(len(self.hosts))]
            start = self.slot(rng)
            results = await asyncio.gather(
                *(self.book("collide", rng, host, start, s) for s in COLLISION_SERVERS)
            )
            self.collision_winners[sum(r is not None for r in results)] += 1

    async def reader(self, i: int) -> None:
        rng = random.Random(self.seed * 1000 + 900 + i)
        while not self.stopping():
            host = self.hosts[rng.randrange(len(self.hosts))]
            start = self.first_day + timedelta(days=rng.randrange(POOL_DAYS))
            variables = {
                "id": host["type_id"],
                "start": start.isoformat(),
                "end": (start + timedelta(days=1)).isoformat(),
            }
            data = await self.call(
                "slots", rng.randrange(len(self.urls)), _graphql.AVAILABLE_SLOTS, variables
            )
            if data is not None and len(data["availableSlots"]) > self.slots_per_day:
                self.bad_answers["slots: more slots than the day has"] += 1

    async def run(self, seconds: float, bookers: int, colliders: int, readers: int) -> float:
        """All clients for `seconds` (or until max_ops); returns the seconds they ran."""
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT)
        self.sessions = [
            aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0))
            for _ in self.urls
        ]
        try:
            began = time.monotonic()
            self.deadline = began + seconds
            await asyncio.gather(
                *(self.booker(i) for i in range(bookers)),
                *(self.collider(i) for i in range(colliders)),
                *(self.reader(i) for i in range(readers)),
            )
            return time.monotonic() - began
        finally:
            for session in self.sessions:
                await session.close()


# --- the run ----------------------------------------------------------------------------------


class RssLog:
    """Each server's VmRSS (KiB) at named moments, and every RSS_EVERY seconds during the load."""

    def __init__(self, servers: list[_server.Child]) -> None:
        self.servers = servers
        self.points: dict[str, list[int]] = {}
        self.samples: list[tuple[float, list[int]]] = []

    def read(self) -> list[int]:
        return [s.rss_kib() if s.alive() else 0 for s in self.servers]

    def mark(self, name: str) -> None:
        self.points[name] = self.read()

    async def sample(self, began: float, until: float) -> None:
        while time.monotonic() < until:
            self.samples.append((time.monotonic() - began, self.read()))
            if "half-way" not in self.points and time.monotonic() - began >= (until - began) / 2:
                self.mark("half-way")
            await asyncio.sleep(min(RSS_EVERY, max(0.05, until - time.monotonic())))


ACTIVITY = """
SELECT state, coalesce(wait_event_type, '-') AS wait_type, coalesce(wait_event, '-') AS wait
FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


async def sample_activity(url: str, seen: Counter[str], every: float = 1.0) -> None:
    """What the servers' database sessions are doing, once a second: `seen` counts
    "state / wait type / wait event" over the samples (and "samples" itself)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        while True:
            for row in await connection.fetch(ACTIVITY):
                seen[f"{row['state']} / {row['wait_type']} / {row['wait']}"] += 1
            seen["samples"] += 1
            await asyncio.sleep(every)
    finally:
        await connection.close()


async def drive(
    driver: Driver,
    rss: RssLog,
    seconds: float,
    bookers: int,
    colliders: int,
    readers: int,
    db_url: str,
    activity: Counter[str],
) -> float:
    began = time.monotonic()
    samplers = [
        asyncio.create_task(rss.sample(began, began + seconds)),
        asyncio.create_task(sample_activity(db_url, activity)),
    ]
    try:
        return await driver.run(seconds, bookers, colliders, readers)
    finally:
        for sampler in samplers:
            sampler.cancel()
        await asyncio.gather(*samplers, return_exceptions=True)


def wait_for_events(subscribers: Subscribers, expected: int, timeout: float) -> tuple[int, float]:
    """Polls the subscribers' event count until it reaches `expected`, or stops growing for
    `timeout` seconds. Returns the count and the seconds waited."""
    began = last_change = time.monotonic()
    total = last = subscribers.total()
    while total < expected and time.monotonic() - last_change < timeout:
        time.sleep(0.25)
        total = subscribers.total()
        if total != last:
            last, last_change = total, time.monotonic()
    return total, time.monotonic() - began


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="load duration")
    parser.add_argument("--subscribers", type=int, default=DEFAULT_SUBSCRIBERS)
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS)
    parser.add_argument("--bookers", type=int, default=DEFAULT_BOOKERS)
    parser.add_argument("--colliders", type=int, default=DEFAULT_COLLIDERS)
    parser.add_argument("--readers", type=int, default=DEFAULT_READERS)
    parser.add_argument("--sub-procs", type=int, default=DEFAULT_SUB_PROCS)
    parser.add_argument("--max-ops", type=int, default=DEFAULT_MAX_OPS, help="HTTP operations")
    parser.add_argument("--admin-database-url", default=ADMIN_DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--server-script",
        default="server.py",
        help="run this instead of server.py (a wrapper that profiles or traces it)",
    )
    parser.add_argument(
        "--no-compression", action="store_true", help="no permessage-deflate (browsers use it)"
    )
    parser.add_argument(
        "--bookings",
        action="store_true",
        help="issue #22 goal 4 instead: bookMeeting's CPU, statements and throughput "
        "(benchmarks/_booking_speed.py; --hosts 50 unless given)",
    )
    parser.add_argument("--clients", type=int, default=50, help="--bookings: HTTP clients")
    parser.add_argument("--phase-seconds", type=float, default=20.0, help="--bookings: per phase")
    parser.add_argument("--measured", type=int, default=50, help="--bookings: in-process ones")
    args = parser.parse_args(argv)
    for url in (args.admin_database_url, args.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"loopback only: {url}")
    if args.bookings:
        if "--hosts" not in (argv if argv is not None else sys.argv):
            args.hosts = 50
        return bookings_main(args)
    seed = args.seed if args.seed is not None else secrets.randbelow(1 << 30)
    rng = random.Random(seed)
    compression = None if args.no_compression else "deflate"

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    _server.raise_fd_limit()
    run_id = secrets.token_hex(4)
    db_name = f"bnm_load_{run_id}"
    db_url = database_url(args.admin_database_url, db_name)
    print(
        f"load test {run_id}: {os.cpu_count()} CPUs, load average {load_before:.2f}; database "
        f"{db_name}; {args.seconds:.0f} s of load; seed {seed}",
        flush=True,
    )
    figures: dict[str, Any] = {"run_id": run_id, "seed": seed, "database_name": db_name}
    servers: list[_server.Child] = []
    subscribers: Subscribers | None = None
    created = False
    with tempfile.TemporaryDirectory(prefix="bnm-load-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            _clients.run_async(create_database(args.admin_database_url, db_name))
            created = True
            for name in ("server A", "server B"):
                servers.append(
                    _server.start_app_server(
                        name,
                        log_path=tmp / f"{name[-1]}.log",
                        database_url=db_url,
                        redis_url=args.redis_url,
                        script=args.server_script,
                        timeout=120,
                    )
                )
            rss = RssLog(servers)
            rss.mark("start")
            figures["id_starts"] = _clients.run_async(spread_ids(db_url, rng))
            hosts = create_hosts(servers[0].url, args.hosts, run_id)

            # Subscribers: host k % H, server (k // H) % 2.
            assignments = [
                (
                    k % len(hosts),
                    servers[(k // len(hosts)) % len(servers)].url.replace("http://", "ws://")
                    + "/graphql",
                    hosts[k % len(hosts)]["token"],
                )
                for k in range(args.subscribers)
            ]
            per_server = Counter(a[1] for a in assignments)
            subscribers = Subscribers(assignments, args.sub_procs, compression)
            opened = subscribers.ask(("open",), OPEN_TIMEOUT + 30)
            connected: Counter[int] = Counter()
            open_failures: Counter[str] = Counter()
            for reply in opened:
                connected.update(reply[1])
                open_failures.update(reply[2])
            figures["subscribers_connected"] = sum(connected.values())
            figures["open_failures"] = dict(open_failures)
            print(
                f"{figures['subscribers_connected']}/{args.subscribers} subscribers connected in "
                f"{max(r[3] for r in opened):.1f} s ({list(per_server.values())} per server, "
                f"{[connected[h['index']] for h in hosts]} per host)"
                + (f"; failures {dict(open_failures)}" if open_failures else ""),
                flush=True,
            )

            # Warm-up: one booking per host (tomorrow, noon), until every subscriber has it.
            driver = Driver([s.url for s in servers], hosts, seed, args.max_ops)
            tomorrow = driver.first_day - timedelta(days=1) + timedelta(hours=12)

            async def warm_up() -> None:
                import aiohttp

                driver.sessions = [aiohttp.ClientSession() for _ in servers]
                try:
                    for h in hosts:
                        await driver.book("warm-up", rng, h, tomorrow, h["index"] % len(servers))
                finally:
                    for session in driver.sessions:
                        await session.close()

            _clients.run_async(warm_up())
            warm_expected = sum(connected[h] for _, h in driver.events)
            warm_got, warm_s = wait_for_events(subscribers, warm_expected, WARMUP_TIMEOUT)
            figures["warmup_missing"] = warm_expected - warm_got
            print(
                f"warm-up: {len(driver.events)} bookings, {warm_got}/{warm_expected} events "
                f"in {warm_s:.1f} s",
                flush=True,
            )
            time.sleep(1)
            rss.mark("subscribed")

            server_cpu = [_server.cpu_seconds(s.pid) for s in servers]
            sub_cpu = subscribers.cpu_seconds()
            driver.ops = 0
            activity: Counter[str] = Counter()
            elapsed = _clients.run_async(
                drive(
                    driver,
                    rss,
                    args.seconds,
                    args.bookers,
                    args.colliders,
                    args.readers,
                    db_url,
                    activity,
                )
            )
            samples = max(1, activity.pop("samples", 0))
            figures["db_sessions"] = {k: n / samples for k, n in activity.most_common()}
            server_cpu = [
                _server.cpu_seconds(s.pid) - c if s.alive() else math.nan
                for s, c in zip(servers, server_cpu, strict=True)
            ]
            figures["drive_s"] = elapsed
            figures["ops"] = driver.ops
            print(f"load ran {elapsed:.1f} s, {driver.ops} HTTP operations", flush=True)

            expected_total = sum(connected[h] for _, h in driver.events)
            _, drain_s = wait_for_events(subscribers, expected_total, DRAIN_TIMEOUT)
            figures["drain_s"] = drain_s
            sub_cpu = subscribers.cpu_seconds() - sub_cpu
            stats = subscribers.ask(("stats",), 120)
            received: Counter[int] = Counter()
            lag: Counter[int] = Counter()
            sub_problems: Counter[str] = Counter()
            duplicates = still_open = 0
            for reply in stats:
                received.update(reply[1])
                lag.update({int(k): v for k, v in reply[2].items()})
                duplicates += reply[3]
                sub_problems.update(reply[4])
                still_open += reply[5]
            time.sleep(2)
            rss.mark("end")

            expected_by_key = {key: connected[h] for key, h in driver.events}
            missing = sum(max(0, n - received.get(key, 0)) for key, n in expected_by_key.items())
            extra = sum(max(0, received.get(key, 0) - n) for key, n in expected_by_key.items())
            foreign = sum(n for key, n in received.items() if key not in expected_by_key)
            figures["events"] = {
                "changes": len(expected_by_key),
                "expected": sum(expected_by_key.values()),
                "received": sum(n for key, n in received.items() if key in expected_by_key),
                "missing": missing,
                "extra": extra,
                "duplicates": duplicates,
                "foreign": foreign,
                "lag_p50_ms": histogram_percentile(lag, 0.50),
                "lag_p99_ms": histogram_percentile(lag, 0.99),
                "lag_max_ms": float(max(lag, default=0)),
                "subscriber_problems": dict(sub_problems),
                "still_open": still_open,
            }
            figures["database"] = _clients.run_async(database_checks(db_url))
            figures["cpu_s"] = {
                "server A": server_cpu[0],
                "server B": server_cpu[1],
                "subscribers": sub_cpu,
            }
            figures |= summarise(driver, elapsed)
            figures["rss_kib"] = {
                s.name: {point: values[i] for point, values in rss.points.items()}
                for i, s in enumerate(servers)
            }
            figures["rss_samples"] = rss.samples
            figures["server_log_problems"] = {s.name: dict(s.log_problems()) for s in servers}
            figures["server_exits"] = {
                s.name: s.process.returncode for s in servers if not s.alive()
            }
            for s in servers:
                if not s.alive():
                    sys.stderr.write(f"--- {s.name} exited during the run; log tail ---\n")
                    sys.stderr.write(s.log_tail(4000) + "\n")
        except BaseException:
            for s in servers:
                sys.stderr.write(f"--- {s.name} log tail ---\n{s.log_tail()}\n")
            raise
        finally:
            if subscribers is not None:
                subscribers.stop()
            _server.stop_all(servers)
            if created:
                try:
                    _clients.run_async(drop_database(args.admin_database_url, db_name))
                    print(f"dropped database {db_name}", flush=True)
                except Exception as exc:
                    print(f"could NOT drop database {db_name}: {exc}", file=sys.stderr)
    figures["elapsed_s"] = time.monotonic() - started
    figures["load_average_before"], figures["load_average_after"] = load_before, os.getloadavg()[0]
    report(figures)
    return figures


def bookings_main(args: argparse.Namespace) -> dict[str, Any]:
    """Goal 4 of issue #22 (see benchmarks/_booking_speed.py)."""
    from benchmarks import _booking_speed as speed

    seed = args.seed if args.seed is not None else secrets.randbelow(1 << 30)
    rng = random.Random(seed)
    _server.raise_fd_limit()
    run_id = secrets.token_hex(4)
    db_name = f"bnm_load_{run_id}"
    db_url = database_url(args.admin_database_url, db_name)
    print(
        f"bookings speed {run_id}: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"{args.hosts} hosts, {args.clients} clients, {args.phase_seconds:.0f} s per phase; "
        f"seed {seed}",
        flush=True,
    )
    figures: dict[str, Any] = {"run_id": run_id, "seed": seed}
    servers: list[_server.Child] = []
    created = False
    with tempfile.TemporaryDirectory(prefix="bnm-speed-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            _clients.run_async(create_database(args.admin_database_url, db_name))
            created = True
            for name in ("server A", "server B"):
                servers.append(
                    _server.start_app_server(
                        name,
                        log_path=tmp / f"{name[-1]}.log",
                        database_url=db_url,
                        redis_url=args.redis_url,
                        script=args.server_script,
                        timeout=120,
                    )
                )
            figures["id_starts"] = _clients.run_async(spread_ids(db_url, rng))
            hosts = create_hosts(servers[0].url, args.hosts, run_id)
            single = speed.one_host(servers[1].url, run_id)
            figures["measured"] = _clients.run_async(
                speed.measure_in_process(db_url, hosts[0]["type_id"], args.measured)
            )
            print(f"in process: {figures['measured']}", flush=True)
            across = [(h["type_id"], SLOT_MINUTES) for h in hosts]
            figures["across"] = speed.run_phase(
                "across hosts", servers, across, args.clients, args.phase_seconds, seed
            )
            figures["one_host"] = speed.run_phase(
                "one host",
                servers,
                [(single["type_id"], single["minutes"])],
                args.clients,
                args.phase_seconds,
                seed + 1,
            )
            figures["database"] = _clients.run_async(database_checks(db_url))
            figures["server_log_problems"] = {s.name: dict(s.log_problems()) for s in servers}
        except BaseException:
            for s in servers:
                sys.stderr.write(f"--- {s.name} log tail ---\n{s.log_tail()}\n")
            raise
        finally:
            _server.stop_all(servers)
            if created:
                try:
                    _clients.run_async(drop_database(args.admin_database_url, db_name))
                except Exception as exc:
                    print(f"could NOT drop database {db_name}: {exc}", file=sys.stderr)
    speed.report(figures)
    print(f"server log problems: {figures['server_log_problems']}")
    return figures


def summarise(driver: Driver, elapsed: float) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    unexpected: Counter[str] = Counter()
    for kind in ("book", "collide", "cancel", "slots"):
        outcomes = driver.outcomes.get(kind, Counter())
        latencies = driver.latency_ms.get(kind, [])
        allowed = EXPECTED_CODES.get(kind, set())
        for code, n in outcomes.items():
            if code != "ok" and code not in allowed:
                unexpected[f"{kind}: {code}"] += n
        kinds[kind] = {
            "ops": len(latencies),
            "ops_per_s": len(latencies) / elapsed if elapsed else math.nan,
            "ok": outcomes.get("ok", 0),
            "errors": {c: n for c, n in outcomes.items() if c != "ok"},
            "p50_ms": _stats.percentile(latencies, 0.50),
            "p99_ms": _stats.percentile(latencies, 0.99),
            "max_ms": max(latencies, default=math.nan),
        }
    for problem, n in driver.bad_answers.items():
        unexpected[problem] += n
    return {
        "kinds": kinds,
        "unexpected_errors": dict(unexpected),
        "collision_rounds": sum(driver.collision_winners.values()),
        "collision_winners": dict(driver.collision_winners),
        "collisions_with_two_winners": sum(
            n for winners, n in driver.collision_winners.items() if winners > 1
        ),
        "changes_made": len(driver.events),
    }


def _mib(kib: float) -> str:
    return f"{kib / 1024:7.1f} MiB"


def report(f: dict[str, Any]) -> None:
    print()
    print("=== load test summary ===")
    print(
        f"{f.get('drive_s', 0):.1f} s of load on two server processes (PostgreSQL + Redis), "
        f"{f.get('subscribers_connected', 0)} subscribers; {f.get('elapsed_s', 0):.0f} s in all"
    )
    print(f"{'kind':<8} {'ops':>7} {'ops/s':>8} {'ok':>7} {'p50 ms':>8} {'p99 ms':>8} errors")
    for kind, k in f.get("kinds", {}).items():
        print(
            f"{kind:<8} {k['ops']:>7} {k['ops_per_s']:>8.1f} {k['ok']:>7} {k['p50_ms']:>8.1f} "
            f"{k['p99_ms']:>8.1f} {k['errors'] or '-'}"
        )
    unexpected = f.get("unexpected_errors", {})
    print(
        f"unexpected errors (anything but CONFLICT on bookings): {sum(unexpected.values())} "
        f"{unexpected or ''}  -> {'ok' if not unexpected else 'FAILED'}"
    )
    print(
        f"collision rounds {f.get('collision_rounds', 0)} (3 simultaneous bookings of one slot): "
        f"winners {dict(sorted(f.get('collision_winners', {}).items()))}; with 2+ winners "
        f"{f.get('collisions_with_two_winners', 0)}"
    )
    db = f.get("database", {})
    print(
        f"double bookings in the database (overlapping non-cancelled busy ranges): "
        f"{db.get('double_bookings')} -> {'ok' if db.get('double_bookings') == 0 else 'FAILED'}; "
        f"bookings by status {db.get('bookings_by_status')}; outbox rows left "
        f"{db.get('outbox_left')}"
    )
    e = f.get("events", {})
    print(
        f"events: {e.get('changes')} bookings/cancellations -> {e.get('received')} received of "
        f"{e.get('expected')} expected (missing {e.get('missing')}, extra {e.get('extra')}, "
        f"duplicates {e.get('duplicates')}, from other runs {e.get('foreign')}); "
        f"lag occurredAt->arrival p50 {e.get('lag_p50_ms', math.nan):.0f} ms, "
        f"p99 {e.get('lag_p99_ms', math.nan):.0f} ms, max {e.get('lag_max_ms', math.nan):.0f} ms; "
        f"drain {f.get('drain_s', math.nan):.1f} s -> "
        f"{'ok' if e.get('missing') == 0 and not e.get('extra') else 'FAILED'}"
    )
    if e.get("subscriber_problems"):
        print(f"subscriber problems: {e['subscriber_problems']}")
    sessions = f.get("db_sessions", {})
    if sessions:
        print(
            "database sessions of both servers, average over the load (state / wait): "
            + ", ".join(f"{k} {n:.1f}" for k, n in list(sessions.items())[:6])
        )
    cpu = f.get("cpu_s", {})
    if cpu and f.get("drive_s"):
        print(
            "CPU during the load: "
            + ", ".join(f"{k} {v / f['drive_s'] * 100:.0f}%" for k, v in cpu.items())
            + " of one core"
        )
    for name, points in f.get("rss_kib", {}).items():
        start, subscribed = points.get("start", 0), points.get("subscribed", 0)
        half, end = points.get("half-way", subscribed), points.get("end", 0)
        growth = end - subscribed
        second_half = end - half
        flat = second_half <= max(0.05 * half, 5 * 1024)
        if not end:
            print(f"{name} RSS: start {_mib(start)}, subscribed {_mib(subscribed)}; EXITED")
            continue
        print(
            f"{name} RSS: start {_mib(start)}, subscribed {_mib(subscribed)}, half-way "
            f"{_mib(half)}, end {_mib(end)}; growth during the load {growth / 1024:+.1f} MiB "
            f"({growth / max(subscribed, 1) * 100:+.1f}%), second half {second_half / 1024:+.1f} "
            f"MiB -> {'flat' if flat else 'GROWING'} (flat: second half <= max(5%, 5 MiB))"
        )
    samples = f.get("rss_samples", [])
    for i, name in enumerate(f.get("rss_kib", {})):
        series = " ".join(f"{values[i] / 1024:.0f}" for _, values in samples)
        print(f"{name} RSS every {RSS_EVERY:.0f} s during the load (MiB): {series}")
    for name, problems in f.get("server_log_problems", {}).items():
        print(f"{name} log ERROR lines: {sum(problems.values())} {problems or ''}")
    for name, code in f.get("server_exits", {}).items():
        print(f"{name} EXITED during the run (code {code}): its figures above are cut short")
    print(
        f"load average {f.get('load_average_before', 0):.2f} before, "
        f"{f.get('load_average_after', 0):.2f} after (the clients share the machine's CPUs)"
    )


if __name__ == "__main__":
    main()
