"""The schema documents itself: every type, field, argument and enum value has a description,
from schema/descriptions.py unless it has one inline, and GraphiQL gets them by introspection."""

from typing import Any

from config import Settings
from schema.descriptions import DESCRIPTIONS
from schema.documentation import apply, elements, shadowed_keys, undocumented, unknown_keys
from schema.root import build_schema
from tests.conftest import LiveServer


def test_every_type_field_argument_and_enum_value_has_a_description(schema: Any) -> None:
    missing = undocumented(schema._schema)
    assert not missing, (
        f"{len(missing)} schema elements lack a description; add them to "
        "schema/descriptions.py:\n" + "\n".join(missing)
    )


def test_every_description_names_an_element_and_is_the_one_shown(schema: Any) -> None:
    unknown = unknown_keys(schema._schema)
    assert not unknown, "keys of schema/descriptions.py that name nothing:\n" + "\n".join(unknown)
    shadowed = shadowed_keys(schema._schema)
    assert not shadowed, "keys overridden by an inline description:\n" + "\n".join(shadowed)


def test_the_elements_cover_types_fields_arguments_input_fields_and_enum_values(
    schema: Any,
) -> None:
    keys = {key for key, _ in elements(schema._schema)}
    samples = {
        "Booking",
        "Booking.start",
        "Query.availableSlots(timeZone)",
        "BookMeetingInput.idempotencyKey",
        "BookingStatus.PENDING",
    }
    assert samples <= keys
    assert not any(key.startswith("__") for key in keys)


def test_an_inline_description_wins_over_the_data(settings: Settings) -> None:
    built = build_schema(settings)._schema  # its own: this one is changed
    field = built.type_map["Booking"].fields["manageToken"]
    inline = field.description
    assert inline and "Booking.manageToken" not in DESCRIPTIONS
    apply(built, {"Booking.manageToken": "something else", "Booking.notes": "changed"})
    assert field.description == inline
    # Applied once by build_schema: a later application fills only what is still empty.
    assert built.type_map["Booking"].fields["notes"].description == DESCRIPTIONS["Booking.notes"]


INTROSPECT = """{
  __type(name: "Query") {
    description
    fields { name description args { name description } }
  }
  status: __type(name: "BookingStatus") { enumValues { name description } }
}"""


async def test_graphiql_gets_the_descriptions_by_introspection(server: LiveServer) -> None:
    answer = (await server.post(INTROSPECT)).ok()
    query = answer["__type"]
    assert query["description"] == DESCRIPTIONS["Query"]
    slots = next(f for f in query["fields"] if f["name"] == "availableSlots")
    args = {a["name"]: a["description"] for a in slots["args"]}
    assert args["timeZone"] == DESCRIPTIONS["Query.availableSlots(timeZone)"]
    values = {v["name"]: v["description"] for v in answer["status"]["enumValues"]}
    assert values["PENDING"] == DESCRIPTIONS["BookingStatus.PENDING"]
