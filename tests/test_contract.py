"""The public contract, ../shared/API.md: every type, field, argument and enum value it lists
exists in our schema as written (the schema may grow; nothing may be renamed, removed or made
stricter for clients)."""

import re
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from print_schema import sdl

API = Path(__file__).resolve().parent.parent.parent / "shared" / "API.md"


# What is built of the named SDL blocks of API.md (```graphql <area>), one "area Type.field" (or
# "area Type" for a whole type) a line, so that the issues building parts of one area each add
# their own lines. Everything of the unnamed blocks is always promised.
BUILT = sorted(
    [
        "accounts Mutation.requestPasswordReset",
        "accounts Mutation.resetPassword",
        "accounts Mutation.changePassword",
    ]
)


def contract_sdl(areas: tuple[str, ...] = ()) -> str:
    text = API.read_text()
    scalars = "scalar DateTime\nscalar Date\nscalar JSON\n"  # declared in prose in API.md
    blocks = re.findall(r"```graphql\n(.*?)```", text, flags=re.S)
    for area in areas:
        blocks += re.findall(rf"```graphql {area}\n(.*?)```", text, flags=re.S)
    return scalars + "\n".join(blocks)


def promised(base: GraphQLSchema, type_name: str, field_name: str | None) -> bool:
    """Whether the contract promises this type (field) already: in the unnamed blocks, or built."""
    base_type = base.type_map.get(type_name)
    if base_type is not None and (
        field_name is None or field_name in getattr(base_type, "fields", {})
    ):
        return True
    built = {line.split(" ", 1)[1] for line in BUILT}
    return type_name in built or (field_name is not None and f"{type_name}.{field_name}" in built)


@pytest.fixture(scope="module")
def schemas():
    if not API.exists():
        pytest.skip(f"{API} is not beside this checkout")
    areas = tuple(sorted({line.split(" ", 1)[0] for line in BUILT}))
    return build_schema(contract_sdl(areas)), build_schema(sdl()), build_schema(contract_sdl())


def test_every_contract_type_field_and_argument_exists_as_written(schemas):
    contract, ours, base = schemas
    problems = []
    for name, promised_type in contract.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Boolean", "ID", "Float"):
            continue
        if not any(promised(base, name, f) for f in [None, *getattr(promised_type, "fields", {})]):
            continue  # a type of a named block that nothing built uses yet
        actual = ours.type_map.get(name)
        if actual is None:
            problems.append(f"missing type {name}")
            continue
        if isinstance(promised_type, GraphQLEnumType):
            missing = set(promised_type.values) - set(actual.values)
            problems += [f"{name}.{value} missing" for value in sorted(missing)]
        if isinstance(promised_type, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in promised_type.fields.items():
                if not promised(base, name, field_name):
                    continue
                ours_field = actual.fields.get(field_name)
                if ours_field is None:
                    problems.append(f"missing field {name}.{field_name}")
                    continue
                promised_type, actual_type = str(field.type), str(ours_field.type)
                if isinstance(promised_type, GraphQLInputObjectType):
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


def test_built_parts_of_named_blocks_are_checked(schemas):
    """The named block is taken in for what is built, not for what is not (Session: not yet)."""
    contract, _, base = schemas
    assert "requestPasswordReset" in contract.mutation_type.fields
    assert promised(base, "Mutation", "changePassword")
    assert not promised(base, "Mutation", "revokeSession")
    assert promised(base, "Mutation", "signUp")
