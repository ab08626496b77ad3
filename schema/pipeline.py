"""Parsing, validation and the request limits as one schema extension.

strawberry builds every extension afresh for each operation and wraps each of its hooks in a
context manager on every request. This one does what six did (ParserCache, MaxTokensLimiter,
AddValidationRules + ValidationCache, DisableIntrospection, the anonymous-mutation rate limit, the
outbox's unit of work around mutations), with the same caches, so each request pays for one set of
hooks instead of six.
"""

from collections.abc import AsyncIterator, Iterator
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from config import Settings
from schema.limits import cost_rule

CACHE_SIZE = 1024


def validation_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """Built once: the validation cache is keyed by the rules too."""
    return (
        *specified_rules,
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        cost_rule(settings.max_query_cost),
        *(() if settings.introspection else (NoSchemaIntrospectionCustomRule,)),
    )


def pipeline(settings: Settings) -> type[SchemaExtension]:
    rules = validation_rules(settings)
    max_tokens = settings.max_tokens

    @lru_cache(maxsize=CACHE_SIZE)
    def parsed(query: str) -> DocumentNode:
        return parse(query, max_tokens=max_tokens)

    @lru_cache(maxsize=CACHE_SIZE)
    def validated(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        return validate_document(schema, document, rules)

    class Pipeline(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = max_tokens
            context.graphql_document = parsed(context.query)  # type: ignore[arg-type]
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            context.validation_rules = rules
            context.pre_execution_errors = validated(
                context.schema._schema,
                context.graphql_document,  # type: ignore[arg-type]
            )
            yield

        async def on_execute(self) -> AsyncIterator[None]:
            context = self.execution_context
            if context.operation_type == OperationType.SUBSCRIPTION:
                yield
                return
            if context.operation_type == OperationType.MUTATION:
                await context.context.limit_anonymous_mutation()
            # The unit of work: what the operation's transactions wrote to the outbox is published
            # once it is over, here and nowhere else (events/outbox.py).
            async with context.context.outbox.unit():
                yield

    return Pipeline
