"""DataLoaders keep nested reads flat: a page of 50 bookings costs a fixed number of queries."""

import logging
from datetime import UTC, datetime, timedelta

from models.booking import Booking
from models.event_type import EventType
from models.user import User

PAGE = """{ bookings(first: 50) { edges { node { id start attendeeName
  eventType { id title host { name timeZone } } } } } }"""


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip().upper()
        if message.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            self.queries.append(message)


async def test_a_page_of_50_nested_bookings_runs_at_most_3_queries(gql, sign_up):
    token, _ = await sign_up()
    host = await User.get(email="host@example.com")
    types = [
        await EventType.create(host=host, title=f"T{i}", slug=f"t{i}", duration_minutes=30)
        for i in range(5)
    ]
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for i in range(60):
        s = start + timedelta(hours=i)
        await Booking.create(
            event_type=types[i % 5],
            host=host,
            start=s,
            end=s + timedelta(minutes=30),
            busy_start=s,
            busy_end=s + timedelta(minutes=30),
            attendee_name=f"Guest {i}",
            attendee_email=f"g{i}@example.com",
        )
    counter = QueryCounter()
    logger = logging.getLogger("tortoise.db_client")
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        result = await gql(PAGE, token=token)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
    edges = result.ok()["bookings"]["edges"]
    assert len(edges) == 50
    assert {e["node"]["eventType"]["host"]["name"] for e in edges} == {"Hanna Host"}
    # token lookup (1) + the page with its event types and hosts (1); at most 3 in all.
    assert 1 <= len(counter.queries) <= 3, counter.queries
