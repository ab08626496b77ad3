"""SQL statements per operation, counted on the connection (tests/sql_counter.py), so that the
counts of the hot paths cannot creep back: a page of bookings with their event types and hosts
is one statement, whatever the page's size (at most 3 for the whole request, issue #22)."""

from datetime import UTC, datetime, timedelta

from models.booking import Booking
from models.event_type import EventType
from models.user import User
from tests.conftest import PASSWORD, SIGN_UP
from tests.sql_counter import count_sql

NESTED = """{ bookings(first: 50) { edges { node { id start attendeeName
  eventType { title host { name } } } } } }"""


async def host_with_bookings(http, count: int) -> str:
    """A host with two event types and `count` bookings alternating between them."""
    variables = {"input": {"email": "host@example.com", "password": PASSWORD, "name": "Hanna"}}
    token = (await http.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    host = await User.get(email="host@example.com")
    types = [
        await EventType.create(host=host, title=title, slug=slug, duration_minutes=30)
        for title, slug in (("Intro", "intro"), ("Review", "review"))
    ]
    first = datetime(2030, 1, 7, 9, tzinfo=UTC)
    for i in range(count):
        start = first + timedelta(hours=i)
        await Booking.create(
            event_type=types[i % 2],
            host=host,
            start=start,
            end=start + timedelta(minutes=30),
            busy_start=start,
            busy_end=start + timedelta(minutes=30),
            attendee_name=f"Attendee {i}",
            attendee_email=f"a{i}@example.com",
        )
    return token


async def test_a_page_of_50_bookings_with_event_types_and_hosts_takes_two_statements(http):
    token = await host_with_bookings(http, 60)
    (await http.post("{ me { id } }", token=token)).ok()  # the token's first use is recorded
    with count_sql() as sql:
        answer = (await http.post(NESTED, token=token)).ok()
    edges = answer["bookings"]["edges"]
    assert len(edges) == 50
    assert {e["node"]["eventType"]["title"] for e in edges} == {"Intro", "Review"}
    assert {e["node"]["eventType"]["host"]["name"] for e in edges} == {"Hanna"}
    # The session (with its user), then the page joined to its event types and their hosts.
    assert sql.count == 2, sql.statements
    assert len(sql.reading("auth_tokens")) == 1
    (page,) = sql.reading("bookings")
    assert '"event_types"' in page and '"users"' in page


async def test_the_page_reads_only_the_columns_a_booking_shows(http):
    token = await host_with_bookings(http, 3)
    (await http.post("{ me { id } }", token=token)).ok()
    with count_sql() as sql:
        (await http.post(NESTED, token=token)).ok()
    (page,) = sql.reading("bookings")
    selected = page.split("FROM", 1)[0]
    for bookkeeping in ("busy_start", "manage_token_hash", "manage_token_encrypted", "sequence"):
        assert bookkeeping not in selected
    for private in ("email", "password_hash", "handle"):  # of the host: name and zone only
        assert f'"bookings__event_type__host"."{private}"' not in selected
