"""graphql-core's per-event subscription executors must not pile up memo entries."""

import asyncio

from graphql import build_schema, parse
from graphql.execution.executor import Executor

from schema import graphql_core_fix

SDL = """
type Query { dummy: String }
type Event { id: Int!, detail: Detail! }
type Detail { text: String! }
type Subscription { event: Event! }
"""


def _leftover_memo_entries() -> int:
    schema = build_schema(SDL)
    executor = Executor.build(schema, parse("subscription { event { id detail { text } } }"))
    for i in range(200):
        per_event = executor.build_per_event_executor({"event": {"id": i, "detail": {"text": "x"}}})
        result = per_event.execute_operation(False)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    return len(executor._relevant_sub_fields)


def test_per_event_executors_leave_nothing_behind():
    graphql_core_fix.apply()
    assert _leftover_memo_entries() == 0


def test_the_fix_is_still_needed():
    """When graphql-core stops leaking, this fails: then drop schema/graphql_core_fix.py."""
    patched = Executor.build_per_event_executor
    Executor.build_per_event_executor = graphql_core_fix._build_per_event_executor
    try:
        assert _leftover_memo_entries() > 100
    finally:
        Executor.build_per_event_executor = patched
