"""Calendar feed benchmark: parse and expand a 5,000-event iCalendar feed into busy intervals.

Run from the repository root: `.venv/bin/python benchmarks/calendars.py`.
The feed is seeded and synthetic but shaped like a busy export: mostly single events, weekly and
daily series with EXDATEs, a few moved occurrences (RECURRENCE-ID), all-day, transparent and
cancelled events, in several time zones with their VTIMEZONEs. `main()` returns the figures so an
HTTP benchmark can be added beside it.
"""

import random
import statistics
import sys
import time as clock
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import icalendar

from domain.ical import busy_intervals, feed_fingerprint

SEED = 20270315
EVENTS = 5_000
DAYS = 400
RUNS = 5
WINDOW_START = datetime(2027, 1, 1, tzinfo=UTC)
HOST_ZONE = ZoneInfo("Europe/London")
ZONES = ["Europe/London", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _when(name: str, moment: datetime, zone: str) -> str:
    if zone == "UTC":
        return f"{name}:{_stamp(moment)}Z"
    return f"{name};TZID={zone}:{_stamp(moment)}"


def build_feed(n: int = EVENTS, seed: int = SEED) -> bytes:
    """A seeded VCALENDAR of n VEVENTs (masters and their modifications count as one each)."""
    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Book N Meet//benchmark//EN"]
    lines.append("X-WR-CALNAME:Benchmark")
    for zone in ZONES[:-1]:
        timezone = icalendar.Timezone.from_tzinfo(ZoneInfo(zone), first_date=datetime(2026, 1, 1))
        lines.extend(timezone.to_ical().decode().strip().splitlines())
    first_day = WINDOW_START.replace(tzinfo=None)
    count = 0
    while count < n:
        uid = f"event-{count}@benchmark"
        zone = rng.choice(ZONES)
        day = first_day + timedelta(days=rng.randrange(-60, DAYS))
        start = day.replace(hour=rng.randrange(7, 19), minute=rng.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90, 120)))
        event = [f"UID:{uid}", "DTSTAMP:20261201T000000Z", f"SUMMARY:Meeting {count}"]
        kind = rng.random()
        if kind < 0.05:
            after = day + timedelta(days=1)
            event += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{after:%Y%m%d}"]
        else:
            event += [_when("DTSTART", start, zone), _when("DTEND", end, zone)]
        moved = None
        if 0.60 <= kind < 0.85:  # weekly, a few weeks to half a year
            occurrences = rng.randrange(4, 27)
            event.append(f"RRULE:FREQ=WEEKLY;COUNT={occurrences}")
            skipped = start + timedelta(weeks=rng.randrange(1, occurrences))
            event.append(_when("EXDATE", skipped, zone))
            if rng.random() < 0.2:
                moved = start + timedelta(weeks=rng.randrange(1, occurrences))
        elif kind >= 0.85:  # daily, a few days to three weeks
            occurrences = rng.randrange(3, 22)
            event.append(f"RRULE:FREQ=DAILY;COUNT={occurrences}")
            event.append(
                _when("EXDATE", start + timedelta(days=rng.randrange(1, occurrences)), zone)
            )
        flavour = rng.random()
        if flavour < 0.05:
            event.append("TRANSP:TRANSPARENT")
        elif flavour < 0.08:
            event.append("STATUS:CANCELLED")
        lines += ["BEGIN:VEVENT", *event, "END:VEVENT"]
        count += 1
        if moved is not None and count < n:
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                "DTSTAMP:20261201T000000Z",
                _when("RECURRENCE-ID", moved, zone),
                _when("DTSTART", moved + timedelta(hours=2), zone),
                _when("DTEND", moved + timedelta(hours=2) + (end - start), zone),
                "SEQUENCE:1",
                f"SUMMARY:Meeting {count - 1} (moved)",
                "END:VEVENT",
            ]
            count += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def _busy(data: bytes) -> list[tuple[datetime, datetime]]:
    return busy_intervals(
        data,
        window_start=WINDOW_START,
        window_end=WINDOW_START + timedelta(days=DAYS),
        host_zone=HOST_ZONE,
    )


def main() -> dict[str, Any]:
    data = build_feed()
    samples = []
    busy: list[tuple[datetime, datetime]] = []
    for _ in range(RUNS):
        began = clock.perf_counter()
        busy = _busy(data)
        samples.append((clock.perf_counter() - began) * 1000)
    result = {
        "events": EVENTS,
        "feed_bytes": len(data),
        "window_days": DAYS,
        "runs": RUNS,
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "busy_intervals": len(busy),
        "fingerprint": feed_fingerprint(busy),
    }
    print(
        f"calendars: {EVENTS} VEVENTs ({len(data) / 1024:.0f} KiB), {DAYS}-day window "
        f"-> {len(busy)} busy intervals"
    )
    print(f"parse + expand (busy_intervals)  median {result['median_ms']:9.1f} ms  of {RUNS} runs")
    return result


if __name__ == "__main__":
    main()
