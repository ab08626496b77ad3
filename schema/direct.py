"""Queries and mutations executed without strawberry's per-request machinery.

For each request strawberry's `Schema.execute` builds an execution context, a fresh instance of
every extension, an extensions runner wrapping each hook in a context manager, a middleware
manager, and works out the operation's type again; its HTTP view adds request adapters and a
sub-response. Together that is more of a small query's time than graphql-core's execution.

A `Plan` is made once per document and operation name (parsed and validated through the same
caches as the pipeline, schema/pipeline.py) for an operation that needs none of that: a query or
mutation that validates, without `@defer` or `@stream`. `Direct.execute` then runs graphql-core's
execution with our execution context and the pipeline's steps in the order the extension runs
them: the budget, the anonymous-mutation limit and the unit of work around execution, strawberry's
`process_errors` (tagging and masking), the coded errors and the metrics. Anything else (a
subscription, a document with errors, an unknown operation) is left to strawberry, which
answers it as before. Tracing's extension is not one of the steps: with tracing on there is no
direct path.
"""

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import strawberry
from graphql import DirectiveNode, DocumentNode, GraphQLError, visit
from graphql.language import Visitor
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import _coerce_error
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe
from strawberry.utils.operation import get_first_operation, get_operation_type

from observability import operation_context
from schema.pipeline import CACHE_SIZE, Steps

_INCREMENTAL = frozenset({"defer", "stream"})


@dataclass(frozen=True, slots=True)
class Plan:
    document: DocumentNode
    kind: OperationType
    name: str | None  # the name given, else the first operation's (what strawberry runs)


class _Incremental(Visitor):
    found = False

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        if node.name.value in _INCREMENTAL:
            self.found = True


@dataclass(slots=True)
class _Errors:
    """What `Schema.process_errors` reads of strawberry's execution context."""

    context: Any


class Direct:
    def __init__(self, schema: strawberry.Schema, steps: Steps) -> None:
        self.schema = schema
        self.steps = steps
        self.execute_function = schema._get_execute_function()
        self.executor_class = schema.execution_context_class
        # Per document and operation name: whether it goes this way, and as what.
        self.plan = lru_cache(maxsize=CACHE_SIZE)(self._plan)

    @classmethod
    def of(cls, schema: strawberry.Schema) -> "Direct | None":
        """None when the schema has extensions other than the pipeline (tracing): their hooks
        run only on strawberry's path."""
        steps = getattr(schema, "steps", None)
        if steps is None or len(schema.extensions) != 1:
            return None
        return cls(schema, steps)

    def _plan(self, query: str, operation_name: str | None) -> Plan | None:
        try:
            document = self.steps.parsed(query)
        except GraphQLError:
            return None
        if self.steps.validated(self.schema._schema, document):
            return None
        try:
            kind = get_operation_type(document, operation_name)
        except RuntimeError:
            return None
        if kind == OperationType.SUBSCRIPTION:
            return None
        incremental = _Incremental()
        visit(document, incremental)
        if incremental.found:
            return None
        if operation_name is None:
            first = get_first_operation(document)
            name = first.name.value if first is not None and first.name else None
        else:
            name = operation_name
        return Plan(document, kind, name)

    async def execute(
        self,
        plan: Plan,
        variables: dict[str, Any] | None,
        context: Any,
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        started = time.perf_counter()
        operation_context(context)
        try:
            async with self.steps.executing(context, plan.kind):
                raw = await await_maybe(
                    self.execute_function(
                        self.schema._schema,
                        plan.document,
                        variable_values=variables,
                        # As strawberry: without a name given, the first operation's.
                        operation_name=plan.name,
                        context_value=context,
                        is_awaitable=optimized_is_awaitable,
                        executor_class=self.executor_class,
                        operation_extensions=extensions,
                    )
                )
                result = ExecutionResult(data=raw.data, errors=raw.errors)
                if result.errors:
                    self.schema.process_errors(result.errors, _Errors(context))
        except Exception as error:  # as strawberry: an error in the answer, not a 500
            result = ExecutionResult(data=None, errors=[_coerce_error(error)])
            self.schema.process_errors(result.errors, _Errors(context))
        self.steps.finish(result, context, plan.name, plan.kind.value, started)
        return result
