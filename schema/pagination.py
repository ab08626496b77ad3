"""Relay-style pages: opaque cursors over a (sort value, id) key."""

import base64
import json
from typing import Any

import strawberry

from domain.errors import BadUserInput

MAX_PAGE = 100
# Ids and offsets in cursors: within the 32-bit columns they are compared with.
MAX_KEY = 2**31 - 1


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise BadUserInput("after", "not a cursor from this API") from None
    if not isinstance(key, list) or not key:
        raise BadUserInput("after", "not a cursor from this API")
    return key


def cursor_int(value: object) -> int:
    """An id or offset from a decoded cursor; anything else is not one of ours."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KEY:
        raise BadUserInput("after", "not a cursor from this API")
    return value


def cursor_id(cursor: str) -> int:
    """The id or offset of a cursor holding only that."""
    key = decode_cursor(cursor)
    if len(key) != 1:
        raise BadUserInput("after", "not a cursor from this API")
    return cursor_int(key[0])


def page_size(first: int | None) -> int:
    if first is None:
        return 20
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput("first", f"must be between 0 and {MAX_PAGE}")
    return first
