"""Completing long lists of flat objects (a month of `availableSlots`) without graphql-core's
per-field machinery: for such a list it builds an info object, a path and an awaitable check for
every leaf of every item, which is most of the time a large answer takes.

A list qualifies when its items are objects of one type with no `is_type_of`, every selected
field a leaf (scalar or enum) read by strawberry's default resolver, with no arguments, no
`@defer`, no `@stream` and no field middleware (schema extensions' `resolve` hooks). Each item
is then the dict of its fields' coerced values, exactly what the general path makes of it.
Anything unusual in an item (a null, a value the scalar refuses, an awaitable) falls back to the
general path for the whole list, so errors and their paths are reported as before.
"""

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# A flat item's fields: response key, reader, the leaf type's coercion, and whether null is an
# error.
Plan = tuple[tuple[str, Callable[[Any], Any], Callable[[Any], Any], bool], ...]


class _Irregular(Exception):
    """An item the fast path does not complete: the general path does, errors and all."""


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        plan = self._flat_plan(item_type, field_details_list, path)
        if plan is not None and isinstance(items, list | tuple):
            try:
                return [_complete_flat(item, plan) for item in items]
            except _Irregular:
                pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _flat_plan(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path
    ) -> Plan | None:
        if isinstance(item_type, GraphQLNonNull):
            item_type = item_type.of_type
        if not isinstance(item_type, GraphQLObjectType) or item_type.is_type_of is not None:
            return None
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            return None
        if self.get_stream_usage(field_details_list, path):
            return None
        grouped, defer_usages, _ = self.collect_subfields(item_type, field_details_list)
        if defer_usages:
            return None
        plan = []
        for key, details in grouped.items():
            node = details[0].node
            field = item_type.fields.get(node.name.value)
            if field is None or field.args or node.arguments or node.selection_set:
                return None
            resolve = field.resolve
            if not getattr(resolve, "_is_default", False):
                return None
            leaf, required = field.type, isinstance(field.type, GraphQLNonNull)
            if required:
                leaf = leaf.of_type
            if not is_leaf_type(leaf):
                return None
            plan.append((key, _reader(field), leaf.coerce_output_value, required))
        return tuple(plan)


def _reader(field: GraphQLField) -> Callable[[Any], Any]:
    """strawberry's default resolver is `getattr(source, python_name)`: read as that in C."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(definition, StrawberryField) and definition.default_resolver is getattr:
        return attrgetter(definition.python_name)
    resolve = field.resolve
    assert resolve is not None  # noqa: S101 (checked by the caller: strawberry's default)
    return lambda item: resolve(item, None)


def _complete_flat(item: Any, plan: Plan) -> dict[str, Any]:
    if item is None:
        raise _Irregular
    completed = {}
    for key, read, coerce, required in plan:
        value = read(item)
        if value is None:
            if required:
                raise _Irregular
            completed[key] = None
            continue
        try:
            coerced = coerce(value)
        except Exception:
            raise _Irregular from None
        if coerced is Undefined or coerced is None:
            raise _Irregular
        completed[key] = coerced
    return completed
