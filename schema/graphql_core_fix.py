"""A fix for graphql-core 3.3.2, applied when the schema is built.

Its per-event executor for subscriptions is a shallow copy that shares the subscription's
`_relevant_sub_fields` memo, keyed by lists that are new on every event: each event delivered to
each subscriber leaves entries behind for as long as the subscription lives (measured: ~2 KiB per
delivery, without bound). Each per-event executor gets its own memo instead.
tests/subscriptions/test_graphql_core_fix.py fails when this is no longer needed or no longer works.
"""

from typing import Any

from graphql.execution.executor import Executor

_build_per_event_executor = Executor.build_per_event_executor


def _per_event_executor_with_own_memo(self: Executor, payload: Any) -> Executor:
    executor = _build_per_event_executor(self, payload)
    executor._relevant_sub_fields = {}
    return executor


def apply() -> None:
    Executor.build_per_event_executor = _per_event_executor_with_own_memo  # type: ignore[method-assign]
