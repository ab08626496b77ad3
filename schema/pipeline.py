"""Parsing, validation, the request limits, error codes and operation metrics as one schema
extension.

strawberry builds every extension afresh for each operation and wraps each of its hooks in a
context manager on every request. This one does what several did (ParserCache, MaxTokensLimiter,
QueryDepthLimiter, MaxAliasesLimiter, AddValidationRules + ValidationCache, DisableIntrospection,
the anonymous-mutation rate limit, the outbox's unit of work, MaskErrors with our codes, the
operation metrics), with the same caches, so each request pays for one set of hooks, and no
runtime Protocol check (MaskErrors did one on every result). strawberry's depth and alias
limiters walk every fragment spread again (exponential in nested spreads): schema/limits.py
measures each fragment once instead.

The steps themselves are `Steps`' methods: the direct path (schema/direct.py) takes the same
ones without strawberry's per-request machinery.
"""

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from config import Settings
from observability import count_error, observe_operation, operation_context
from schema import budget, limits
from schema.errors import code_errors

CACHE_SIZE = 1024


def validation_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """Built once: the validation cache is keyed by the rules too."""
    return (
        *specified_rules,
        *(() if settings.introspection else (NoSchemaIntrospectionCustomRule,)),
    )


def document_limits(settings: Settings) -> limits.Limits:
    return limits.Limits(
        depth=settings.max_query_depth,
        aliases=settings.max_aliases,
        cost=settings.max_query_cost,
        # Each field but __typename costs at least 1: a document within the cost limit expands
        # to few more fields than that, whatever its fragments.
        fields=2 * max(settings.max_query_cost, settings.max_tokens),
        slots=settings.max_slots,
    )


class Steps:
    """What every operation goes through, whichever path runs it: the cached parse and
    validation, the limits before execution, the unit of work, the coded errors and metrics."""

    def __init__(self, settings: Settings) -> None:
        self.rules = validation_rules(settings)
        self.max_tokens = settings.max_tokens
        self.max_slots = settings.max_slots
        bounds = document_limits(settings)
        rules, max_tokens = self.rules, self.max_tokens

        @lru_cache(maxsize=CACHE_SIZE)
        def parsed(query: str) -> DocumentNode:
            return parse(query, max_tokens=max_tokens)

        @lru_cache(maxsize=CACHE_SIZE)
        def validated(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
            # Over a limit, the document goes no further: graphql-core's rules are not linear
            # in it.
            return limits.check(schema, document, bounds) or validate_document(
                schema, document, rules
            )

        self.parsed, self.validated = parsed, validated

    @asynccontextmanager
    async def executing(self, context: Any, kind: OperationType) -> AsyncIterator[None]:
        """Around a query's or mutation's execution (not a subscription's)."""
        budget.start(self.max_slots)
        if kind == OperationType.MUTATION:
            await context.limit_anonymous_mutation()
        # The unit of work: what the operation's transactions wrote to the outbox is published
        # once it is over, here and nowhere else (events/outbox.py).
        async with context.outbox.unit():
            yield

    @staticmethod
    def finish(result: Any, context: Any, name: str | None, kind: str, started: float) -> None:
        """The errors coded (internal ones masked) and counted, the operation measured."""
        if result is not None and not hasattr(result, "errors"):
            result = getattr(result, "initial_result", None)  # incremental delivery
        if result is not None and result.errors:
            result.errors = code_errors(result.errors, context)
            for error in result.errors:
                count_error(str((error.extensions or {}).get("code", "INTERNAL")))
        observe_operation(name, kind, started)


def pipeline(settings: Settings, steps: Steps | None = None) -> type[SchemaExtension]:
    steps = steps or Steps(settings)

    class Pipeline(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            context = self.execution_context
            operation_context(context.context)
            # Parsed and validated here, from the caches, rather than in on_parse and
            # on_validate: strawberry wraps every hook an extension has in a context manager
            # on every request. It skips parsing when the document is set and validation when
            # its errors are (a document that does not parse is parsed again there, and fails).
            context.parse_options["max_tokens"] = steps.max_tokens
            context.validation_rules = steps.rules
            if context.query is not None and context.graphql_document is None:
                try:
                    context.graphql_document = steps.parsed(context.query)
                except GraphQLError:
                    pass
                else:
                    context.pre_execution_errors = steps.validated(
                        context.schema._schema, context.graphql_document
                    )
            yield
            try:
                kind = context.operation_type.value
            except RuntimeError:
                kind = "invalid"
            steps.finish(context.result, context.context, context.operation_name, kind, started)

        def on_stream_result(self, result: Any) -> Iterator[None]:
            for part in (
                result,
                *(getattr(result, "incremental", None) or ()),
                *(getattr(result, "completed", None) or ()),
            ):
                if getattr(part, "errors", None):
                    part.errors = code_errors(part.errors, self.execution_context.context)
            yield

        async def on_execute(self) -> AsyncIterator[None]:
            context = self.execution_context
            if context.operation_type == OperationType.SUBSCRIPTION:
                yield
                return
            async with steps.executing(context.context, context.operation_type):
                yield

    return Pipeline
