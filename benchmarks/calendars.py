"""Calendar feed benchmark: parse and expand a 5,000-event iCalendar feed into busy intervals.

Run from the repository root: `.venv/bin/python benchmarks/calendars.py`.
The feed is seeded and synthetic but shaped like a busy export: mostly single events, weekly and
daily series with EXDATEs, a few moved occurrences (RECURRENCE-ID), all-day, transparent and
cancelled events, in several time zones with their VTIMEZONEs.

Then, in the same run, `availableSlots` end to end over HTTP for a host with three linked calendars:
three generated feeds (2,000 VEVENTs each, first occurrences in the next 400 days) are served by a
local aiohttp server on 127.0.0.1; `python server.py` runs as a child process on a free port with a
throwaway SQLite file; over GraphQL a London host (09:00-17:00 Mon-Fri, a 30-minute event type
every 15 minutes) links the three feeds; then `availableSlots` is timed for a 30-day window from
next Monday, and its answer checked against compute_slots over the same feeds.

Two-way calendars: a host with one feed, one CalDAV calendar (a real Radicale on loopback) and
one Google calendar (the local emulator of tests/calendar_emulators.py), 2,000 events each:
`availableSlots` p50 (goal < 20 ms), and a full read of the CalDAV calendar against an
incremental one (sync-collection) after one event changed (goal >= 10x faster). `main()` returns
all the figures.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

import asyncio
import random
import socket
import statistics
import tempfile
import threading
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
from aiohttp import web
from cryptography.fernet import Fernet

from benchmarks import _london_host, _server, _stats
from benchmarks._graphql import graphql
from domain.availability import local_to_utc
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


def build_feed(
    n: int = EVENTS,
    seed: int = SEED,
    *,
    origin: datetime = WINDOW_START,
    days_before: int = 60,
    days: int = DAYS,
) -> bytes:
    """A seeded VCALENDAR of n VEVENTs (masters and their modifications count as one each), first
    occurrences on days [origin - days_before, origin + days) (series may run on past the end)."""
    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Book N Meet//benchmark//EN"]
    lines.append("X-WR-CALNAME:Benchmark")
    for zone in ZONES[:-1]:
        timezone = icalendar.Timezone.from_tzinfo(ZoneInfo(zone), first_date=datetime(2026, 1, 1))
        lines.extend(timezone.to_ical().decode().strip().splitlines())
    first_day = origin.replace(tzinfo=None)
    count = 0
    while count < n:
        uid = f"event-{count}@benchmark"
        zone = rng.choice(ZONES)
        day = first_day + timedelta(days=rng.randrange(-days_before, days))
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


def parse_benchmark() -> dict[str, Any]:
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


# --- availableSlots over HTTP, three linked calendars ---------------------------------------

HTTP_REQUESTS = 50
SLOT_DAYS = 30
FEED_EVENTS = 2_000
# Feed file name -> seed; the names are also the calendars' names.
FEEDS = {"a.ics": SEED + 1, "b.ics": SEED + 2, "c.ics": SEED + 3}

CONSENT = "mutation { setConsent(purpose: CALENDAR_ACCESS, granted: true) { granted } }"
LINK_CALENDAR = """
mutation ($url: String!, $name: String) {
  linkCalendar(url: $url, name: $name) { id name status lastError busyCount }
}
"""


class FeedServer:
    """A local aiohttp server, in a thread and event loop of its own, serving fixed ICS bodies
    by file name (`/a.ics`) and counting the requests for each."""

    def __init__(self, feeds: dict[str, bytes]) -> None:
        self.feeds = feeds
        self.hits = dict.fromkeys(feeds, 0)
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    async def _feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.feeds:
            raise web.HTTPNotFound()
        self.hits[name] += 1
        return web.Response(body=self.feeds[name], content_type="text/calendar", charset="utf-8")

    async def _start(self, sock: socket.socket) -> None:
        app = web.Application()
        app.router.add_get("/{name}", self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    def _call(self, coroutine: Any) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    def __enter__(self) -> "FeedServer":
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race for it
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._thread.start()
        try:
            self._call(self._start(sock))
        except BaseException:
            self.__exit__(None, None, None)
            sock.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._runner is not None:
                self._call(self._runner.cleanup())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self._loop.close()


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def http_benchmark(requests: int = HTTP_REQUESTS) -> dict[str, Any]:
    from services.calendars import window as stored_window  # the server's busy-time window

    tz = _london_host.ZONE
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    feeds = {
        name: build_feed(FEED_EVENTS, seed, origin=today, days_before=0, days=DAYS)
        for name, seed in FEEDS.items()
    }
    first_day = next_monday(datetime.now(tz).date())
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(first_day + timedelta(days=SLOT_DAYS), time(0), tz)

    linked: dict[str, dict[str, Any]] = {}
    link_ms: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bnm-bench-") as tmp:
        log_path = Path(tmp) / "server.log"
        env = {
            "CALENDAR_ALLOWED_HOSTS": "127.0.0.1",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        }
        server: _server.Child | None = None
        try:
            with FeedServer(feeds) as feed_server:
                server = _server.start_app_server(
                    "server",
                    log_path=log_path,
                    database_url=f"sqlite://{tmp}/bench.sqlite3",
                    extra_env=env,
                )
                with httpx.Client(base_url=server.url, timeout=120) as client:
                    host = _london_host.create(
                        client,
                        email="calendar-bench-host@example.com",
                        name="Calendar Bench Host",
                        title="Calendar benchmark call",
                        slug="calendar-benchmark-call",
                    )
                    graphql(client, CONSENT, {}, host.token)  # linking needs it
                    for name in feeds:
                        began = clock.perf_counter()
                        calendar = graphql(
                            client,
                            LINK_CALENDAR,
                            {"url": f"{feed_server.url}/{name}", "name": name},
                            host.token,
                        )["linkCalendar"]
                        link_ms[name] = (clock.perf_counter() - began) * 1000
                        linked[name] = calendar
                    linked_at = datetime.now(UTC)
                    slots, samples = _london_host.time_available_slots(
                        client, host.event_type_id, window_start, window_end, requests
                    )
                feed_hits = dict(feed_server.hits)
        except BaseException:
            if log_path.exists():
                sys.stderr.write(
                    f"--- server log ---\n{log_path.read_text(errors='replace')[-4000:]}\n"
                )
            raise
        finally:
            _server.stop_all([server])

    # The same question asked of the domain directly: the server must have said the same.
    kept_start, kept_end = stored_window(linked_at, tz)
    expected_busy = {
        name: busy_intervals(data, window_start=kept_start, window_end=kept_end, host_zone=tz)
        for name, data in feeds.items()
    }
    expected = _london_host.expected_slots(
        [interval for busy in expected_busy.values() for interval in busy], window_start, window_end
    )
    matches = slots == expected
    in_window = sum(
        1
        for busy in expected_busy.values()
        for start, end in busy
        if start < window_end and window_start < end
    )

    for name, calendar in linked.items():
        expected_count = len(expected_busy[name])
        check = "ok" if calendar["busyCount"] == expected_count else f"EXPECTED {expected_count}"
        print(
            f"linked {name}: {FEED_EVENTS} VEVENTs ({len(feeds[name]) / 1024:.0f} KiB), "
            f"status {calendar['status']}, busyCount {calendar['busyCount']} ({check}), "
            f"linkCalendar {link_ms[name]:.0f} ms, fetched {feed_hits[name]}x"
        )
    p50, p95 = statistics.median(samples), _stats.percentile(samples, 0.95)
    print(
        f"http: {SLOT_DAYS}-day window from {first_day} (Mon), {in_window} calendar busy "
        f"intervals in it -> {len(slots)} slots "
        f"({'same as' if matches else 'DIFFERENT FROM'} compute_slots)"
    )
    print(f"availableSlots x{requests}     p50 {p50:8.3f} ms   p95 {p95:8.3f} ms")
    return {
        "http_feeds": {
            name: {
                "events": FEED_EVENTS,
                "feed_bytes": len(feeds[name]),
                "busy_count": linked[name]["busyCount"],
                "expected_busy_count": len(expected_busy[name]),
                "status": linked[name]["status"],
                "link_ms": link_ms[name],
            }
            for name in feeds
        },
        "http_window_start": window_start.isoformat(),
        "http_window_days": SLOT_DAYS,
        "http_busy_in_window": in_window,
        "http_requests": requests,
        "http_p50_ms": p50,
        "http_p95_ms": p95,
        "http_slots": len(slots),
        "http_matches_domain": matches,
    }


# --- two-way calendars: a feed, a CalDAV (Radicale) and a Google (emulated) calendar -------------

TWO_WAY_EVENTS = 2_000
HOUR = timedelta(hours=1)
CONNECT = "mutation($p: CalendarProvider!) { connectCalendar(provider: $p) }"
LINK_CALDAV = """mutation($i: CalDavCalendarInput!) {
  linkCalDavCalendar(input: $i) { id status lastError busyCount } }"""
CALENDARS = "{ calendars { name kind status lastError busyCount } }"


class _Loop:
    """An event loop in a thread of its own, for the emulators."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=600)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def _google_events(provider: Any, seed: int, origin: datetime) -> None:
    rng = random.Random(seed)
    for _ in range(TWO_WAY_EVENTS):
        day = origin + timedelta(days=rng.randrange(0, DAYS))
        start = day.replace(hour=rng.randrange(7, 19), minute=rng.choice((0, 15, 30, 45)))
        provider.put(provider.busy(start, start + timedelta(minutes=rng.choice((30, 60, 90)))))


def _timed(call: Any) -> tuple[Any, float]:
    began = clock.perf_counter()
    result = call()
    return result, (clock.perf_counter() - began) * 1000


def two_way_benchmark(requests: int = HTTP_REQUESTS) -> dict[str, Any]:
    """availableSlots with one feed, one CalDAV and one Google calendar of 2,000 events each; then
    a full and an incremental (one changed event) read of the CalDAV and Google calendars."""
    from services import caldav, calendar_sources
    from tests.calendar_emulators import RADICALE_USER, start_emulators, start_radicale, vevent

    tz = _london_host.ZONE
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = next_monday(datetime.now(tz).date())
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(first_day + timedelta(days=SLOT_DAYS), time(0), tz)
    feed = {"feed.ics": build_feed(TWO_WAY_EVENTS, SEED + 4, origin=today, days_before=0)}
    loop = _Loop()
    emulators = loop.run(start_emulators())
    _google_events(emulators.google, SEED + 5, today)
    figures: dict[str, Any] = {}
    # Radicale keeps writing its history while it stops: ignore_cleanup_errors.
    with tempfile.TemporaryDirectory(prefix="bnm-bench-2way-", ignore_cleanup_errors=True) as tmp:
        log_path = Path(tmp) / "server.log"
        radicale = start_radicale(Path(tmp), _server.free_port(), "bench-password")
        server: _server.Child | None = None
        try:
            collection = radicale.new_calendar()
            whole = build_feed(TWO_WAY_EVENTS, SEED + 6, origin=today, days_before=0)
            began = clock.perf_counter()
            uploaded = httpx.put(
                collection,
                content=whole,
                headers={"Content-Type": "text/calendar"},
                auth=(RADICALE_USER, radicale.password),
                timeout=600,
            )
            assert uploaded.status_code in (201, 204), uploaded.text
            took = clock.perf_counter() - began
            print(f"two-way: Radicale took the 2,000-event calendar in {took:.1f} s")
            # Radicale builds the collection's sync history on the first PROPFIND: a one-off cost
            # of the upload, not of linking, so it is paid here.
            began = clock.perf_counter()
            httpx.request(
                "PROPFIND",
                collection,
                headers={"Depth": "0"},
                auth=(RADICALE_USER, radicale.password),
                timeout=600,
            )
            print(f"two-way: Radicale's first PROPFIND {clock.perf_counter() - began:.1f} s")
            env = {"ENCRYPTION_KEY": Fernet.generate_key().decode(), **emulators.env()}
            with FeedServer(feed) as feed_server:
                server = _server.start_app_server(
                    "server",
                    log_path=log_path,
                    database_url=f"sqlite://{tmp}/bench.sqlite3",
                    extra_env=env,
                )
                with httpx.Client(base_url=server.url, timeout=600) as client:
                    host = _london_host.create(
                        client,
                        email="two-way-bench@example.com",
                        name="Two-way Bench Host",
                        title="Two-way benchmark call",
                        slug="two-way-benchmark-call",
                    )
                    graphql(client, CONSENT, {}, host.token)
                    _, figures["link_feed_ms"] = _timed(
                        lambda: graphql(
                            client,
                            LINK_CALENDAR,
                            {"url": f"{feed_server.url}/feed.ics", "name": "feed"},
                            host.token,
                        )
                    )
                    caldav_input = {
                        "url": collection,
                        "username": RADICALE_USER,
                        "password": radicale.password,
                        "name": "caldav",
                    }
                    _, figures["link_caldav_ms"] = _timed(
                        lambda: graphql(client, LINK_CALDAV, {"i": caldav_input}, host.token)
                    )
                    url = graphql(client, CONNECT, {"p": "GOOGLE"}, host.token)["connectCalendar"]
                    consent = httpx.get(url)
                    _, figures["link_google_ms"] = _timed(
                        lambda: httpx.get(consent.headers["location"], timeout=600)
                    )
                    linked = graphql(client, CALENDARS, {}, host.token)["calendars"]
                    slots, samples = _london_host.time_available_slots(
                        client, host.event_type_id, window_start, window_end, requests
                    )
        except BaseException:
            if log_path.exists():
                sys.stderr.write(
                    f"--- server log ---\n{log_path.read_text(errors='replace')[-4000:]}\n"
                )
            radicale.stop()
            raise
        finally:
            _server.stop_all([server])

        # Full against incremental reads, here in-process, of the same calendars.
        account = caldav.Account(collection, RADICALE_USER, radicale.password, ("127.0.0.1",))
        kept = (today - timedelta(days=1), today + timedelta(days=DAYS))

        def read_caldav(token: str | None) -> Any:
            return asyncio.run(calendar_sources.read_caldav(account, 0, kept, tz, token))

        try:
            full, full_ms = _timed(lambda: read_caldav(None))
            changed = today + timedelta(days=3, hours=9)
            radicale.put(collection, "changed.ics", vevent("changed", changed, changed + HOUR))
            delta, incremental_ms = _timed(lambda: read_caldav(full.sync_token))
            assert not delta.full and len(delta.busy) == 1, delta
        finally:
            radicale.stop()
    loop.close()
    p50, p95 = statistics.median(samples), _stats.percentile(samples, 0.95)
    for calendar in linked:
        print(
            f"two-way linked {calendar['kind']:<9} {calendar['status']}, "
            f"busyCount {calendar['busyCount']}"
        )
    print(
        f"two-way link: feed {figures['link_feed_ms']:.0f} ms, CalDAV "
        f"{figures['link_caldav_ms']:.0f} ms, Google (callback) {figures['link_google_ms']:.0f} ms"
    )
    print(
        f"two-way availableSlots x{requests} ({len(slots)} slots, 3 calendars)  "
        f"p50 {p50:8.3f} ms   p95 {p95:8.3f} ms   (goal p50 < 20 ms)"
    )
    ratio = full_ms / incremental_ms if incremental_ms else float("inf")
    print(
        f"two-way CalDAV read: full {full_ms:.0f} ms ({len(full.busy)} resources), incremental "
        f"with one changed event {incremental_ms:.1f} ms: {ratio:.0f}x faster (goal >= 10x)"
    )
    return {
        "two_way_calendars": {c["kind"]: c["busyCount"] for c in linked},
        "two_way_p50_ms": p50,
        "two_way_p95_ms": p95,
        "two_way_full_sync_ms": full_ms,
        "two_way_incremental_sync_ms": incremental_ms,
        "two_way_sync_ratio": ratio,
        **figures,
    }


def main() -> dict[str, Any]:
    figures = parse_benchmark()
    figures |= http_benchmark()
    figures |= two_way_benchmark()
    print()
    print("=== calendars benchmark summary ===")
    print(f"parse + expand {EVENTS} VEVENTs median {figures['median_ms']:9.1f} ms")
    for name, feed in figures["http_feeds"].items():
        print(f"busyCount {name}                 {feed['busy_count']:9d}")
    print(f"availableSlots HTTP p50          {figures['http_p50_ms']:9.3f} ms")
    print(f"availableSlots HTTP p95          {figures['http_p95_ms']:9.3f} ms")
    print(
        f"HTTP slots                       {figures['http_slots']:9d}     "
        f"{'matches compute_slots' if figures['http_matches_domain'] else 'MISMATCH'}"
    )
    print(
        f"3 calendars (feed, CalDAV, Google) availableSlots p50 {figures['two_way_p50_ms']:9.3f} ms"
    )
    print(
        f"CalDAV sync full / incremental    {figures['two_way_full_sync_ms']:9.0f} ms / "
        f"{figures['two_way_incremental_sync_ms']:.1f} ms ({figures['two_way_sync_ratio']:.0f}x)"
    )
    return figures


if __name__ == "__main__":
    main()
