"""Slot computation benchmark: the sweep in domain.slots vs a per-candidate scan of all busy time,
then `availableSlots` end to end over HTTP against the real server.

Run from the repository root: `.venv/bin/python benchmarks/slots.py`.
Goal: compute_slots under 5 ms and at least 50x faster than the naive scan. Scheduling II (#18):
the same 30 days for a host with 3 seats per slot, weekly and monthly limits and 200 active holds
(seating, closed days, the sweep and the seat offer) within 2x of the plain case and under 5 ms.

The HTTP part starts `python server.py` as a child process on a free port with a throwaway SQLite
file, creates the same kind of host over GraphQL (Europe/London 09:00-17:00 Mon-Fri, 30-minute
event type every 15 minutes), writes 1,000 non-overlapping bookings straight into the database
and times `availableSlots` for a 30-day window.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root


import asyncio
import random
import statistics
import tempfile
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from benchmarks import _london_host, _server, _stats
from domain.availability import local_to_utc, working_intervals
from domain.limits import Limits, closed_days
from domain.seats import Occupant, offer, seating
from domain.slots import Interval, SlotRules, compute_slots

SEED = 20270315
BUSY_COUNT = 1_000
DAYS = 30


def build_case(seed: int = SEED) -> dict[str, Any]:
    """compute_slots keyword arguments: 30 days (across the London spring change), 09:00-17:00
    Mon-Fri Europe/London, 30-minute slots every 15 minutes, 1,000 seeded random busy intervals."""
    tz = _london_host.ZONE
    first_day = date(2027, 3, 15)
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(first_day + timedelta(days=DAYS), time(0), tz)

    rng = random.Random(seed)
    span_minutes = int((window_end - window_start).total_seconds() // 60)
    busy: list[Interval] = []
    for _ in range(BUSY_COUNT):
        start = window_start + timedelta(minutes=rng.randrange(0, span_minutes, 5))
        busy.append((start, start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))))

    return {
        "working": working_intervals(tz, _london_host.WEEKLY, {}, window_start, window_end),
        "busy": busy,
        "rules": _london_host.RULES,
        "now": window_start - timedelta(days=1),
        "window_start": window_start,
        "window_end": window_end,
        "tz": tz,
    }


def naive_slots(case: dict[str, Any]) -> list[Interval]:
    """Every candidate checked against every busy interval (the approach the sweep replaces)."""
    rules: SlotRules = case["rules"]
    earliest = case["now"] + rules.minimum_notice
    found: list[Interval] = []
    for w_start, w_end in case["working"]:
        start = w_start
        while start + rules.duration <= w_end:
            lo, hi = start - rules.buffer_before, start + rules.duration + rules.buffer_after
            if (
                start >= earliest
                and case["window_start"] <= start < case["window_end"]
                and all(not (b_s < hi and lo < b_e) for b_s, b_e in case["busy"])
            ):
                found.append((start, start + rules.duration))
            start += rules.interval
    return found


def timed_ms(run: Callable[[], object]) -> float:
    began = clock.perf_counter()
    run()
    return (clock.perf_counter() - began) * 1000


def interleaved_medians(
    fast: Callable[[], object], slow: Callable[[], object], rounds: int, fast_per_round: int
) -> tuple[float, float]:
    """Median times of both, measured in alternating rounds (one slow run, then several fast
    ones) so that a busy machine weighs on both alike rather than on whichever ran second."""
    fast_samples: list[float] = []
    slow_samples: list[float] = []
    for _ in range(rounds):
        slow_samples.append(timed_ms(slow))
        fast_samples.extend(timed_ms(fast) for _ in range(fast_per_round))
    return statistics.median(fast_samples), statistics.median(slow_samples)


def domain_benchmark() -> dict[str, float]:
    case = build_case()
    fast = compute_slots(**case)
    slow = naive_slots(case)
    assert fast == slow, "compute_slots and the naive scan disagree"

    fast_ms, slow_ms = interleaved_medians(
        lambda: compute_slots(**case), lambda: naive_slots(case), rounds=7, fast_per_round=9
    )
    ratio = slow_ms / fast_ms
    candidates = sum(int((e - s) / case["rules"].interval) for s, e in case["working"])
    print(
        f"slots: {DAYS} days, {len(case['working'])} working intervals, "
        f"~{candidates} candidates, {len(case['busy'])} busy intervals -> {len(fast)} slots"
    )
    print(f"compute_slots (sweep)   median {fast_ms:8.3f} ms")
    print(f"naive per-candidate     median {slow_ms:8.3f} ms")
    print(f"speed-up                {ratio:8.1f}x  {domain_verdict(fast_ms, ratio)}")
    return {"fast_ms": fast_ms, "naive_ms": slow_ms, "ratio": ratio}


def domain_verdict(fast_ms: float, ratio: float) -> str:
    return "ok" if ratio >= 50 and fast_ms < 5 else "MISSED (goal >= 50x and < 5 ms)"


# --- seats, limits and holds (Scheduling II) -------------------------------------------------

HOLDS = 200
SEATS = 3
FULL_GROUPS, PART_GROUPS = 40, 40  # 40 slots held on all 3 seats, 40 on 2: 200 holds
OURS, OTHERS = 1, 2  # the event type asked about; the host's other event types


def scheduling_case(case: dict[str, Any], seed: int = SEED) -> dict[str, Any]:
    """The plain case's 1,000 busy intervals as bookings of the host's other event types, and
    200 live holds of ours on 80 of the free slots (3 seats each: 40 slots held on every seat,
    40 on two), at most 50 bookings a week and 250 a month (holds count)."""
    rng = random.Random(seed)
    held = rng.sample(compute_slots(**case), FULL_GROUPS + PART_GROUPS)
    occupants = [Occupant(OTHERS, s, (s, e)) for s, e in case["busy"]]
    for i, (start, end) in enumerate(held):
        occupants += [Occupant(OURS, start, (start, end))] * (SEATS if i < FULL_GROUPS else 2)
    assert sum(o.event_type_id == OURS for o in occupants) == HOLDS
    counts: dict[date, int] = {}
    for occupant in occupants:
        if occupant.event_type_id == OURS:
            day = occupant.start.astimezone(case["tz"]).date()
            counts[day] = counts.get(day, 0) + 1
    return {
        "occupants": occupants,
        "counts": counts,
        "limits": Limits(per_week=50, per_month=250),
        "first": case["window_start"].astimezone(case["tz"]).date(),
        "last": case["window_end"].astimezone(case["tz"]).date(),
    }


def scheduled_slots(case: dict[str, Any], sched: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What services/slots.py does with its inputs: seat groups, closed days, sweep, seats."""
    seated = seating(sched["occupants"], OURS, SEATS)
    closed = closed_days(sched["counts"], sched["limits"], sched["first"], sched["last"])
    rules: SlotRules = case["rules"]
    found = compute_slots(**{**case, "busy": seated.blocking}, closed_days=closed)
    return offer(found, seated, rules.buffer_before, rules.buffer_after)


def scheduling_benchmark() -> dict[str, float]:
    case = build_case()
    sched = scheduling_case(case)
    found = scheduled_slots(case, sched)
    closed = closed_days(sched["counts"], sched["limits"], sched["first"], sched["last"])
    one_seat = sum(1 for *_, left in found if left == 1)
    plain_ms, sched_ms = interleaved_medians(
        lambda: compute_slots(**case), lambda: scheduled_slots(case, sched), 15, 1
    )
    ratio = sched_ms / plain_ms
    print(
        f"scheduling: {SEATS} seats, {HOLDS} holds on {FULL_GROUPS + PART_GROUPS} slots, "
        f"{len(closed)} days closed by the limits -> {len(found)} slots ({one_seat} with one "
        f"seat left)"
    )
    print(f"plain compute_slots     median {plain_ms:8.3f} ms")
    print(f"seats+limits+holds      median {sched_ms:8.3f} ms")
    print(f"cost                    {ratio:8.2f}x  {scheduling_verdict(sched_ms, ratio)}")
    return {"plain_ms": plain_ms, "scheduled_ms": sched_ms, "scheduled_ratio": ratio}


def scheduling_verdict(scheduled_ms: float, ratio: float) -> str:
    return "ok" if ratio <= 2 and scheduled_ms < 5 else "MISSED (goal within 2x and < 5 ms)"


# --- over HTTP -----------------------------------------------------------------------------

HTTP_REQUESTS = 50


def booking_times(window_start: datetime, window_end: datetime, seed: int = SEED) -> list[Interval]:
    """BUSY_COUNT 30-minute meetings on distinct, randomly chosen half-hours of the window: they
    may touch but never overlap (the database refuses overlaps), and leave some 30-minute gaps."""
    cells = int((window_end - window_start).total_seconds() // 1800)
    assert cells >= BUSY_COUNT, "window too short for the bookings"
    chosen = sorted(random.Random(seed).sample(range(cells), BUSY_COUNT))
    half_hour = timedelta(minutes=30)
    return [(window_start + k * half_hour, window_start + (k + 1) * half_hour) for k in chosen]


async def insert_bookings(
    database_url: str, host_id: int, event_type_id: int, times: list[Interval]
) -> None:
    """Straight into the server's database (through its models), in one transaction."""
    from tortoise.transactions import in_transaction

    from config import Settings
    from db import start_database, stop_database
    from models.booking import Booking

    await start_database(Settings(database_url=database_url), apply_migrations=False)
    try:
        rows = [
            Booking(
                host_id=host_id,
                event_type_id=event_type_id,
                start=start,
                end=end,
                busy_start=start,  # no buffers on this event type
                busy_end=end,
                attendee_name=f"Attendee {i}",
                attendee_email=f"attendee{i}@example.com",
            )
            for i, (start, end) in enumerate(times)
        ]
        async with in_transaction():
            await Booking.bulk_create(rows, batch_size=200)
        stored = await Booking.filter(host_id=host_id).count()
        assert stored == len(times), f"expected {len(times)} bookings, found {stored}"
    finally:
        await stop_database()


def http_benchmark(requests: int = HTTP_REQUESTS) -> dict[str, float]:
    tz = _london_host.ZONE
    first_day = datetime.now(tz).date() + timedelta(days=1)  # wholly in the future
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(first_day + timedelta(days=DAYS), time(0), tz)
    times = booking_times(window_start, window_end)

    with tempfile.TemporaryDirectory(prefix="bnm-bench-") as tmp:
        database_url = f"sqlite://{tmp}/bench.sqlite3"
        log_path = Path(tmp) / "server.log"
        server: _server.Child | None = None
        try:
            server = _server.start_app_server(
                "server", log_path=log_path, database_url=database_url
            )
            with httpx.Client(base_url=server.url, timeout=30) as client:
                host = _london_host.create(
                    client,
                    email="bench-host@example.com",
                    name="Bench Host",
                    title="Benchmark call",
                    slug="benchmark-call",
                )
                began = clock.perf_counter()
                asyncio.run(
                    insert_bookings(database_url, host.user_id, int(host.event_type_id), times)
                )
                insert_ms = (clock.perf_counter() - began) * 1000
                slots, samples = _london_host.time_available_slots(
                    client, host.event_type_id, window_start, window_end, requests
                )
        except BaseException:
            sys.stderr.write(
                f"--- server log ---\n{log_path.read_text(errors='replace')[-4000:]}\n"
            )
            raise
        finally:
            _server.stop_all([server])

    # The same question asked of the domain directly: the server must have said the same.
    matches = slots == _london_host.expected_slots(times, window_start, window_end)

    p50, p95 = statistics.median(samples), _stats.percentile(samples, 0.95)
    print(
        f"http: {DAYS}-day window from {first_day}, {len(times)} bookings "
        f"(inserted in {insert_ms:.0f} ms) -> {len(slots)} slots "
        f"({'same as' if matches else 'DIFFERENT FROM'} compute_slots)"
    )
    print(f"availableSlots x{requests}     p50 {p50:8.3f} ms   p95 {p95:8.3f} ms")
    return {
        "http_p50_ms": p50,
        "http_p95_ms": p95,
        "http_slots": float(len(slots)),
        "http_matches_domain": float(matches),
    }


def main() -> dict[str, float]:
    figures = domain_benchmark()
    figures |= scheduling_benchmark()
    figures |= http_benchmark()
    print()
    print("=== slots benchmark summary ===")
    print(f"compute_slots median        {figures['fast_ms']:9.3f} ms")
    print(f"naive scan median           {figures['naive_ms']:9.3f} ms")
    print(
        f"speed-up                    {figures['ratio']:9.1f}x   "
        f"{domain_verdict(figures['fast_ms'], figures['ratio'])}"
    )
    print(
        f"seats+limits+holds median   {figures['scheduled_ms']:9.3f} ms   "
        f"{figures['scheduled_ratio']:.2f}x plain "
        f"{scheduling_verdict(figures['scheduled_ms'], figures['scheduled_ratio'])}"
    )
    print(f"availableSlots HTTP p50     {figures['http_p50_ms']:9.3f} ms")
    print(f"availableSlots HTTP p95     {figures['http_p95_ms']:9.3f} ms")
    print(
        f"HTTP slots                  {int(figures['http_slots']):9d}     "
        f"{'matches compute_slots' if figures['http_matches_domain'] else 'MISMATCH'}"
    )
    return figures


if __name__ == "__main__":
    main()
