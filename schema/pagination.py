"""Relay-style pages: opaque cursors over a (sort value, id) key, forwards (`first`, `after`)
and backwards (`last`, `before`)."""

import base64
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry

from domain.errors import BadUserInput

MAX_PAGE = 100
# Ids and offsets in cursors: within the 32-bit columns they are compared with.
MAX_KEY = 2**31 - 1

# A page edge's neighbour on the side the client did not ask about: known (a bool), or asked of
# the database only when the client selects the field.
Beyond = bool | Callable[[], Awaitable[bool]]


async def _known(value: Beyond) -> bool:
    if isinstance(value, bool):
        return value
    result = value()
    return bool(await result) if inspect.isawaitable(result) else bool(result)


@strawberry.type(name="PageInfo")
class PageInfoType:
    end_cursor: str | None
    start_cursor: str | None
    next: strawberry.Private[Beyond]
    previous: strawberry.Private[Beyond]

    @strawberry.field
    async def has_next_page(self) -> bool:
        return await _known(self.next)

    @strawberry.field
    async def has_previous_page(self) -> bool:
        return await _known(self.previous)


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str, argument: str = "after") -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, RecursionError):  # not base64 or JSON, or nested absurdly deep
        raise BadUserInput(argument, "not a cursor from this API") from None
    if not isinstance(key, list) or not key:
        raise BadUserInput(argument, "not a cursor from this API")
    return key


def cursor_int(value: object, argument: str = "after") -> int:
    """An id or offset from a decoded cursor; anything else is not one of ours."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KEY:
        raise BadUserInput(argument, "not a cursor from this API")
    return value


def cursor_id(request: "PageRequest") -> int | None:
    """The id or offset of a request whose cursor holds only that; None without a cursor."""
    if request.cursor is None:
        return None
    if len(request.cursor) != 1:
        raise BadUserInput(request.argument, "not a cursor from this API")
    return cursor_int(request.cursor[0], request.argument)


def page_size(first: int | None, argument: str = "first") -> int:
    if first is None:
        return 20
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(argument, f"must be between 0 and {MAX_PAGE}")
    return first


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page: `size` items after `cursor` (forwards) or before it (backwards)."""

    size: int
    cursor: list[Any] | None
    backward: bool

    @property
    def argument(self) -> str:
        return "before" if self.backward else "after"


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """`last` or `before` page backwards (`first` then stays unused: it has a default);
    a page cannot run from `after` and `before` at once."""
    if last is None and before is None:
        return PageRequest(page_size(first), decode_cursor(after) if after else None, False)
    if after is not None:
        raise BadUserInput("before", "cannot be combined with after")
    cursor = decode_cursor(before, "before") if before else None
    return PageRequest(page_size(last, "last"), cursor, True)


LAST = strawberry.argument(
    description=f"Page backwards: the last items (at most {MAX_PAGE}) before `before`, or of the "
    "whole list; `first` is then unused."
)
BEFORE = strawberry.argument(description="A cursor: the page ends just before this item.")


def exists(query: Any) -> Beyond:
    """The other side of a cursor, asked of the database only if the client wants to know."""
    return False if query is None else query.exists


def page_info(
    cursors: list[str], request: PageRequest, *, more: bool, beyond_cursor: Beyond
) -> PageInfoType:
    """`more`: items beyond this page in its direction; `beyond_cursor`: items on the other side
    of the request's cursor (False without a cursor)."""
    ahead, behind = (more, beyond_cursor) if not request.backward else (beyond_cursor, more)
    return PageInfoType(
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
        next=ahead,
        previous=behind,
    )
