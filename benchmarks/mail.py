"""E-mail must never slow a booking: 500 bookMeeting calls against a server whose mail goes to a
local SMTP server taking 200 ms per message, beside the same run with no mail server configured
(the dev mailbox), and the time until the last of the 1,000 messages (invitee + host) arrives.

Goal: bookMeeting p50 and p99 with mail within 10% of those without.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
from aiosmtpd.controller import Controller

from benchmarks import _graphql, _server, _stats

BOOK = """mutation ($input: BookMeetingInput!) { bookMeeting(input: $input) { id } }"""
SLOT_MINUTES = 30
WARM_UP = 30  # bookings before the timed ones (their mail is sent too)


class SlowInbox:
    """aiosmtpd handler: every message takes `delay` seconds, then is counted."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.count = 0
        self.last_at = 0.0
        self.done = threading.Event()
        self.expected = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        self.count += 1  # one event loop thread: no race
        self.last_at = time.perf_counter()
        if self.count >= self.expected:
            self.done.set()
        return "250 OK"


def slots(count: int) -> list[datetime]:
    """`count` free half-hour starts from tomorrow on (the host is available all day, daily)."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    per_day = 24 * 60 // SLOT_MINUTES - 1
    return [
        day + timedelta(days=i // per_day, minutes=SLOT_MINUTES * (i % per_day))
        for i in range(count)
    ]


def run(
    bookings: int, mail_url: str | None, tmp: str, label: str
) -> tuple[list[float], float, float, _server.Child]:
    """Books `bookings` slots one after another on a new server, after WARM_UP untimed ones;
    (latencies in ms, when the first timed booking was sent, seconds the run took, the server:
    still running, so that it goes on sending)."""
    env = {"MAIL_URL": mail_url} if mail_url else {}
    log_path = Path(tmp) / f"server-{label}.log"
    server: _server.Child | None = None
    try:
        server = _server.start_app_server(
            label,
            log_path=log_path,
            database_url=f"sqlite://{tmp}/{label}.sqlite3",
            extra_env={**env, "PUBLIC_URL": "https://book.example"},
        )
        with httpx.Client(base_url=server.url, timeout=60) as client:
            host = _graphql.create_host(
                client,
                email=f"host-{label}@example.com",
                name="Bench Host",
                time_zone="UTC",
                days=_graphql.EVERY_DAY,
                hours=("00:00", "23:59"),
                event_type={
                    "title": "Benchmark call",
                    "slug": "benchmark-call",
                    "durationMinutes": SLOT_MINUTES,
                    "slotIntervalMinutes": SLOT_MINUTES,
                    "horizonDays": 60,
                },
            )
            latencies: list[float] = []
            began = time.perf_counter()
            for i, start in enumerate(slots(WARM_UP + bookings)):
                if i == WARM_UP:
                    began = time.perf_counter()
                variables = {
                    "input": {
                        "eventTypeId": host.event_type_id,
                        "start": start.isoformat(),
                        "name": f"Invitee {i}",
                        "email": f"invitee{i}@example.com",
                        "timeZone": "Europe/Berlin",
                    }
                }
                sent = time.perf_counter()
                _graphql.graphql(client, BOOK, variables)
                if i >= WARM_UP:
                    latencies.append((time.perf_counter() - sent) * 1000)
            return latencies, began, time.perf_counter() - began, server
    except BaseException:
        sys.stderr.write(f"--- server log ---\n{log_path.read_text(errors='replace')[-4000:]}\n")
        _server.stop_all([server])
        raise


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=500)
    parser.add_argument("--smtp-delay", type=float, default=0.2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bnm-bench-mail-") as tmp:
        plain, _, plain_seconds, server = run(args.bookings, None, tmp, "no-mail")
        _server.stop_all([server])

        inbox = SlowInbox(args.smtp_delay)
        inbox.expected = 2 * (WARM_UP + args.bookings) + 1  # and the host's sign-up code
        port = _server.free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        server = None
        try:
            mailed, began, mailed_seconds, server = run(
                args.bookings, f"smtp://127.0.0.1:{port}", tmp, "mail"
            )
            inbox.done.wait(timeout=300)
            last_message = inbox.last_at - began
            problems = server.log_problems()
        finally:
            _server.stop_all([server])
            controller.stop()

    figures = {
        "plain_p50_ms": statistics.median(plain),
        "plain_p99_ms": _stats.percentile(plain, 0.99),
        "mail_p50_ms": statistics.median(mailed),
        "mail_p99_ms": _stats.percentile(mailed, 0.99),
        "messages": float(inbox.count),
        "last_message_s": last_message,
        "bookings_s": mailed_seconds,
    }
    p50_ratio = figures["mail_p50_ms"] / figures["plain_p50_ms"]
    p99_ratio = figures["mail_p99_ms"] / figures["plain_p99_ms"]
    met = p50_ratio <= 1.10 and p99_ratio <= 1.10
    delay_ms = args.smtp_delay * 1000
    runs = (("no mail server", "plain", plain_seconds), ("with SMTP", "mail", mailed_seconds))
    print("=== mail benchmark ===")
    print(f"{args.bookings} bookMeeting, one client; SMTP takes {delay_ms:.0f} ms a message")
    for label, key, seconds in runs:
        p50, p99 = figures[f"{key}_p50_ms"], figures[f"{key}_p99_ms"]
        print(f"{label:16} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({seconds:.1f} s)")
    verdict = "met" if met else "MISSED"
    print(f"ratio            p50 {p50_ratio:7.2f}x     p99 {p99_ratio:7.2f}x     {verdict}")
    last = figures["last_message_s"]
    print(
        f"messages received {inbox.count}/{inbox.expected} (with the warm-up's and a sign-up "
        f"code); the last {last:.1f} s after the first timed booking"
    )
    if problems:
        print(f"server errors: {dict(problems)}")
    return figures


if __name__ == "__main__":
    main()
