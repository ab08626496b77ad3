"""Hiding an event type (issue #21): like a paused booking link, it is not found for anyone but
its host, while its host still lists and edits it and its bookings carry on."""

from typing import Any

import pytest

from events.messages import PUBLIC_DATA_CHANNEL, availability_channel
from models.booking import Booking
from models.hold import SlotHold
from models.notification import OutboxEvent
from models.user import User
from services import event_types
from services.event_types import EventTypeData
from tests.conftest import AppServer, Execute, LiveServer, live_subscriptions
from tests.graphql_ops import WEEKLY
from tests.subscriptions.test_live import Client, booking_input, host_with_type, slot

FIELDS = "id title slug hidden"
CREATE = f"mutation($i: EventTypeInput!) {{ createEventType(input: $i) {{ {FIELDS} }} }}"
UPDATE = f"""mutation($id: ID!, $i: EventTypeUpdateInput!) {{
  updateEventType(id: $id, input: $i) {{ {FIELDS} }} }}"""
MINE = f"{{ myEventTypes {{ {FIELDS} }} }}"
PUBLIC = f"query($id: ID!) {{ eventType(id: $id) {{ {FIELDS} }} }}"
BY_SLUG = f"""query($h: String!, $s: String!) {{ eventTypeBySlug(handle: $h, slug: $s) {{
  {FIELDS} }} }}"""
PROFILE = """mutation($h: String) { updateProfile(input: {handle: $h}) { handle } }"""
SLOTS = """query($id: ID!) { availableSlots(eventTypeId: $id, start: "2030-01-07T00:00:00Z",
  end: "2030-01-08T00:00:00Z") { start } }"""
HOLD = """mutation($id: ID!) { holdSlot(eventTypeId: $id, start: "2030-01-07T10:00:00Z") {
  expiresAt } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id manageToken
  eventType { title } } }"""
RESCHEDULE = """mutation($id: ID!, $s: DateTime!, $t: String) {
  rescheduleBooking(id: $id, start: $s, manageToken: $t) { start status eventType { title } } }"""
CANCEL = """mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { status } }"""
SLOTS_CHANGED = """subscription($id: ID!) { availabilityChanged(eventTypeId: $id) {
  eventTypeId } }"""
MONDAY = [{"weekday": "MONDAY", "start": "09:00", "end": "12:00"}]


def booking(type_id: str, start: str = "2030-01-07T09:00:00Z", name: str = "Ivy") -> Any:
    return {"eventTypeId": type_id, "start": start, "name": name, "email": "ivy@example.com"}


@pytest.fixture
async def host(gql: Execute, sign_up: Any) -> str:
    token, _ = await sign_up(email="host@example.com", name="Hanna Host")
    (await gql(WEEKLY, {"tz": "UTC", "rules": MONDAY}, token=token)).ok()
    (await gql(PROFILE, {"h": "hanna"}, token=token)).ok()
    return token


@pytest.fixture
async def other(sign_up: Any) -> str:
    token, _ = await sign_up(email="other@example.com", name="Otto Other")
    return token


async def create(gql: Execute, token: str, **values: Any) -> dict[str, Any]:
    variables = {"i": {"title": "Intro call", "slug": "intro", "durationMinutes": 60, **values}}
    return (await gql(CREATE, variables, token=token)).ok()["createEventType"]


async def hide(gql: Execute, token: str, type_id: str, hidden: bool = True) -> dict[str, Any]:
    result = await gql(UPDATE, {"id": type_id, "i": {"hidden": hidden}}, token=token)
    return result.ok()["updateEventType"]


# --- The flag ------------------------------------------------------------------------------------


async def test_an_event_type_is_shown_unless_created_hidden(gql: Execute, host: str) -> None:
    shown = await create(gql, host)
    hidden = await create(gql, host, slug="secret", hidden=True)
    assert (shown["hidden"], hidden["hidden"]) == (False, True)
    assert (await gql(MINE, token=host)).ok()["myEventTypes"] == [shown, hidden]


async def test_the_host_hides_and_shows_it_and_other_changes_leave_the_flag(
    gql: Execute, host: str
) -> None:
    created = await create(gql, host)
    assert await hide(gql, host, created["id"]) == {**created, "hidden": True}
    renamed = await gql(UPDATE, {"id": created["id"], "i": {"title": "Renamed"}}, token=host)
    assert renamed.ok()["updateEventType"] == {**created, "title": "Renamed", "hidden": True}
    unchanged = await gql(UPDATE, {"id": created["id"], "i": {"hidden": None}}, token=host)
    assert unchanged.ok()["updateEventType"]["hidden"] is True
    assert (await hide(gql, host, created["id"], hidden=False))["hidden"] is False


async def test_another_host_cannot_hide_it(gql: Execute, host: str, other: str) -> None:
    created = await create(gql, host)
    result = await gql(UPDATE, {"id": created["id"], "i": {"hidden": True}}, token=other)
    assert result.codes == ["NOT_FOUND"]
    assert (await gql(PUBLIC, {"id": created["id"]})).ok()["eventType"] == created


# --- Not found for everyone but its host -------------------------------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "other host"])
async def test_a_hidden_event_type_is_not_found_on_every_public_read(
    gql: Execute, host: str, other: str, viewer: str
) -> None:
    created = await create(gql, host)
    await hide(gql, host, created["id"])
    token = other if viewer == "other host" else None
    type_id = {"id": created["id"]}
    assert (await gql(PUBLIC, type_id, token=token)).ok() == {"eventType": None}
    by_slug = await gql(BY_SLUG, {"h": "hanna", "s": "intro"}, token=token)
    assert by_slug.ok() == {"eventTypeBySlug": None}
    assert (await gql(SLOTS, type_id, token=token)).codes == ["NOT_FOUND"]
    assert (await gql(HOLD, type_id, token=token)).codes == ["NOT_FOUND"]
    assert (await gql(BOOK, {"i": booking(created["id"])}, token=token)).codes == ["NOT_FOUND"]
    assert await Booking.all().count() == 0 and await SlotHold.all().count() == 0


async def test_its_host_still_sees_slots_holds_and_books_it(gql: Execute, host: str) -> None:
    created = await create(gql, host)
    hidden = await hide(gql, host, created["id"])
    type_id = {"id": created["id"]}
    assert (await gql(PUBLIC, type_id, token=host)).ok() == {"eventType": hidden}
    by_slug = await gql(BY_SLUG, {"h": "hanna", "s": "intro"}, token=host)
    assert by_slug.ok() == {"eventTypeBySlug": hidden}
    starts = [s["start"] for s in (await gql(SLOTS, type_id, token=host)).ok()["availableSlots"]]
    assert starts == [
        "2030-01-07T09:00:00+00:00",
        "2030-01-07T10:00:00+00:00",
        "2030-01-07T11:00:00+00:00",
    ]
    (await gql(HOLD, type_id, token=host)).ok()
    (await gql(BOOK, {"i": booking(created["id"])}, token=host)).ok()
    assert await Booking.all().count() == 1 and await SlotHold.all().count() == 1


async def test_showing_it_again_opens_it_to_everyone(gql: Execute, host: str) -> None:
    created = await create(gql, host, hidden=True)
    assert (await gql(PUBLIC, {"id": created["id"]})).ok() == {"eventType": None}
    shown = await hide(gql, host, created["id"], hidden=False)
    assert (await gql(PUBLIC, {"id": created["id"]})).ok() == {"eventType": shown}
    by_slug = await gql(BY_SLUG, {"h": "hanna", "s": "intro"})
    assert by_slug.ok() == {"eventTypeBySlug": shown}
    assert len((await gql(SLOTS, {"id": created["id"]})).ok()["availableSlots"]) == 3
    booked = (await gql(BOOK, {"i": booking(created["id"])})).ok()["bookMeeting"]
    assert booked["eventType"] == {"title": "Intro call"}


async def test_bookings_made_before_hiding_are_kept_and_their_manage_links_work(
    gql: Execute, host: str
) -> None:
    created = await create(gql, host)
    first = (await gql(BOOK, {"i": booking(created["id"])})).ok()["bookMeeting"]
    second = (await gql(BOOK, {"i": booking(created["id"], "2030-01-07T11:00:00Z", "Max")})).ok()
    await hide(gql, host, created["id"])
    moved = await gql(
        RESCHEDULE,
        {"id": first["id"], "s": "2030-01-07T10:00:00Z", "t": first["manageToken"]},
    )
    assert moved.ok()["rescheduleBooking"] == {
        "start": "2030-01-07T10:00:00+00:00",
        "status": "CONFIRMED",
        "eventType": {"title": "Intro call"},
    }
    token = second["bookMeeting"]["manageToken"]
    cancelled = await gql(CANCEL, {"id": second["bookMeeting"]["id"], "t": token})
    assert cancelled.ok()["cancelBooking"] == {"status": "CANCELLED"}
    assert await Booking.filter(status="CONFIRMED").count() == 1


# --- What hiding announces ----------------------------------------------------------------------


async def outbox_channels() -> list[str]:
    return sorted(await OutboxEvent.all().values_list("channel", flat=True))


async def test_hiding_and_showing_clear_public_caches_and_announce_slot_changes(
    gql: Execute, host: str
) -> None:
    created = await create(gql, host)
    neighbour = await create(gql, host, slug="neighbour")
    owner = await User.get(email="host@example.com")
    type_id = int(created["id"])
    await OutboxEvent.all().delete()
    for hidden in (True, False):
        await event_types.update(owner, type_id, EventTypeData(hidden=hidden))
        # This event type's watchers only: the neighbour's slots did not change.
        assert await outbox_channels() == [availability_channel(type_id), PUBLIC_DATA_CHANNEL]
        await OutboxEvent.all().delete()
    await event_types.update(owner, type_id, EventTypeData(hidden=False, title="Same flag"))
    assert await outbox_channels() == [PUBLIC_DATA_CHANNEL]
    assert availability_channel(int(neighbour["id"])) not in await outbox_channels()


# --- Its booking page and its watchers -----------------------------------------------------------


async def test_its_booking_pages_show_the_friendly_not_found(
    gql: Execute, host: str, http: AppServer
) -> None:
    created = await create(gql, host)
    pages = (f"/book/{created['id']}", "/book/hanna/intro")
    for path in pages:
        assert (await http.get(path)).status_code == 200
    await hide(gql, host, created["id"])
    not_found = (await http.get("/book/999999")).text
    for path in pages:
        page = await http.get(path)
        assert (page.status_code, page.text) == (404, not_found)
    await hide(gql, host, created["id"], hidden=False)
    for path in pages:
        assert (await http.get(path)).status_code == 200


async def test_watchers_hear_it_hidden_and_nobody_new_but_its_host_may_watch(
    server: LiveServer,
) -> None:
    token, type_id = await host_with_type(server, "host@example.com")
    watcher = await Client.connect(server.ws, "graphql-transport-ws")
    await watcher.subscribe(SLOTS_CHANGED, {"id": type_id})
    await server.until_metric(live_subscriptions("availabilityChanged"), 1)
    hidden = {"id": type_id, "i": {"hidden": True}}
    late = await Client.connect(server.ws, "graphql-transport-ws")
    own = await Client.connect(server.ws, "graphql-transport-ws", token)
    try:
        (await server.post(UPDATE, hidden, token=token)).ok()
        assert (await watcher.next_data(5))["availabilityChanged"] == {"eventTypeId": type_id}
        assert (await server.post(BOOK, booking_input(type_id, slot()))).codes == ["NOT_FOUND"]
        await late.subscribe(SLOTS_CHANGED, {"id": type_id})
        message = await late.receive(5)
        assert message["type"] in ("error", "next"), message
        payload = message["payload"]
        errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"
        await own.subscribe(SLOTS_CHANGED, {"id": type_id})
        await server.until_metric(live_subscriptions("availabilityChanged"), 2)
        shown = {"id": type_id, "i": {"hidden": False}}
        (await server.post(UPDATE, shown, token=token)).ok()
        for client in (watcher, own):
            assert (await client.next_data(5))["availabilityChanged"] == {"eventTypeId": type_id}
    finally:
        for client in (watcher, late, own):
            await client.close()
    assert (await server.post(BOOK, booking_input(type_id, slot()))).ok()
