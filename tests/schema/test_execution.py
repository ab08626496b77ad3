"""Lists of flat objects are completed without graphql-core's per-field machinery
(schema/execution.py): the answer, errors and their paths must be exactly those of the general
path, for every shape of selection."""

import asyncio
from datetime import UTC, datetime, timedelta
from enum import Enum

import pytest
import strawberry

from schema import execution
from schema.execution import ExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    at: datetime
    n: int
    colour: Colour
    note: str | None

    @strawberry.field
    def doubled(self) -> int:
        return self.n * 2


def items(count: int, *, broken_at: int | None = None) -> list[Item]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    made = [
        Item(at=base + timedelta(minutes=i), n=i, colour=Colour.RED, note=None if i % 2 else "x")
        for i in range(count)
    ]
    if broken_at is not None:
        made[broken_at].n = None  # type: ignore[assignment]  # a null where Int! is promised
    return made


@strawberry.type
class Query:
    @strawberry.field
    async def items(self, broken_at: int | None = None) -> list[Item]:
        return items(50, broken_at=broken_at)

    @strawberry.field
    def maybe(self) -> list[Item | None]:
        return [*items(3), None]


PLAIN = strawberry.Schema(query=Query)
FAST = strawberry.Schema(query=Query, execution_context_class=ExecutionContext)


def both(query: str, variables: dict | None = None) -> tuple[dict, dict]:
    def run(schema: strawberry.Schema) -> dict:
        result = asyncio.run(schema.execute(query, variable_values=variables))
        errors = [(e.message, e.path) for e in result.errors or []]
        return {"data": result.data, "errors": errors}

    return run(PLAIN), run(FAST)


@pytest.fixture
def completed(monkeypatch) -> list[int]:
    """How many items the fast path completed."""
    count: list[int] = []
    original = execution._complete_flat

    def counting(item, plan):
        count.append(1)
        return original(item, plan)

    monkeypatch.setattr(execution, "_complete_flat", counting)
    return count


@pytest.mark.parametrize(
    "query",
    [
        "{ items { at n colour note } }",
        "{ items { n first: at again: n } }",
        "query ($skip: Boolean!) { items { n at @skip(if: $skip) note @include(if: $skip) } }",
        "{ items { ...F } } fragment F on Item { n colour }",
        "{ items { ... on Item { at } n } }",
    ],
)
def test_flat_selections_take_the_fast_path_with_the_same_answer(query, completed):
    plain, fast = both(query, {"skip": True})
    assert fast == plain and not plain["errors"]
    assert len(completed) == 50


@pytest.mark.parametrize(
    "query",
    [
        "{ items { n doubled } }",  # a field with its own resolver
        "{ items { __typename n } }",
        "{ maybe { n } }",  # a null item
    ],
)
def test_other_selections_answer_as_before(query):
    plain, fast = both(query)
    assert fast == plain and not plain["errors"]


def test_a_null_in_a_non_null_field_is_the_same_error_at_the_same_path(completed):
    plain, fast = both("{ items(brokenAt: 7) { at n } }")
    assert fast == plain
    assert plain["data"] is None and plain["errors"][0][1] == ["items", 7, "n"]
