"""Event types through the schema: creating, changing and retiring them, and what is public."""

import pytest

from models.event_type import EventType
from tests.graphql_ops import BOOK, WEEKLY

FIELDS = """id title slug description durationMinutes location locationKind bufferBeforeMinutes
  bufferAfterMinutes minimumNoticeMinutes slotIntervalMinutes maxBookingsPerDay
  requiresConfirmation horizonDays host { name timeZone }"""
CREATE = f"""mutation($i: EventTypeInput!) {{ createEventType(input: $i) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $i: EventTypeUpdateInput!) {{
  updateEventType(id: $id, input: $i) {{ {FIELDS} }} }}"""
DELETE = """mutation($id: ID!) { deleteEventType(id: $id) }"""
PUBLIC = f"""query($id: ID!) {{ eventType(id: $id) {{ {FIELDS} }} }}"""
MINE = """{ myEventTypes { id slug } }"""
SLOTS = """query($id: ID!) { availableSlots(eventTypeId: $id, start: "2030-01-07T00:00:00Z",
  end: "2030-01-08T00:00:00Z") { start } }"""

INTRO = {"title": "Intro call", "slug": "intro", "durationMinutes": 30}


@pytest.fixture
async def host(gql, sign_up):
    token, _ = await sign_up(email="host@example.com", name="Hanna Host", time_zone="Europe/Paris")
    return token


@pytest.fixture
async def other(sign_up):
    token, _ = await sign_up(email="other@example.com", name="Otto Other")
    return token


async def create(gql, token, **values):
    return (await gql(CREATE, {"i": {**INTRO, **values}}, token=token)).ok()["createEventType"]


# --- createEventType -----------------------------------------------------------------------------


async def test_create_fills_in_the_defaults(gql, host):
    created = await create(gql, host)
    assert created == {
        "id": created["id"],
        "title": "Intro call",
        "slug": "intro",
        "description": None,
        "durationMinutes": 30,
        "location": None,
        "locationKind": "OTHER",
        "bufferBeforeMinutes": 0,
        "bufferAfterMinutes": 0,
        "minimumNoticeMinutes": 0,
        "slotIntervalMinutes": None,
        "maxBookingsPerDay": None,
        "requiresConfirmation": False,
        "horizonDays": None,
        "host": {"name": "Hanna Host", "timeZone": "Europe/Paris"},
    }


async def test_create_keeps_every_given_field(gql, host):
    values = {
        "title": "Deep dive",
        "slug": "deep-dive-2",
        "description": "Bring questions.",
        "durationMinutes": 90,
        "location": "Room 4",
        "locationKind": "IN_PERSON",
        "bufferBeforeMinutes": 5,
        "bufferAfterMinutes": 10,
        "minimumNoticeMinutes": 1440,
        "slotIntervalMinutes": 15,
        "maxBookingsPerDay": 3,
        "requiresConfirmation": True,
        "horizonDays": 30,
    }
    created = await create(gql, host, **values)
    assert {k: created[k] for k in values} == values
    fetched = (await gql(PUBLIC, {"id": created["id"]})).ok()["eventType"]
    assert fetched == created


async def test_the_slot_interval_defaults_to_the_duration(gql, host):
    rules = [{"weekday": "MONDAY", "start": "09:00", "end": "12:00"}]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=host)).ok()
    created = await create(gql, host, durationMinutes=45)
    starts = [s["start"] for s in (await gql(SLOTS, {"id": created["id"]})).ok()["availableSlots"]]
    assert starts == [
        "2030-01-07T09:00:00+00:00",
        "2030-01-07T09:45:00+00:00",
        "2030-01-07T10:30:00+00:00",
        "2030-01-07T11:15:00+00:00",
    ]


async def test_a_slug_is_stored_trimmed_and_lower_case(gql, host):
    assert (await create(gql, host, slug="  Team-Sync-2 "))["slug"] == "team-sync-2"


@pytest.mark.parametrize("slug", ["intro", "INTRO"])
async def test_a_slug_clash_for_the_same_host_is_a_conflict(gql, host, slug):
    await create(gql, host)
    result = await gql(CREATE, {"i": {**INTRO, "title": "Other", "slug": slug}}, token=host)
    assert result.codes == ["CONFLICT"]
    assert result.errors[0]["extensions"]["field"] == "slug"
    assert await EventType.all().count() == 1


async def test_the_same_slug_for_another_host_is_fine(gql, host, other):
    first = await create(gql, host)
    second = await create(gql, other)
    assert second["slug"] == first["slug"] == "intro" and second["id"] != first["id"]
    assert second["host"] == {"name": "Otto Other", "timeZone": "UTC"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"durationMinutes": 0}, "durationMinutes"),
        ({"durationMinutes": -30}, "durationMinutes"),
        ({"durationMinutes": 24 * 60 + 1}, "durationMinutes"),
        ({"bufferBeforeMinutes": -1}, "bufferBeforeMinutes"),
        ({"bufferAfterMinutes": -5}, "bufferAfterMinutes"),
        ({"minimumNoticeMinutes": -1}, "minimumNoticeMinutes"),
        ({"slotIntervalMinutes": 0}, "slotIntervalMinutes"),
        ({"maxBookingsPerDay": 0}, "maxBookingsPerDay"),
        ({"horizonDays": 0}, "horizonDays"),
        ({"slug": ""}, "slug"),
        ({"slug": "two words"}, "slug"),
        ({"slug": "-intro"}, "slug"),
        ({"slug": "intro-"}, "slug"),
        ({"slug": "intro/call"}, "slug"),
        ({"slug": "café"}, "slug"),
        ({"slug": "a" * 101}, "slug"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 201}, "title"),
    ],
)
async def test_bad_input_is_rejected_and_nothing_is_written(gql, host, values, field):
    result = await gql(CREATE, {"i": {**INTRO, **values}}, token=host)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await EventType.all().count() == 0


async def test_creating_needs_a_signed_in_host(gql, host):
    result = await gql(CREATE, {"i": INTRO})
    assert result.codes == ["UNAUTHENTICATED"]
    assert await EventType.all().count() == 0


# --- updateEventType -----------------------------------------------------------------------------


async def test_update_changes_only_the_given_fields(gql, host):
    created = await create(
        gql, host, bufferAfterMinutes=10, location="Room 4", requiresConfirmation=True
    )
    result = await gql(
        UPDATE, {"id": created["id"], "i": {"title": "Renamed", "horizonDays": 14}}, token=host
    )
    updated = result.ok()["updateEventType"]
    assert updated == {**created, "title": "Renamed", "horizonDays": 14}
    assert (await gql(PUBLIC, {"id": created["id"]})).ok()["eventType"] == updated


async def test_update_to_another_of_the_hosts_slugs_is_a_conflict(gql, host):
    await create(gql, host)
    second = await create(gql, host, slug="second")
    result = await gql(
        UPDATE, {"id": second["id"], "i": {"slug": "intro", "title": "X"}}, token=host
    )
    assert result.codes == ["CONFLICT"]
    assert (await gql(PUBLIC, {"id": second["id"]})).ok()["eventType"] == second


async def test_update_to_its_own_slug_is_fine(gql, host):
    created = await create(gql, host)
    result = await gql(UPDATE, {"id": created["id"], "i": {"slug": "intro"}}, token=host)
    assert result.ok()["updateEventType"] == created


@pytest.mark.parametrize(
    "values", [{"durationMinutes": 0}, {"bufferBeforeMinutes": -1}, {"slug": "Not a slug"}]
)
async def test_bad_update_is_rejected_and_changes_nothing(gql, host, values):
    created = await create(gql, host)
    result = await gql(UPDATE, {"id": created["id"], "i": {"title": "New", **values}}, token=host)
    assert result.codes == ["BAD_USER_INPUT"]
    assert (await gql(PUBLIC, {"id": created["id"]})).ok()["eventType"] == created


async def test_another_hosts_event_type_cannot_be_updated_or_deleted(gql, host, other):
    created = await create(gql, host)
    updated = await gql(UPDATE, {"id": created["id"], "i": {"title": "Mine now"}}, token=other)
    assert updated.codes == ["NOT_FOUND"]
    deleted = await gql(DELETE, {"id": created["id"]}, token=other)
    assert deleted.codes == ["NOT_FOUND"]
    assert (await gql(PUBLIC, {"id": created["id"]})).ok()["eventType"] == created
    assert (await gql(MINE, token=other)).ok() == {"myEventTypes": []}


@pytest.mark.parametrize("type_id", ["424242", "not-an-id"])
async def test_updating_or_deleting_an_unknown_event_type_is_not_found(gql, host, type_id):
    assert (await gql(UPDATE, {"id": type_id, "i": {"title": "X"}}, token=host)).codes == [
        "NOT_FOUND"
    ]
    assert (await gql(DELETE, {"id": type_id}, token=host)).codes == ["NOT_FOUND"]


# --- deleteEventType -----------------------------------------------------------------------------


async def test_a_deleted_event_type_is_gone_from_every_view(gql, host):
    kept = await create(gql, host, slug="kept")
    gone = await create(gql, host)
    assert (await gql(DELETE, {"id": gone["id"]}, token=host)).ok() == {"deleteEventType": True}
    assert (await gql(PUBLIC, {"id": gone["id"]})).ok() == {"eventType": None}
    assert (await gql(MINE, token=host)).ok()["myEventTypes"] == [
        {"id": kept["id"], "slug": "kept"}
    ]
    assert (await gql(SLOTS, {"id": gone["id"]})).codes == ["NOT_FOUND"]
    booking = {
        "eventTypeId": gone["id"],
        "start": "2030-01-07T09:00:00Z",
        "name": "Ivy",
        "email": "ivy@example.com",
    }
    assert (await gql(BOOK, {"i": booking})).codes == ["NOT_FOUND"]
    assert (await gql(UPDATE, {"id": gone["id"], "i": {"title": "X"}}, token=host)).codes == [
        "NOT_FOUND"
    ]
    assert (await gql(DELETE, {"id": gone["id"]}, token=host)).codes == ["NOT_FOUND"]


async def test_a_deleted_event_types_slug_can_be_used_again(gql, host):
    gone = await create(gql, host)
    (await gql(DELETE, {"id": gone["id"]}, token=host)).ok()
    again = await create(gql, host)
    assert again["slug"] == "intro" and again["id"] != gone["id"]


# --- What is public ------------------------------------------------------------------------------


async def test_my_event_types_lists_only_the_hosts_own_in_creation_order(gql, host, other):
    first = await create(gql, host, slug="b-first")
    second = await create(gql, host, slug="a-second")
    await create(gql, other)
    assert (await gql(MINE, token=host)).ok()["myEventTypes"] == [
        {"id": first["id"], "slug": "b-first"},
        {"id": second["id"], "slug": "a-second"},
    ]
    assert (await gql(MINE)).codes == ["UNAUTHENTICATED"]


async def test_anyone_sees_an_event_type_with_its_host_name_and_zone(gql, host):
    created = await create(gql, host)
    public = (await gql(PUBLIC, {"id": created["id"]})).ok()["eventType"]
    assert public == created
    assert public["host"] == {"name": "Hanna Host", "timeZone": "Europe/Paris"}


async def test_an_unknown_event_type_is_null(gql):
    assert (await gql(PUBLIC, {"id": "424242"})).ok() == {"eventType": None}


async def test_the_public_host_has_no_email(gql):
    result = await gql("""{ __type(name: "PublicHost") { fields { name } } }""")
    names = sorted(f["name"] for f in result.ok()["__type"]["fields"])
    assert names == ["name", "timeZone"]


async def test_asking_for_the_hosts_email_is_a_validation_error(gql, host):
    created = await create(gql, host)
    result = await gql(
        """query($id: ID!) { eventType(id: $id) { host { email } } }""", {"id": created["id"]}
    )
    assert result.codes == ["BAD_USER_INPUT"] and result.data is None
