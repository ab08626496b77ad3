"""Puts the descriptions of schema/descriptions.py onto the built graphql-core schema.

Strawberry's printer (print_schema.py, schema.graphql) and introspection (GraphiQL) both read the
graphql-core objects, so setting `description` there documents the schema everywhere at once.
A description given inline in schema/*.py is kept: the data only fills what has none.

    python -m schema.documentation   # what lacks a description, and keys that name nothing
"""

import sys
from collections.abc import Iterator, Mapping
from typing import Protocol

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from schema.descriptions import DESCRIPTIONS


class Described(Protocol):
    description: str | None


def elements(schema: GraphQLSchema) -> Iterator[tuple[str, Described]]:
    """Every type, field, argument and enum value of the schema, keyed as in DESCRIPTIONS:
    "Type", "Type.field", "Type.field(arg)", "Enum.VALUE". Introspection types are left out."""
    for name, type_ in schema.type_map.items():
        if name.startswith("__"):
            continue
        yield name, type_
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name})", arg
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, input_field in type_.fields.items():
                yield f"{name}.{field_name}", input_field
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                yield f"{name}.{value_name}", value


def apply(schema: GraphQLSchema, descriptions: Mapping[str, str] = DESCRIPTIONS) -> None:
    for key, element in elements(schema):
        if not element.description and key in descriptions:
            element.description = descriptions[key]


def undocumented(schema: GraphQLSchema) -> list[str]:
    return [key for key, element in elements(schema) if not (element.description or "").strip()]


def unknown_keys(
    schema: GraphQLSchema, descriptions: Mapping[str, str] = DESCRIPTIONS
) -> list[str]:
    known = {key for key, _ in elements(schema)}
    return sorted(set(descriptions) - known)


def shadowed_keys(
    schema: GraphQLSchema, descriptions: Mapping[str, str] = DESCRIPTIONS
) -> list[str]:
    """Keys whose element shows another text: an inline description won, the entry is dead."""
    shown = dict(elements(schema))
    return sorted(
        key for key, text in descriptions.items() if key in shown and shown[key].description != text
    )


def main() -> int:
    from config import Settings
    from schema.root import build_schema

    schema = build_schema(Settings())._schema
    problems = {
        "no description (add it to schema/descriptions.py)": undocumented(schema),
        "names nothing in the schema (remove or rename it)": unknown_keys(schema),
        "overridden by an inline description (remove it)": shadowed_keys(schema),
    }
    for what, keys in problems.items():
        for key in keys:
            print(f"{key}: {what}")
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
