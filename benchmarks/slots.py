"""Slot computation benchmark: the sweep in domain.slots vs a per-candidate scan of all busy time.

Run from the repository root: `.venv/bin/python benchmarks/slots.py`.
Goal: compute_slots under 5 ms and at least 50x faster than the naive scan.
"""

import random
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.availability import WeeklyRule, local_to_utc, working_intervals
from domain.slots import Interval, SlotRules, compute_slots

SEED = 20270315
BUSY_COUNT = 1_000
DAYS = 30


def build_case(seed: int = SEED) -> dict[str, Any]:
    """compute_slots keyword arguments: 30 days (across the London spring change), 09:00-17:00
    Mon-Fri Europe/London, 30-minute slots every 15 minutes, 1,000 seeded random busy intervals."""
    tz = ZoneInfo("Europe/London")
    first_day = date(2027, 3, 15)
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(first_day + timedelta(days=DAYS), time(0), tz)
    weekly = [WeeklyRule(weekday, time(9), time(17)) for weekday in range(5)]

    rng = random.Random(seed)
    span_minutes = int((window_end - window_start).total_seconds() // 60)
    busy: list[Interval] = []
    for _ in range(BUSY_COUNT):
        start = window_start + timedelta(minutes=rng.randrange(0, span_minutes, 5))
        busy.append((start, start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))))

    return {
        "working": working_intervals(tz, weekly, {}, window_start, window_end),
        "busy": busy,
        "rules": SlotRules(duration=timedelta(minutes=30), interval=timedelta(minutes=15)),
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


def median_ms(run: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        began = clock.perf_counter()
        run()
        samples.append((clock.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> dict[str, float]:
    case = build_case()
    fast = compute_slots(**case)
    slow = naive_slots(case)
    assert fast == slow, "compute_slots and the naive scan disagree"

    fast_ms = median_ms(lambda: compute_slots(**case), repeat=51)
    slow_ms = median_ms(lambda: naive_slots(case), repeat=7)
    ratio = slow_ms / fast_ms
    candidates = sum(int((e - s) / case["rules"].interval) for s, e in case["working"])
    print(
        f"slots: {DAYS} days, {len(case['working'])} working intervals, "
        f"~{candidates} candidates, {len(case['busy'])} busy intervals -> {len(fast)} slots"
    )
    print(f"compute_slots (sweep)   median {fast_ms:8.3f} ms")
    print(f"naive per-candidate     median {slow_ms:8.3f} ms")
    verdict = "ok" if ratio >= 50 and fast_ms < 5 else "MISSED (goal >= 50x and < 5 ms)"
    print(f"speed-up                {ratio:8.1f}x  {verdict}")
    return {"fast_ms": fast_ms, "naive_ms": slow_ms, "ratio": ratio}


if __name__ == "__main__":
    main()
