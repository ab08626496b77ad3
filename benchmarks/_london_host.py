"""The host whose `availableSlots` slots.py and calendars.py time: Europe/London, available
09:00-17:00 Monday to Friday, one 30-minute event type every 15 minutes. Created over GraphQL,
asked over HTTP, and the same question asked of domain.slots to check the server's answer.
"""

import time as clock
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from benchmarks import _graphql
from domain.availability import WeeklyRule, working_intervals
from domain.slots import Interval, SlotRules, compute_slots

ZONE_NAME = "Europe/London"
ZONE = ZoneInfo(ZONE_NAME)
WEEKLY = [WeeklyRule(weekday, time(9), time(17)) for weekday in range(5)]
RULES = SlotRules(duration=timedelta(minutes=30), interval=timedelta(minutes=15))


def create(client: httpx.Client, *, email: str, name: str, title: str, slug: str) -> _graphql.Host:
    """Signs the host up over GraphQL (the server behind `client`)."""
    return _graphql.create_host(
        client,
        email=email,
        name=name,
        time_zone=ZONE_NAME,
        days=_graphql.WEEKDAYS,
        hours=("09:00", "17:00"),
        event_type={
            "title": title,
            "slug": slug,
            "durationMinutes": 30,
            "slotIntervalMinutes": 15,
        },
    )


def time_available_slots(
    client: httpx.Client,
    event_type_id: str,
    window_start: datetime,
    window_end: datetime,
    requests: int,
) -> tuple[list[Interval], list[float]]:
    """`availableSlots` of the window once (a warm-up, whose answer is returned), then `requests`
    times more, timed: the slots and the milliseconds of each timed request."""
    variables = {
        "id": event_type_id,
        "start": window_start.isoformat(),
        "end": window_end.isoformat(),
    }
    slots = _graphql.graphql(client, _graphql.AVAILABLE_SLOTS, variables)["availableSlots"]
    samples = []
    for _ in range(requests):
        began = clock.perf_counter()
        _graphql.graphql(client, _graphql.AVAILABLE_SLOTS, variables)
        samples.append((clock.perf_counter() - began) * 1000)
    served = [(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])) for s in slots]
    return served, samples


def expected_slots(
    busy: list[Interval], window_start: datetime, window_end: datetime
) -> list[Interval]:
    """What domain.slots makes of the host's window with `busy` taken, from now on."""
    return compute_slots(
        working=working_intervals(ZONE, WEEKLY, {}, window_start, window_end),
        busy=busy,
        rules=RULES,
        now=datetime.now(UTC),
        window_start=window_start,
        window_end=window_end,
        tz=ZONE,
    )
