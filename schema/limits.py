"""Abuse limits beyond graphql-core's rules, measured in one walk of the document: depth, aliases,
cost (each field 1; a list multiplies what is under it by what it can return) and the number of
fields once every fragment spread is expanded.

Each fragment is measured once and its figures are reused wherever it is spread: fragments that
spread the next one twice, thirty deep, expand to a billion fields but are measured in sixty
steps. A document over a limit is refused before graphql-core's own rules run, as some of those
expand spreads too. Anonymous mutations are rate limited by schema/pipeline.py.
"""

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    get_named_type,
)

from schema.pagination import MAX_PAGE

# The one list whose length the client chooses without a page size: a window of slots, at most
# one slot a minute (slotIntervalMinutes >= 1).
SLOTS_FIELD = "availableSlots"
# Page-size arguments and their largest value when a variable gives them: `first` and `last` are
# refused above MAX_PAGE; `limit` (purgeRuns) is cut at 500 by services/retention.py.
PAGE_ARGUMENTS = {"first": MAX_PAGE, "last": MAX_PAGE, "limit": 500}


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int
    aliases: int
    cost: int
    fields: int  # once every fragment spread is expanded
    slots: int  # what one availableSlots may return (MAX_SLOTS)
    pairs: int = 5_000  # same-named fields compared (well under 0.1 s of graphql-core's time)


@dataclass(frozen=True, slots=True)
class Figures:
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    fields: int = 0
    # Field pairs graphql-core's OverlappingFieldsCanBeMerged compares: fields sharing a response
    # name in one selection set are compared pairwise, their sub-selections recursively.
    pairs: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        """Side by side in one selection set."""
        return Figures(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.cost + other.cost,
            self.fields + other.fields,
            self.pairs + other.pairs,
        )


NOTHING = Figures()
# Per response name in a selection set (fragments spread in it included): the sum of the
# expanded sizes of the fields selected under that name, and the sum of their squares. Fragments
# spread there are keys too ("...Name"): graphql-core compares every two of them.
Names = dict[str, tuple[int, int]]
SPREAD = "..."


def _merge(into: Names, names: Names) -> None:
    for name, (total, squares) in names.items():
        had = into.get(name, (0, 0))
        into[name] = (had[0] + total, had[1] + squares)


def _pairs(names: Names) -> int:
    """An upper bound of the comparisons between same-named fields: each pair costs the product
    of their sizes at most."""
    spreads = sum(name.startswith(SPREAD) for name in names)
    fields = sum((total * total - squares) // 2 for total, squares in names.values())
    return fields + spreads * (spreads - 1) // 2


def check(schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """The errors of a document over a limit (BAD_USER_INPUT), in time linear in its size."""
    measure = _Measure(schema, document, limits.slots)
    errors: list[GraphQLError] = []
    aliases = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else "anonymous"
        try:
            root = schema.get_root_type(definition.operation)
            figures = measure.selection_set(definition.selection_set, root)[0]
        except RecursionError:
            return [_refusal("The document is nested too deeply.", definition)]
        refusal = _first_exceeded(name, figures, limits)
        if refusal is not None:
            message, extensions = refusal
            errors.append(_refusal(message, definition, **extensions))
        aliases += figures.aliases
    if aliases > limits.aliases:
        errors.append(_refusal(f"{aliases} aliases found. Allowed: {limits.aliases}", None))
    return errors


def _first_exceeded(
    name: str, figures: Figures, limits: Limits
) -> tuple[str, dict[str, object]] | None:
    """One refusal an operation: the first limit it exceeds."""
    if figures.fields > limits.fields:
        # Whatever else it exceeds, by numbers that mean nothing to anyone.
        return f"'{name}' expands to more than {limits.fields} fields (fragment spreads).", {}
    if figures.pairs > limits.pairs:
        message = (
            f"'{name}' is too costly to validate: fields that share a response name, and "
            f"fragments spread side by side, make about {figures.pairs} comparisons "
            f"(at most {limits.pairs})."
        )
        return message, {}
    if figures.depth > limits.depth:
        return f"'{name}' exceeds maximum operation depth of {limits.depth}", {}
    if figures.cost > limits.cost:
        message = f"Query cost {figures.cost} exceeds the limit of {limits.cost}."
        return message, {"cost": figures.cost}
    return None


def _refusal(
    message: str, node: OperationDefinitionNode | None, **extensions: object
) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": "BAD_USER_INPUT", **extensions})


class _Measure:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, max_slots: int) -> None:
        self.schema = schema
        self.max_slots = max_slots
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, tuple[Figures, Names]] = {}
        self.open: set[str] = set()

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> tuple[Figures, Names]:
        total, names = NOTHING, {}
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                figures = self.field(selection, parent)
                total += figures
                key = (selection.alias or selection.name).value
                _merge(names, {key: (figures.fields, figures.fields * figures.fields)})
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                figures, more = self.selection_set(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                figures, more = self.fragment(selection.name.value)
                more = {**more, SPREAD + selection.name.value: (0, 0)}
            else:
                continue
            total += figures
            _merge(names, more)
        # The pairs of this level: those inside fragments spread here are counted again, with
        # the fields of this level (an overestimate, of documents that repeat names anyway).
        return total + Figures(pairs=_pairs(names)), names

    def fragment(self, name: str) -> tuple[Figures, Names]:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return NOTHING, {}  # unknown or cyclic: graphql-core's rules refuse the document
        self.open.add(name)
        condition = self.schema.get_type(definition.type_condition.name.value)
        measured = self.selection_set(definition.selection_set, condition)
        self.open.discard(name)
        self.measured[name] = measured
        return measured

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Figures:
        name = node.name.value
        fields = (
            parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        definition = fields.get(name)
        below = NOTHING
        if node.selection_set is not None:
            inner = get_named_type(definition.type) if definition is not None else None
            below = self.selection_set(node.selection_set, inner)[0]
        introspection = name.startswith("__")
        return Figures(
            # Introspection does not count towards depth (as in strawberry's QueryDepthLimiter).
            depth=0 if introspection or node.selection_set is None else 1 + below.depth,
            aliases=below.aliases + (node.alias is not None),
            # __typename costs nothing to answer (clients such as Apollo add it everywhere).
            cost=(name != "__typename") + self.items(node, definition) * below.cost,
            fields=1 + below.fields,
            pairs=below.pairs,
        )

    def items(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many items a field can return: 1 for a single object."""
        if node.name.value == SLOTS_FIELD:
            return self.slots(node)
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes = [
            # A variable: validation runs (and is cached) before it is known.
            max(int(value.value), 1) if isinstance(value, IntValueNode) else largest
            for argument, largest in PAGE_ARGUMENTS.items()
            if (value := given.get(argument)) is not None
        ]
        if sizes:  # `first` and `last` together: the larger
            return max(sizes)
        for argument in PAGE_ARGUMENTS:
            default = definition.args.get(argument) if definition is not None else None
            if default is not None and isinstance(default.default_value, int):
                return max(default.default_value, 1)
        return 1

    def slots(self, node: FieldNode) -> int:
        """A literal window: one slot a minute at most, up to MAX_SLOTS. A window given by
        variables is unknown here (validation is cached before them): it counts as a page, and
        is bounded when it runs, by its slot interval (MAX_SLOTS a request, schema/budget.py)."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        start, end = _instant(given.get("start")), _instant(given.get("end"))
        if start is None or end is None:
            return MAX_PAGE
        try:
            minutes = (end - start).total_seconds() / 60
        except OverflowError:
            return self.max_slots
        return max(1, min(ceil(minutes), self.max_slots))


def _instant(value: ValueNode | None) -> datetime | None:
    if not isinstance(value, StringValueNode):
        return None  # a variable: unknown until the request
    try:
        parsed = datetime.fromisoformat(value.value)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None
