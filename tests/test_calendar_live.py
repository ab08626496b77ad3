"""Linked calendars against a real server process: calendarChanged and availabilityChanged reach
WebSocket subscribers after a sync that changed busy time, nothing does after a 304, and the feed
URL never reaches the server's log. The feeds are served from this test process on 127.0.0.1,
which the server is allowed to use (CALENDAR_ALLOWED_HOSTS)."""

from collections.abc import Iterator
from datetime import datetime

import pytest

from config import Settings
from models.calendar import LinkedCalendar
from tests.conftest import LiveServer, live_subscriptions, start_server
from tests.services.test_calendars import (
    ENCRYPTION_KEY,
    FIRST,
    MALFORMED,
    SECOND,
    SECRET_PATH,
    FeedServer,
    feeds,
    ics,
)
from tests.subscriptions.test_live import Client, account

CONSENT = "mutation { setConsent(purpose: CALENDAR_ACCESS, granted: true) { granted } }"


async def grant_calendar_access(server: LiveServer, token: str) -> None:
    (await server.post(CONSENT, token=token)).ok()


__all__ = ["feeds"]  # the fixture, imported for pytest

FIELDS = "id name status lastSyncedAt lastError busyCount"
LINK = f"""mutation($url: String!, $name: String) {{
  linkCalendar(url: $url, name: $name) {{ {FIELDS} }} }}"""
SYNC = f"""mutation($id: ID!) {{ syncCalendar(id: $id) {{ {FIELDS} }} }}"""
UNLINK = """mutation($id: ID!) { unlinkCalendar(id: $id) }"""
CHANGES = f"""subscription {{ calendarChanged {{ occurredAt calendar {{ {FIELDS} }} }} }}"""
SLOTS_CHANGED = """subscription($id: ID!) { availabilityChanged(eventTypeId: $id) {
  eventTypeId occurredAt } }"""
CREATE_TYPE = """mutation { createEventType(input: {title: "Call", slug: "call",
  durationMinutes: 30}) { id } }"""


@pytest.fixture(scope="module")
def calendar_server(
    database: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = start_server(
        settings,
        tmp_path_factory.mktemp("calendar-server"),
        env={"CALENDAR_ALLOWED_HOSTS": "127.0.0.1", "ENCRYPTION_KEY": ENCRYPTION_KEY},
    )
    yield server
    server.stop()


@pytest.fixture
def server(calendar_server: LiveServer, clean_db: None) -> LiveServer:
    return calendar_server


async def nothing_within(client: Client, seconds: float) -> None:
    with pytest.raises(TimeoutError):
        await client.receive(seconds)


async def test_a_changed_feed_is_pushed_and_an_unchanged_one_is_not(
    server: LiveServer, feeds: FeedServer
) -> None:
    token = await account(server, "host@example.com")
    await grant_calendar_access(server, token)
    other = await account(server, "other@example.com")
    type_id = (await server.post(CREATE_TYPE, token=token)).ok()["createEventType"]["id"]
    url = feeds.serve(body=ics(*FIRST))
    linked = (await server.post(LINK, {"url": url, "name": "Work"}, token)).ok()["linkCalendar"]
    assert (linked["name"], linked["status"], linked["busyCount"]) == ("Work", "OK", 2)

    changes = await Client.connect(server.ws, "graphql-transport-ws", token)
    legacy = await Client.connect(server.ws, "graphql-ws", token)
    slots = await Client.connect(server.ws, "graphql-transport-ws")  # public
    stranger = await Client.connect(server.ws, "graphql-transport-ws", other)
    await changes.subscribe(CHANGES)
    await legacy.subscribe(CHANGES)
    await slots.subscribe(SLOTS_CHANGED, {"id": type_id})
    await stranger.subscribe(CHANGES)
    await server.until_metric(live_subscriptions("calendarChanged"), 3)  # before the change
    await server.until_metric(live_subscriptions("availabilityChanged"), 1)
    try:
        feeds.serve(body=ics(*SECOND))
        synced = (await server.post(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
        assert (synced["status"], synced["busyCount"]) == ("OK", 2)
        for client in (changes, legacy):
            change = (await client.next_data())["calendarChanged"]
            assert change["calendar"] == synced
            assert datetime.fromisoformat(change["occurredAt"]) == datetime.fromisoformat(
                synced["lastSyncedAt"]
            )
        assert (await slots.next_data())["availabilityChanged"]["eventTypeId"] == type_id

        # Unchanged: the server asks conditionally, gets a 304, and pushes nothing.
        again = (await server.post(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
        assert feeds.hits_for()[-1].headers.get("If-None-Match")
        assert again["lastSyncedAt"] > synced["lastSyncedAt"]
        for client in (changes, legacy, slots):
            await nothing_within(client, 1.0)
        await nothing_within(stranger, 0.2)  # never saw the host's calendar either
    finally:
        for client in (changes, legacy, slots, stranger):
            await client.close()


async def test_sync_status_changes_are_pushed_without_slot_changes(
    server: LiveServer, feeds: FeedServer
) -> None:
    token = await account(server, "host@example.com")
    await grant_calendar_access(server, token)
    type_id = (await server.post(CREATE_TYPE, token=token)).ok()["createEventType"]["id"]
    url = feeds.serve(body=ics(*FIRST))
    linked = (await server.post(LINK, {"url": url}, token)).ok()["linkCalendar"]
    changes = await Client.connect(server.ws, "graphql-transport-ws", token)
    slots = await Client.connect(server.ws, "graphql-transport-ws")
    await changes.subscribe(CHANGES)
    await slots.subscribe(SLOTS_CHANGED, {"id": type_id})
    await server.until_metric(live_subscriptions("calendarChanged"), 1)
    await server.until_metric(live_subscriptions("availabilityChanged"), 1)
    failures = await server.metric("bnm_calendar_sync_failures_total")
    try:
        feeds.serve(status=500)
        failed = (await server.post(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
        assert await server.metric("bnm_calendar_sync_failures_total") == failures + 1
        assert (failed["status"], failed["lastError"], failed["busyCount"]) == (
            "ERROR",
            "HTTP 500",
            2,
        )
        assert (await changes.next_data())["calendarChanged"]["calendar"] == failed
        await nothing_within(slots, 1.0)  # the busy time was kept
    finally:
        await changes.close()
        await slots.close()


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_anonymous_calendar_changes_end_with_unauthenticated(
    server: LiveServer, protocol: str
) -> None:
    client = await Client.connect(server.ws, protocol)
    try:
        await client.subscribe(CHANGES)
        message = await client.receive(5)
    finally:
        await client.close()
    assert message["type"] in ("error", "next", "data"), message
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_feed_url_never_reaches_the_log(server: LiveServer, feeds: FeedServer) -> None:
    secret = SECRET_PATH.split("/")[1]
    after = len(server.log_entries())
    token = await account(server, "host@example.com")
    await grant_calendar_access(server, token)
    url = feeds.serve(body=ics(*FIRST))
    responses = []
    linked = await server.post(LINK, {"url": url}, token)
    responses.append(linked)
    calendar_id = linked.ok()["linkCalendar"]["id"]
    responses.append(await server.post(SYNC, {"id": calendar_id}, token))
    for failure in ({"status": 500}, {"body": MALFORMED}, {"body": b"\x00" * 100}):
        feeds.serve(**failure)
        responses.append(await server.post(SYNC, {"id": calendar_id}, token))
        responses.append(await server.post(LINK, {"url": url}, token))
    feeds.serve(location=f"http://localhost:{feeds.port}{SECRET_PATH}")
    responses.append(await server.post(LINK, {"url": url}, token))
    responses.append(await server.post(LINK, {"url": url.replace("http:", "gopher:")}, token))
    responses.append(await server.post(LINK, {"url": f"http://[::1]:{feeds.port}{SECRET_PATH}"}))
    responses.append(await server.post("{ calendars { id name lastError } }", token=token))
    responses.append(await server.post(UNLINK, {"id": calendar_id}, token))

    assert [r.codes for r in responses].count(["BAD_USER_INPUT"]) == 5
    for response in responses:
        assert secret not in repr((response.data, response.errors))
    await server.logged_requests(len(responses) + 1, after)  # the sign-up too
    log = server.log()
    assert "POST /graphql" in log  # the server does log
    assert secret not in log
    rows = await LinkedCalendar.all().values()
    assert all(secret not in repr(row) for row in rows)
