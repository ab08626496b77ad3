"""A compiled lookup answers as the tortoise queryset it was built from, with any value, inside and
outside transactions."""

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import MultipleObjectsReturned
from tortoise.transactions import in_transaction

from models.event_type import EventType
from models.user import User
from services.prepared import Lookup

by_title = Lookup(
    EventType,
    str,
    lambda title: EventType.get_or_none(title=title, active=True).select_related("host"),
)


async def make_host(email: str = "host@example.com") -> User:
    return await User.create(email=email, name="Hanna Host", password_hash="x")


async def test_it_returns_what_the_queryset_returns_related_rows_included(clean_db) -> None:
    host = await make_host()
    first = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    await EventType.create(host=host, title="Deep dive", slug="deep", duration_minutes=60)
    for title in ("Intro", "Deep dive", "Nothing"):
        expected = await EventType.get_or_none(title=title, active=True).select_related("host")
        found = await by_title(title)
        assert (found and found.id) == (expected and expected.id)
    found = await by_title("Intro")
    assert found is not None and found.id == first.id and found.duration_minutes == 30
    assert found.host.name == "Hanna Host"  # fetched with it, no query
    await EventType.filter(id=first.id).update(active=False)
    assert await by_title("Intro") is None


async def test_inside_a_transaction_it_reads_what_the_transaction_wrote(clean_db) -> None:
    host = await make_host()
    async with in_transaction():
        await EventType.create(host=host, title="Fresh", slug="fresh", duration_minutes=30)
        assert await by_title("Fresh") is not None


async def test_more_than_one_row_is_refused_like_get_or_none(clean_db) -> None:
    host = await make_host()
    for slug in ("a", "b"):
        await EventType.create(host=host, title="Twice", slug=slug, duration_minutes=30)
    with pytest.raises(MultipleObjectsReturned):
        await by_title("Twice")


async def test_a_lookup_whose_value_is_not_its_one_parameter_is_refused(clean_db) -> None:
    twice = Lookup(User, str, lambda v: User.get_or_none(email=v, name=v))
    with pytest.raises(ValueError, match="exactly once"):
        await twice("x")


def same_row(found: object, expected: object) -> None:
    """The same instance state, relations compared by their own state."""
    mine, theirs = dict(vars(found)), dict(vars(expected))
    assert mine.keys() == theirs.keys()
    for name in mine:
        if hasattr(mine[name], "_meta") or hasattr(theirs[name], "_meta"):
            assert (mine[name] is None) == (theirs[name] is None), name
            if mine[name] is not None:
                assert vars(mine[name]) == vars(theirs[name]), name
        else:
            assert mine[name] == theirs[name], name


async def test_its_instances_are_the_executors_with_a_related_row_or_none(clean_db) -> None:
    from models.booking import Booking

    host = await make_host()
    event_type = await EventType.create(host=host, title="Intro", slug="i", duration_minutes=30)
    same_row(await by_title("Intro"), await EventType.get(id=event_type.id).select_related("host"))
    # A nullable relation, absent and present.
    by_id = Lookup(Booking, int, lambda i: Booking.get_or_none(id=i).select_related("booker"))
    booker = await make_host("booker@example.com")
    start = datetime(2030, 1, 7, 10, tzinfo=UTC)
    for who in (None, booker):
        end = start + timedelta(minutes=30)
        booking = await Booking.create(
            event_type=event_type,
            host_id=host.id,
            booker=who,
            attendee_name="A",
            attendee_email="a@example.com",
            start=start,
            end=end,
            busy_start=start,
            busy_end=end,
        )
        expected = await Booking.get(id=booking.id).select_related("booker")
        same_row(await by_id(booking.id), expected)
        start += timedelta(hours=1)
