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
    build_schema,
)

from print_schema import sdl

API = Path(__file__).resolve().parent.parent.parent / "shared" / "API.md"
# The areas of the second round (```graphql <area> blocks) that are built so far.
BUILT_AREAS = ("scheduling",)


def contract_blocks(text: str) -> list[str]:
    """The untagged block, and each block tagged with a built area."""
    blocks = re.findall(r"```graphql( [a-z]+)?\n(.*?)```", text, flags=re.S)
    return [body for tag, body in blocks if not tag or tag.strip() in BUILT_AREAS]


def contract_sdl() -> str:
    text = API.read_text()
    scalars = "scalar DateTime\nscalar Date\nscalar JSON\n"  # declared in prose in API.md
    return scalars + "\n".join(contract_blocks(text))


def test_the_contract_takes_in_every_built_area():
    if not API.exists():
        pytest.skip(f"{API} is not beside this checkout")
    tags = re.findall(r"```graphql ([a-z]+)\n", API.read_text())
    assert set(BUILT_AREAS) <= set(tags)
    assert "holdSlot" in contract_sdl() and "eventTypeBySlug" in contract_sdl()


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
