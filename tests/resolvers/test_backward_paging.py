"""Relay connections in full: every connection pages backwards (`last`, `before`) and tells
`hasPreviousPage` and `startCursor`, within the same page limits and query cost as `first`."""

from dataclasses import replace

import pytest

from schema.context import Context
from schema.root import build_schema
from services import accounts
from tests.resolvers import test_bookings

# The host, event type and five bookings of the booking-list tests.
at = test_bookings.at
book, five, host, new_host = (
    test_bookings.book,
    test_bookings.five,
    test_bookings.host,
    test_bookings.new_host,
)

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
BOOKINGS = f"""query($f: Int, $a: String, $l: Int, $b: String, $o: BookingOrder!) {{
  bookings(first: $f, after: $a, last: $l, before: $b, order: $o) {{
    edges {{ cursor node {{ start }} }} {PAGE_INFO} totalCount }} }}"""
NOTIFICATIONS = f"""query($f: Int, $a: String, $l: Int, $b: String) {{
  notifications(first: $f, after: $a, last: $l, before: $b) {{
    edges {{ cursor node {{ id }} }} {PAGE_INFO} }} }}"""
CLIENTS = f"""query($f: Int, $a: String, $l: Int, $b: String) {{
  clients(first: $f, after: $a, last: $l, before: $b) {{
    edges {{ cursor node {{ email }} }} {PAGE_INFO} }} }}"""


def starts(page: dict) -> list[str]:
    return [e["node"]["start"][11:16] for e in page["edges"]]


async def walk(gql, token: str, query: str, field: str, *, backward: bool, **extra) -> list[dict]:
    """Every page of a connection, two at a time, forwards from the start or backwards from the
    end, following endCursor or startCursor."""
    pages, cursor = [], None
    while True:
        variables = {"l": 2, "b": cursor} if backward else {"f": 2, "a": cursor}
        page = (await gql(query, {**variables, **extra}, token=token)).ok()[field]
        pages.append(page)
        info = page["pageInfo"]
        if page["edges"]:
            assert info["startCursor"] == page["edges"][0]["cursor"]
            assert info["endCursor"] == page["edges"][-1]["cursor"]
        if not info["hasPreviousPage" if backward else "hasNextPage"]:
            return pages
        cursor = info["startCursor" if backward else "endCursor"]
        assert len(pages) < 10, "paging does not end"


@pytest.mark.parametrize(
    ("order", "forward"),
    [
        ("NEWEST_FIRST", [["11:00", "10:00"], ["15:00", "09:00"], ["13:00"]]),
        ("START_ASC", [["09:00", "10:00"], ["11:00", "13:00"], ["15:00"]]),
    ],
)
async def test_bookings_page_backwards_from_the_end_in_the_same_order(gql, five, order, forward):
    token, _ = five
    ahead = await walk(gql, token, BOOKINGS, "bookings", backward=False, o=order)
    assert [starts(p) for p in ahead] == forward
    # The first page has nothing before it; every later one has.
    assert [p["pageInfo"]["hasPreviousPage"] for p in ahead] == [False, True, True]

    behind = await walk(gql, token, BOOKINGS, "bookings", backward=True, o=order)
    flat = [s for page in forward for s in page]
    assert [starts(p) for p in behind] == [flat[3:], flat[1:3], flat[:1]]
    # The last page (no cursor) has nothing after it; pages before a cursor have.
    assert [p["pageInfo"]["hasNextPage"] for p in behind] == [False, True, True]
    assert {p["totalCount"] for p in behind} == {5}


async def test_last_and_before_can_be_used_alone(gql, five):
    token, _ = five
    last_two = (await gql(BOOKINGS, {"l": 2, "o": "START_ASC"}, token=token)).ok()["bookings"]
    assert starts(last_two) == ["13:00", "15:00"]
    middle = (await gql(BOOKINGS, {"f": 3, "o": "START_ASC"}, token=token)).ok()["bookings"]
    before = middle["edges"][-1]["cursor"]  # 11:00
    page = (await gql(BOOKINGS, {"b": before, "o": "START_ASC"}, token=token)).ok()["bookings"]
    assert starts(page) == ["09:00", "10:00"]  # `last` defaults to a whole page
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["hasNextPage"] is True


async def test_an_empty_backward_page_has_no_cursors(gql, host):
    token, _ = host
    page = (await gql(BOOKINGS, {"l": 5, "o": "NEWEST_FIRST"}, token=token)).ok()["bookings"]
    assert page["edges"] == []
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"l": 101}, "last"),
        ({"l": -1}, "last"),
        ({"b": "not-a-cursor"}, "before"),
        ({"l": 2, "a": "placeholder", "b": "placeholder"}, "before"),
    ],
)
async def test_bad_backward_arguments_are_bad_user_input(gql, five, variables, field):
    token, _ = five
    cursor = (await gql(BOOKINGS, {"f": 1, "o": "NEWEST_FIRST"}, token=token)).ok()["bookings"][
        "pageInfo"
    ]["endCursor"]
    variables = {k: cursor if v == "placeholder" else v for k, v in variables.items()}
    result = await gql(BOOKINGS, {**variables, "o": "NEWEST_FIRST"}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field


async def test_a_cursor_of_the_other_order_is_refused_backwards_too(gql, five):
    token, _ = five
    newest = (await gql(BOOKINGS, {"f": 2, "o": "NEWEST_FIRST"}, token=token)).ok()["bookings"]
    variables = {"l": 2, "b": newest["pageInfo"]["startCursor"], "o": "START_ASC"}
    assert (await gql(BOOKINGS, variables, token=token)).codes == ["BAD_USER_INPUT"]


async def test_notifications_page_backwards(gql, five):
    token, _ = five  # each booking notified the host: five notifications, newest first
    ahead = await walk(gql, token, NOTIFICATIONS, "notifications", backward=False)
    behind = await walk(gql, token, NOTIFICATIONS, "notifications", backward=True)
    ids = [e["node"]["id"] for page in ahead for e in page["edges"]]
    assert len(ids) == 5 and ids == sorted(ids, key=int, reverse=True)
    assert [[e["node"]["id"] for e in p["edges"]] for p in behind] == [ids[3:], ids[1:3], ids[:1]]
    assert [p["pageInfo"]["hasPreviousPage"] for p in ahead] == [False, True, True]
    assert [p["pageInfo"]["hasNextPage"] for p in behind] == [False, True, True]


async def test_clients_page_backwards(gql, host, book):
    token, type_id = host
    for i, hhmm in enumerate(["09:00", "10:00", "11:00", "13:00", "15:00"]):
        (await book(type_id, at(hhmm), email=f"c{i}@example.com")).ok()
    ahead = await walk(gql, token, CLIENTS, "clients", backward=False)
    behind = await walk(gql, token, CLIENTS, "clients", backward=True)
    emails = [e["node"]["email"] for page in ahead for e in page["edges"]]
    assert emails == [f"c{i}@example.com" for i in (4, 3, 2, 1, 0)]
    assert [[e["node"]["email"] for e in p["edges"]] for p in behind] == [
        emails[3:],
        emails[1:3],
        emails[:1],
    ]
    assert [p["pageInfo"]["hasPreviousPage"] for p in ahead] == [False, True, True]
    assert [p["pageInfo"]["hasNextPage"] for p in behind] == [False, True, True]


async def test_last_counts_in_the_query_cost_like_first(settings, five):
    token, _ = five
    strict = build_schema(replace(settings, max_query_cost=60))
    context = Context(settings=settings)
    context.user = await accounts.authenticate(token)
    context.token = token

    async def run(size: int) -> list:
        query = "{ bookings(last: %d) { edges { cursor node { id start } } } }" % size  # noqa: UP031
        result = await strict.execute(query, context_value=context)
        return [e.message for e in result.errors or []]

    assert await run(10) == []  # 1 + 10 * (edges 1 + cursor 1 + node 1 + id, start 2) = 51
    refused = await run(100)
    assert len(refused) == 1 and refused[0].startswith("Query cost 501 exceeds")
