"""Abuse limits beyond strawberry's own (depth, aliases, tokens): a query's cost is bounded (each
field 1, lists times `first` or `last`). Anonymous mutations are rate limited by
schema/pipeline.py."""

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

from schema.pagination import MAX_PAGE


def cost_rule(max_cost: int) -> type[ValidationRule]:
    class QueryCost(ValidationRule):
        """Each field costs 1; `first` (or `last`) on a field multiplies what is under it."""

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            cost = _cost(node.selection_set, self.context)
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query cost {cost} exceeds the limit of {max_cost}.",
                        node,
                        extensions={"code": "BAD_USER_INPUT", "cost": cost},
                    )
                )

    return QueryCost


def _first(node: FieldNode) -> int:
    """The page size a field asks for: `first` or `last`, the larger when both are given."""
    size = 1
    for argument in node.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        if isinstance(argument.value, IntValueNode):
            size = max(size, int(argument.value.value))
        elif isinstance(argument.value, VariableNode):
            # Validation runs (and is cached) before variables are known: assume the largest page.
            size = MAX_PAGE
    return size


def _cost(selection_set: SelectionSetNode | None, context: ValidationContext) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += 1 + _first(selection) * _cost(selection.selection_set, context)
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, context)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = context.get_fragment(selection.name.value)
            if fragment is not None:
                total += _cost(fragment.selection_set, context)
    return total
