"""Team slots benchmark: `availableSlots` over 30 days of a ROUND_ROBIN event type of 10 hosts
with 1,000 bookings among them, over HTTP against the real server; side by side, the same window
of one of those hosts' personal event type (one host, their ~100 bookings).

Run from the repository root: `.venv/bin/python benchmarks/teams.py`.
Goal (issue #19): the team's p50 under 20 ms.

The server (`python server.py`, a throwaway SQLite file) gets its hosts over GraphQL (Europe/London
09:00-17:00 Mon-Fri, like benchmarks/slots.py), a team and its ROUND_ROBIN event type; members and
the 1,000 bookings (100 a host, on random working half-hours) are written straight into its
database.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

import asyncio
import random
import statistics
import tempfile
from datetime import datetime, time, timedelta

import httpx

from benchmarks import _graphql, _london_host, _server, _stats
from domain.availability import local_to_utc, working_intervals

SEED = 20270319
HOSTS = 10
BOOKINGS = 1_000
DAYS = 30
REQUESTS = 50
GOAL_MS = 20.0

CREATE_TEAM = """mutation ($n: String!, $s: String!) { createTeam(name: $n, slug: $s) { id } }"""
CREATE_TEAM_TYPE = """mutation ($t: ID!, $i: EventTypeInput!, $h: [ID!]!) {
  createTeamEventType(teamId: $t, input: $i, assignment: ROUND_ROBIN, hostIds: $h) { id } }"""


def half_hours(window_start: datetime, window_end: datetime) -> list[datetime]:
    """Every working half-hour start of the London host in the window."""
    starts = []
    for begin, end in working_intervals(
        _london_host.ZONE, _london_host.WEEKLY, {}, window_start, window_end
    ):
        at = begin
        while at + timedelta(minutes=30) <= end:
            starts.append(at)
            at += timedelta(minutes=30)
    return starts


async def prepare(
    database_url: str,
    client: httpx.Client,
    team_id: str,
    hosts: list[_graphql.Host],
    cells: list[datetime],
) -> str:
    """Every host a member (the first owns the team already), the ROUND_ROBIN event type of them
    all (over GraphQL), and 100 bookings of it a host on distinct working half-hours."""
    from tortoise.transactions import in_transaction

    from config import Settings
    from db import start_database, stop_database
    from models.booking import Booking
    from models.booking_host import BookingHost
    from models.team import TeamMember
    from services.bookings import seat_group

    await start_database(Settings(database_url=database_url), apply_migrations=False)
    rng = random.Random(SEED)
    try:
        for host in hosts[1:]:
            await TeamMember.create(team_id=int(team_id), user_id=host.user_id)
        type_input = {
            "title": "Team call",
            "slug": "team-call",
            "durationMinutes": 30,
            "slotIntervalMinutes": 15,
        }
        variables = {"t": team_id, "i": type_input, "h": [str(h.user_id) for h in hosts]}
        made = _graphql.graphql(client, CREATE_TEAM_TYPE, variables, hosts[0].token)
        type_id = int(made["createTeamEventType"]["id"])
        rows = []
        for index, host in enumerate(hosts):
            for n, start in enumerate(rng.sample(cells, BOOKINGS // HOSTS)):
                end = start + timedelta(minutes=30)
                rows.append(
                    Booking(
                        host_id=host.user_id,
                        event_type_id=type_id,
                        start=start,
                        end=end,
                        busy_start=start,
                        busy_end=end,
                        seat_group=f"{seat_group(type_id, start)}/{host.user_id}",
                        attendee_name=f"Attendee {index}-{n}",
                        attendee_email=f"attendee{index}-{n}@example.com",
                    )
                )
        async with in_transaction():
            await Booking.bulk_create(rows, batch_size=200)
        busy = await BookingHost.filter(active=True, event_type_id=type_id).count()
        assert busy == BOOKINGS, f"expected {BOOKINGS} busy rows, found {busy}"
    finally:
        await stop_database()
    return str(type_id)


def timed(client: httpx.Client, type_id: str, start: datetime, end: datetime) -> list[float]:
    return _london_host.time_available_slots(client, type_id, start, end, REQUESTS)[1]


def main() -> dict[str, float]:
    tz = _london_host.ZONE
    first_day = datetime.now(tz).date() + timedelta(days=1)
    window_start = local_to_utc(first_day, time(0), tz)
    window_end = local_to_utc(first_day + timedelta(days=DAYS), time(0), tz)
    with tempfile.TemporaryDirectory(prefix="bnm-bench-teams-") as tmp:
        database_url = f"sqlite://{tmp}/bench.sqlite3"
        log_path = Path(tmp) / "server.log"
        server: _server.Child | None = None
        try:
            server = _server.start_app_server(
                "server", log_path=log_path, database_url=database_url
            )
            with httpx.Client(base_url=server.url, timeout=30) as client:
                hosts = [
                    _london_host.create(
                        client,
                        email=f"host{i}@example.com",
                        name=f"Host {i}",
                        title="Own call",
                        slug="own-call",
                    )
                    for i in range(HOSTS)
                ]
                owner = hosts[0].token
                variables = {"n": "Bench team", "s": "bench-team"}
                team_id = _graphql.graphql(client, CREATE_TEAM, variables, owner)["createTeam"][
                    "id"
                ]
                cells = half_hours(window_start, window_end)
                type_id = asyncio.run(prepare(database_url, client, team_id, hosts, cells))
                team_samples, own_samples = [], []
                for _ in range(2):  # alternating rounds: a busy machine weighs on both alike
                    team_samples += timed(client, type_id, window_start, window_end)
                    own_samples += timed(client, hosts[0].event_type_id, window_start, window_end)
        except BaseException:
            sys.stderr.write(
                f"--- server log ---\n{log_path.read_text(errors='replace')[-4000:]}\n"
            )
            raise
        finally:
            _server.stop_all([server])
    team_p50, team_p99 = statistics.median(team_samples), _stats.percentile(team_samples, 0.99)
    own_p50, own_p99 = statistics.median(own_samples), _stats.percentile(own_samples, 0.99)
    verdict = "ok" if team_p50 < GOAL_MS else f"MISSED (goal p50 < {GOAL_MS:.0f} ms)"
    print(f"teams: {DAYS}-day window from {first_day}, {HOSTS} hosts, {BOOKINGS} bookings")
    print(
        f"ROUND_ROBIN availableSlots   p50 {team_p50:8.3f} ms   p99 {team_p99:8.3f} ms  {verdict}"
    )
    print(f"one host's own event type    p50 {own_p50:8.3f} ms   p99 {own_p99:8.3f} ms")
    print(f"team / one host              {team_p50 / own_p50:8.2f}x")
    return {"team_p50_ms": team_p50, "team_p99_ms": team_p99, "own_p50_ms": own_p50}


if __name__ == "__main__":
    main()
