"""The public contract, ../shared/API.md: every type, field, argument and enum value it lists
exists in our schema as written (the schema may grow; nothing may be renamed, removed or made
stricter for clients)."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_schema,
    parse,
    print_ast,
)

from print_schema import sdl

API = Path(__file__).resolve().parent.parent.parent / "shared" / "API.md"
# The areas of the second round's additions (```graphql <area> blocks) taken in so far. None: the
# whole block; a set: only these of its parts ("Type" for a definition, "Type.field" for a field
# an `extend` adds), for an area whose block is built over several issues.
AREAS: dict[str, set[str] | None] = {
    "accounts": None,
    "calendars": None,
    "scheduling": None,
    "privacy": None,
    "teams": None,
}


def only(block: str, parts: set[str] | None) -> str:
    """The block's SDL, reduced to `parts`."""
    if parts is None:
        return block
    kept = []
    for definition in parse(block).definitions:
        name = definition.name.value  # type: ignore[attr-defined]
        if isinstance(definition, TypeExtensionNode):
            fields = [f for f in definition.fields if f"{name}.{f.name.value}" in parts]
            if fields:
                kept.append(replace(definition, fields=tuple(fields)))
        elif isinstance(definition, TypeDefinitionNode) and name in parts:
            kept.append(definition)
    return print_ast(DocumentNode(definitions=tuple(kept)))


def contract_sdl() -> str:
    text = API.read_text()
    scalars = "scalar DateTime\nscalar Date\nscalar JSON\n"  # declared in prose in API.md
    blocks = re.findall(r"```graphql\n(.*?)```", text, flags=re.S)
    for area, block in re.findall(r"```graphql (\w+)\n(.*?)```", text, flags=re.S):
        if area in AREAS:
            blocks.append(only(block, AREAS[area]))
    return scalars + "\n".join(blocks)


def test_the_contract_takes_in_every_built_area():
    if not API.exists():
        pytest.skip(f"{API} is not beside this checkout")
    tags = re.findall(r"```graphql ([a-z]+)\n", API.read_text())
    assert set(AREAS) <= set(tags)
    sdl_text = contract_sdl()
    for promised in (
        "holdSlot",
        "eventTypeBySlug",
        "linkCalDavCalendar",
        "revokeSession",
        "requestPasswordReset",
        "changePassword",
    ):
        assert promised in sdl_text


@pytest.fixture(scope="module")
def schemas():
    if not API.exists():
        pytest.skip(f"{API} is not beside this checkout")
    return build_schema(contract_sdl()), build_schema(sdl())


def test_every_contract_type_field_and_argument_exists_as_written(schemas):
    contract, ours = schemas
    problems = []
    for name, promised in contract.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Boolean", "ID", "Float"):
            continue
        actual = ours.type_map.get(name)
        if actual is None:
            problems.append(f"missing type {name}")
            continue
        if isinstance(promised, GraphQLEnumType):
            missing = set(promised.values) - set(actual.values)
            problems += [f"{name}.{value} missing" for value in sorted(missing)]
        if isinstance(promised, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in promised.fields.items():
                ours_field = actual.fields.get(field_name)
                if ours_field is None:
                    problems.append(f"missing field {name}.{field_name}")
                    continue
                promised_type, actual_type = str(field.type), str(ours_field.type)
                if isinstance(promised, GraphQLInputObjectType):
                    # An input may be looser (nullable) than promised, never stricter.
                    if actual_type not in (promised_type, promised_type.rstrip("!")):
                        problems.append(f"{name}.{field_name}: {actual_type} != {promised_type}")
                elif actual_type != promised_type:
                    problems.append(f"{name}.{field_name}: {actual_type} != {promised_type}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    ours_arg = ours_field.args.get(arg_name)
                    if ours_arg is None:
                        problems.append(f"missing argument {name}.{field_name}({arg_name})")
                    elif str(ours_arg.type) not in (str(arg.type), str(arg.type).rstrip("!")):
                        problems.append(
                            f"{name}.{field_name}({arg_name}): {ours_arg.type} != {arg.type}"
                        )
                for arg_name, arg in getattr(ours_field, "args", {}).items():
                    if arg_name not in getattr(field, "args", {}) and (
                        isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
                    ):
                        problems.append(f"new required argument {name}.{field_name}({arg_name})")
    assert problems == []


def test_an_area_built_in_parts_is_taken_in_part_by_part():
    block = """extend type Mutation { a: Int!, b: Int! }
    extend type Query { c: Int }
    type Kept { x: Int }
    type Later { y: Int }"""
    reduced = build_schema(
        "type Query { z: Int }\ntype Mutation { z: Int }\n" + only(block, {"Mutation.b", "Kept"})
    )
    assert set(reduced.mutation_type.fields) == {"z", "b"}
    assert set(reduced.query_type.fields) == {"z"}
    assert "Kept" in reduced.type_map and "Later" not in reduced.type_map
    assert only(block, None) == block
