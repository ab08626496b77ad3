"""Issue #22 goal 4, for `benchmarks/load.py --bookings`: bookMeeting's cost and throughput.

1. In this process, on the load test's database: `--measured` bookings through the schema, each
   with a SQL statement counter (tests/sql_counter_booking.py) and its CPU time (process time of
   the schema's execution: the booking itself, without HTTP).
2. Two server processes (PostgreSQL + Redis), `--clients` concurrent HTTP clients, each phase
   `--phase-seconds` long: "across hosts" books random slots of `--hosts` hosts, "one host"
   books random slots of one host with 5-minute slots. Server CPU is read from /proc before and
   after each phase: CPU per booking is both servers' CPU over the bookings made (requests that
   lost their slot, CONFLICT, are in the CPU but not in the count).
3. Afterwards the database is asked for overlapping non-cancelled bookings per host.
"""

import asyncio
import math
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks import _graphql, _server

BOOK = "mutation ($input: BookMeetingInput!) { bookMeeting(input: $input) { id manageToken } }"
GOALS = {
    "cpu_ms": 3.0,  # server CPU per booking, at most
    "statements": 8,  # per booking, at most
    "across_per_s": 300.0,  # bookings/s across hosts, at least
    "one_host_per_s": 150.0,  # bookings/s on one host, at least
    "p99_ms": 250.0,  # at most
}
ONE_HOST_MINUTES = 5
DAYS = 28


def _first_day() -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=2)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def one_host(base_url: str, run_id: str) -> dict[str, Any]:
    import httpx

    with httpx.Client(base_url=base_url, timeout=60) as client:
        host = _graphql.create_host(
            client,
            email=f"speed-{run_id}-one@example.com",
            password="load-test-password-1",
            name="One Host",
            time_zone="UTC",
            days=_graphql.EVERY_DAY,
            hours=("00:00", "24:00"),
            event_type={
                "title": "Quick call",
                "slug": "quick-call",
                "durationMinutes": ONE_HOST_MINUTES,
                "slotIntervalMinutes": ONE_HOST_MINUTES,
            },
        )
    return {"type_id": host.event_type_id, "minutes": ONE_HOST_MINUTES}


async def measure_in_process(db_url: str, type_id: str, count: int) -> dict[str, float]:
    """Statements and CPU of `count` bookings executed in this process (one after another)."""
    import db
    from config import Settings
    from schema.context import Context
    from schema.root import build_schema
    from tests.sql_counter_booking import counting

    settings = Settings(database_url=db_url, rate_limit_per_minute=0)
    await db.start_database(settings, apply_migrations=False)
    try:
        schema = build_schema(settings)
        first = _first_day() + timedelta(days=DAYS + 1)
        statements: list[int] = []
        cpu: list[float] = []
        for n in range(count + 5):  # the first five warm the statement caches
            variables = {
                "input": {
                    "eventTypeId": type_id,
                    "start": (first + timedelta(minutes=30 * n)).isoformat(),
                    "name": f"Measured {n}",
                    "email": f"measured{n}@example.com",
                }
            }
            with counting() as sent:
                began = time.process_time()
                result = await schema.execute(
                    BOOK, variable_values=variables, context_value=Context(settings=settings)
                )
                spent = time.process_time() - began
            if result.errors:
                raise RuntimeError(f"measured booking failed: {result.errors}")
            if n >= 5:
                statements.append(len(sent))
                cpu.append(spent * 1000)
    finally:
        await db.stop_database()
    return {
        "statements": statistics.mean(statements),
        "statements_max": max(statements),
        "cpu_ms_median": statistics.median(cpu),
    }


class Phase:
    def __init__(self, urls: list[str], targets: list[tuple[str, int]], seed: int) -> None:
        self.urls = [u + "/graphql" for u in urls]
        self.targets = targets  # (event type id, slot minutes)
        self.rng = random.Random(seed)
        self.latency_ms: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.first_day = _first_day()

    async def client(self, i: int, session: Any, deadline: float) -> None:
        url = self.urls[i % len(self.urls)]
        rng = random.Random(self.rng.random())
        while time.monotonic() < deadline:
            type_id, minutes = rng.choice(self.targets)
            cell = rng.randrange(DAYS * 24 * 60 // minutes)
            start = self.first_day + timedelta(minutes=minutes * cell)
            n = rng.randrange(1_000_000)
            body = {
                "query": BOOK,
                "variables": {
                    "input": {
                        "eventTypeId": type_id,
                        "start": start.isoformat(),
                        "name": f"Guest {n}",
                        "email": f"guest{n}@example.com",
                    }
                },
            }
            began = time.perf_counter()
            try:
                async with session.post(url, json=body) as response:
                    answer = await response.json(content_type=None)
                errors = answer.get("errors") if isinstance(answer, dict) else None
                if errors:
                    code = (errors[0].get("extensions") or {}).get("code", "NO_CODE")
                elif response.status != 200:
                    code = f"HTTP {response.status}"
                else:
                    code = "ok"
            except Exception as exc:
                code = type(exc).__name__
            self.latency_ms.append((time.perf_counter() - began) * 1000)
            self.outcomes[code] += 1

    async def run(self, clients: int, seconds: float) -> float:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=clients)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            began = time.monotonic()
            deadline = began + seconds
            await asyncio.gather(*(self.client(i, session, deadline) for i in range(clients)))
            return time.monotonic() - began


def run_phase(
    name: str,
    servers: list[_server.Child],
    targets: list[tuple[str, int]],
    clients: int,
    seconds: float,
    seed: int,
) -> dict[str, Any]:
    from benchmarks import _clients

    phase = Phase([s.url for s in servers], targets, seed)
    cpu_before = sum(_server.cpu_seconds(s.pid) for s in servers)
    elapsed = _clients.run_async(phase.run(clients, seconds))
    cpu = sum(_server.cpu_seconds(s.pid) for s in servers) - cpu_before
    made = phase.outcomes["ok"]
    latencies = sorted(phase.latency_ms)
    p99 = latencies[max(0, math.ceil(len(latencies) * 0.99) - 1)] if latencies else math.nan
    figures = {
        "name": name,
        "seconds": elapsed,
        "requests": len(latencies),
        "bookings": made,
        "bookings_per_s": made / elapsed,
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else math.nan,
        "p99_ms": p99,
        "server_cpu_s": cpu,
        "cpu_ms_per_booking": cpu * 1000 / made if made else math.nan,
        "cpu_ms_per_request": cpu * 1000 / len(latencies) if latencies else math.nan,
        "outcomes": dict(phase.outcomes),
    }
    print(
        f"{name}: {made} bookings in {elapsed:.1f} s = {figures['bookings_per_s']:.0f}/s "
        f"({figures['requests_per_s']:.0f} requests/s), p50 {figures['p50_ms']:.0f} ms, "
        f"p99 {p99:.0f} ms, server CPU {figures['cpu_ms_per_booking']:.2f} ms/booking "
        f"({figures['cpu_ms_per_request']:.2f} ms/request); {dict(phase.outcomes)}",
        flush=True,
    )
    return figures


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(f: dict[str, Any]) -> None:
    across, one, measured = f["across"], f["one_host"], f["measured"]
    cpu = (
        (across["server_cpu_s"] + one["server_cpu_s"])
        * 1000
        / max(1, across["bookings"] + one["bookings"])
    )
    p99 = max(across["p99_ms"], one["p99_ms"])
    rows = [
        ("server CPU per booking (ms, both phases)", cpu, f"<= {GOALS['cpu_ms']}", cpu <= 3.0),
        (
            "  in-process CPU per booking (ms, no HTTP)",
            measured["cpu_ms_median"],
            "",
            None,
        ),
        (
            "SQL statements per booking (max)",
            measured["statements_max"],
            f"<= {GOALS['statements']}",
            measured["statements_max"] <= GOALS["statements"],
        ),
        (
            "bookings/s across hosts",
            across["bookings_per_s"],
            f">= {GOALS['across_per_s']:.0f}",
            across["bookings_per_s"] >= GOALS["across_per_s"],
        ),
        (
            "bookings/s on one host",
            one["bookings_per_s"],
            f">= {GOALS['one_host_per_s']:.0f}",
            one["bookings_per_s"] >= GOALS["one_host_per_s"],
        ),
        ("p99 latency (ms, worse phase)", p99, f"< {GOALS['p99_ms']:.0f}", p99 < GOALS["p99_ms"]),
        (
            "double bookings in the database",
            f["database"]["double_bookings"],
            "0",
            f["database"]["double_bookings"] == 0,
        ),
    ]
    print()
    print("=== goal 4: bookMeeting (PostgreSQL + Redis, 2 workers) ===")
    print(f"{'figure':<46} {'measured':>10}  {'goal':<8} verdict")
    for label, value, goal, met in rows:
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{label:<46} {shown:>10}  {goal:<8} {'' if met is None else _verdict(met)}")
    print(f"bookings by status: {f['database']['bookings_by_status']}")
