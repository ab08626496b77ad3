"""Relay-style pages: opaque cursors over a (sort value, id) key."""

import base64
import json
from typing import Any

import strawberry

from domain.errors import BadUserInput

MAX_PAGE = 100


@strawberry.type(name="PageInfo")
class PageInfoType:
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


def page_size(first: int | None) -> int:
    if first is None:
        return 20
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput("first", f"must be between 0 and {MAX_PAGE}")
    return first
