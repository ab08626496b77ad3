"""Two-way calendars against real servers: a Radicale CalDAV server and local Google and Microsoft
emulators (tests/calendar_emulators.py), with `python server.py` in a child process. The write-back
job is run in this process (`calendar_writes.run_due`), so each test decides when writes happen."""

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tortoise import connections

from config import Settings
from domain.errors import BadUserInput
from models.calendar import CalendarBusy, CalendarWrite, LinkedCalendar, OAuthState
from services import caldav, calendar_sources, calendar_writes, oauth
from tests.calendar_emulators import (
    CLIENT_ID,
    RADICALE_USER,
    Emulators,
    Radicale,
    start_emulators,
    start_radicale,
    vevent,
)
from tests.conftest import BACKEND, LiveServer, free_port, start_server

RADICALE_PASSWORD = "rad-Pa55-never-shown-7c1e"
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
LINK_CALDAV = """mutation($i: CalDavCalendarInput!) { linkCalDavCalendar(input: $i) {
  id name status lastError busyCount kind writesBookings } }"""
CONNECT = "mutation($p: CalendarProvider!) { connectCalendar(provider: $p) }"
CONSENT = """mutation($g: Boolean!) { setConsent(purpose: CALENDAR_ACCESS, granted: $g) {
  granted } }"""
LIST = "{ calendars { id name status lastError busyCount kind writesBookings } }"
SYNC = "mutation($id: ID!) { syncCalendar(id: $id) { id status lastError busyCount } }"
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id icalUid start } }"""
RESCHEDULE = """mutation($id: ID!, $s: DateTime!) { rescheduleBooking(id: $id, start: $s) {
  id start } }"""
CANCEL = "mutation($id: ID!) { cancelBooking(id: $id) { id status } }"


@pytest.fixture(scope="module")
async def emulators() -> AsyncIterator[Emulators]:
    started = await start_emulators()
    yield started
    await started.close()


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = start_radicale(tmp_path_factory.mktemp("radicale"), free_port(), RADICALE_PASSWORD)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cal_live(
    database: None,
    settings: Settings,
    emulators: Emulators,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    quiet = {
        "OUTBOX_POLL_SECONDS": "3600",
        "REMINDER_POLL_SECONDS": "3600",
        "CALENDAR_TICK_SECONDS": "3600",
        "CALENDAR_WRITE_SECONDS": "3600",
        "RETENTION_PURGE_SECONDS": "3600",
    }
    server = start_server(
        settings, tmp_path_factory.mktemp("calserver"), env={**quiet, **emulators.env()}
    )
    yield server
    server.stop()


@pytest.fixture
def srv(cal_live: LiveServer, clean_db: None, emulators: Emulators) -> LiveServer:
    for provider in (emulators.google, emulators.microsoft):
        provider.events.clear()
        provider.changed_at.clear()
    return cal_live


@pytest.fixture
def local(settings: Settings, emulators: Emulators) -> Settings:
    """This process's settings for the jobs it runs: what the server was given."""
    g, m = emulators.google, emulators.microsoft
    return replace(
        settings,
        calendar_allowed_hosts=("127.0.0.1",),
        google_client_id=CLIENT_ID,
        google_client_secret=emulators.env()["GOOGLE_CLIENT_SECRET"],
        google_auth_url=f"{g.base}/auth",
        google_token_url=f"{g.base}/token",
        google_api_url=f"{g.base}/api",
        microsoft_client_id=CLIENT_ID,
        microsoft_client_secret=emulators.env()["MICROSOFT_CLIENT_SECRET"],
        microsoft_auth_url=f"{m.base}/auth",
        microsoft_token_url=f"{m.base}/token",
        microsoft_api_url=f"{m.base}/api",
    )


def day() -> date:
    return datetime.now(UTC).date() + timedelta(days=3)


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=UTC)


async def make_host(server: LiveServer, *, consent: bool = True) -> tuple[str, str]:
    """(token, event type id): a UTC host working all day, 30-minute meetings every 30 minutes."""
    sign_up = "mutation($i: SignUpInput!) { signUp(input: $i) { token user { email } } }"
    person = {"email": "hana@example.com", "password": "correct horse battery", "name": "Hana"}
    token = (await server.post(sign_up, {"i": person})).ok()["signUp"]["token"]
    await server.verify_email("hana@example.com")
    weekly = """mutation($r: [WeeklyRuleInput!]!) {
      setWeeklyAvailability(timeZone: "UTC", rules: $r) { timeZone } }"""
    rules = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in EVERY_DAY]
    (await server.post(weekly, {"r": rules}, token)).ok()
    create = "mutation($i: EventTypeInput!) { createEventType(input: $i) { id } }"
    values = {"title": "Call", "slug": "call", "durationMinutes": 30, "slotIntervalMinutes": 30}
    type_id = (await server.post(create, {"i": values}, token)).ok()["createEventType"]["id"]
    if consent:
        (await server.post(CONSENT, {"g": True}, token)).ok()
    return token, type_id


async def slots(server: LiveServer, type_id: str, start: datetime, end: datetime) -> set[datetime]:
    variables = {"id": type_id, "s": start.isoformat(), "e": end.isoformat()}
    found = (await server.post(SLOTS, variables)).ok()["availableSlots"]
    return {datetime.fromisoformat(s["start"]).astimezone(UTC) for s in found}


def expected_free(
    start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]
) -> set[datetime]:
    free, moment = set(), start
    while moment < end:
        if not any(moment < e and moment + timedelta(minutes=30) > s for s, e in busy):
            free.add(moment)
        moment += timedelta(minutes=30)
    return free


async def book(server: LiveServer, type_id: str, start: datetime) -> dict[str, Any]:
    values = {"eventTypeId": type_id, "start": start.isoformat(), "name": "Ivy", "email": "i@x.org"}
    return (await server.post(BOOK, {"i": values})).ok()["bookMeeting"]


def fill_radicale(radicale: Radicale, collection: str, d: date) -> list[tuple[datetime, datetime]]:
    """A busy one-off, a daily series of three with its second day excluded, a transparent and a
    cancelled event; returns the busy intervals they should give."""
    radicale.put(collection, "one.ics", vevent("one", at(d, 10), at(d, 11)))
    exdate = at(d + timedelta(days=1), 14).strftime("%Y%m%dT%H%M%SZ")
    radicale.put(
        collection,
        "series.ics",
        vevent("series", at(d, 14), at(d, 15), "RRULE:FREQ=DAILY;COUNT=3", f"EXDATE:{exdate}"),
    )
    radicale.put(collection, "free.ics", vevent("free", at(d, 12), at(d, 13), "TRANSP:TRANSPARENT"))
    radicale.put(collection, "off.ics", vevent("off", at(d, 16), at(d, 17), "STATUS:CANCELLED"))
    third = d + timedelta(days=2)
    return [(at(d, 10), at(d, 11)), (at(d, 14), at(d, 15)), (at(third, 14), at(third, 15))]


def caldav_input(radicale: Radicale, url: str, **extra: Any) -> dict[str, Any]:
    return {"url": url, "username": RADICALE_USER, "password": radicale.password, **extra}


# --- consent -------------------------------------------------------------------------------------


async def test_linking_any_calendar_needs_the_calendar_access_consent(
    srv: LiveServer, radicale: Radicale
) -> None:
    token, _ = await make_host(srv, consent=False)
    url = radicale.new_calendar()
    attempts = [
        (LINK_CALDAV, {"i": caldav_input(radicale, url)}),
        (CONNECT, {"p": "GOOGLE"}),
        (CONNECT, {"p": "MICROSOFT"}),
        ("mutation($u: String!) { linkCalendar(url: $u) { id } }", {"u": url}),
    ]
    for query, variables in attempts:
        result = await srv.post(query, variables, token)
        assert result.codes == ["FORBIDDEN"], result.errors
        assert "CALENDAR_ACCESS" in result.errors[0]["message"]
    assert await LinkedCalendar.all().count() == 0
    assert await OAuthState.all().count() == 0


async def test_withdrawing_consent_unlinks_everything_frees_slots_and_stops_writing(
    srv: LiveServer, radicale: Radicale, local: Settings
) -> None:
    token, type_id = await make_host(srv)
    url = radicale.new_calendar()
    d = day()
    busy = fill_radicale(radicale, url, d)
    linked = (await srv.post(LINK_CALDAV, {"i": caldav_input(radicale, url)}, token)).ok()
    assert linked["linkCalDavCalendar"]["busyCount"] == 3
    window = (at(d, 0), at(d + timedelta(days=3), 0))
    assert await slots(srv, type_id, *window) == expected_free(*window, busy)
    await book(srv, type_id, at(d, 9))
    assert await CalendarWrite.all().count() == 1

    (await srv.post(CONSENT, {"g": False}, token)).ok()

    assert (await srv.post(LIST, token=token)).ok() == {"calendars": []}
    assert await slots(srv, type_id, *window) == expected_free(*window, [(at(d, 9), at(d, 9, 30))])
    for model in (LinkedCalendar, CalendarBusy, CalendarWrite):
        assert await model.all().count() == 0
    await book(srv, type_id, at(d, 11))
    assert await CalendarWrite.all().count() == 0
    assert await calendar_writes.run_due(local) == 0
    assert radicale.get(url, "booknmeet-1.ics").status_code == 404


# --- CalDAV against Radicale ---------------------------------------------------------------------


async def test_caldav_busy_time_blocks_exactly_the_right_slots(
    srv: LiveServer, radicale: Radicale
) -> None:
    token, type_id = await make_host(srv)
    url = radicale.new_calendar()
    d = day()
    busy = fill_radicale(radicale, url, d)

    variables = {"i": caldav_input(radicale, url, name="Nextcloud", writeBookings=False)}
    linked = (await srv.post(LINK_CALDAV, variables, token)).ok()["linkCalDavCalendar"]

    assert linked == {
        "id": linked["id"],
        "name": "Nextcloud",
        "status": "OK",
        "lastError": None,
        "busyCount": 3,
        "kind": "CALDAV",
        "writesBookings": False,
    }
    window = (at(d, 0), at(d + timedelta(days=3), 0))
    assert await slots(srv, type_id, *window) == expected_free(*window, busy)

    # An event added in Radicale shows up after syncCalendar.
    radicale.put(url, "late.ics", vevent("late", at(d, 20), at(d, 21)))
    synced = (await srv.post(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 4
    assert await slots(srv, type_id, *window) == expected_free(
        *window, [*busy, (at(d, 20), at(d, 21))]
    )
    # ... and one removed there frees its time after the next sync.
    radicale.delete(url, "one.ics")
    synced = (await srv.post(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 3
    assert at(d, 10) in await slots(srv, type_id, *window)


async def test_caldav_sync_is_incremental_with_sync_collection(
    srv: LiveServer, radicale: Radicale, local: Settings
) -> None:
    url = radicale.new_calendar()
    d = day()
    fill_radicale(radicale, url, d)
    account = caldav.Account(url, RADICALE_USER, radicale.password, ("127.0.0.1",))
    window = (at(d - timedelta(days=2), 0), at(d + timedelta(days=30), 0))
    full = await calendar_sources.read_caldav(account, 0, window, UTC, None)  # type: ignore[arg-type]
    assert full.full and full.sync_token and full.sync_token.startswith("sync:")
    assert len(full.busy) == 4  # four resources, two of them free

    unchanged = await calendar_sources.read_caldav(account, 0, window, UTC, full.sync_token)  # type: ignore[arg-type]
    assert (unchanged.full, unchanged.busy, unchanged.removed) == (False, {}, set())

    radicale.put(url, "late.ics", vevent("late", at(d, 20), at(d, 21)))
    radicale.delete(url, "one.ics")
    delta = await calendar_sources.read_caldav(account, 0, window, UTC, unchanged.sync_token)  # type: ignore[arg-type]
    assert not delta.full
    late, gone = calendar_sources.source_of, calendar_sources.source_of
    assert delta.busy == {late(urlsplit(url).path + "late.ics"): [(at(d, 20), at(d, 21))]}
    assert delta.removed == {gone(urlsplit(url).path + "one.ics")}


async def test_bookings_are_written_moved_and_removed_in_radicale_and_never_block_themselves(
    srv: LiveServer, radicale: Radicale, local: Settings
) -> None:
    token, type_id = await make_host(srv)
    url = radicale.new_calendar()
    d = day()
    linked = (await srv.post(LINK_CALDAV, {"i": caldav_input(radicale, url)}, token)).ok()
    calendar_id = linked["linkCalDavCalendar"]["id"]
    assert linked["linkCalDavCalendar"]["writesBookings"] is True

    booked = await book(srv, type_id, at(d, 10))
    assert booked["icalUid"] == f"booking-{booked['id']}@booknmeet"
    name = f"booknmeet-{booked['id']}.ics"
    assert radicale.get(url, name).status_code == 404  # written after commit, by the job
    assert await calendar_writes.run_due(local) == 1
    written = radicale.get(url, name)
    assert written.status_code == 200
    assert f"UID:{booked['icalUid']}" in written.text
    assert "DTSTART:" + at(d, 10).strftime("%Y%m%dT%H%M%SZ") in written.text

    # Read back, the written event blocks nothing: not stored, and its booking moves into it.
    synced = (await srv.post(SYNC, {"id": calendar_id}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 0
    moved = await srv.post(RESCHEDULE, {"id": booked["id"], "s": at(d, 10, 30).isoformat()}, token)
    moved.ok()
    assert await calendar_writes.run_due(local) == 1
    assert "DTSTART:" + at(d, 10, 30).strftime("%Y%m%dT%H%M%SZ") in radicale.get(url, name).text

    (await srv.post(CANCEL, {"id": booked["id"]}, token)).ok()
    assert await calendar_writes.run_due(local) == 1
    assert radicale.get(url, name).status_code == 404
    assert await CalendarWrite.all().count() == 0
    assert (await srv.post(LIST, token=token)).ok()["calendars"][0]["lastError"] is None


async def test_a_failing_write_is_retried_and_shown_in_last_error(
    srv: LiveServer, radicale: Radicale, local: Settings
) -> None:
    token, type_id = await make_host(srv)
    url = radicale.new_calendar()
    (await srv.post(LINK_CALDAV, {"i": caldav_input(radicale, url)}, token)).ok()
    booked = await book(srv, type_id, at(day(), 10))
    radicale.set_password("changed-elsewhere")
    try:
        assert await calendar_writes.run_due(local) == 1
        shown = (await srv.post(LIST, token=token)).ok()["calendars"][0]
        assert shown["status"] == "ERROR"
        assert "refused the username or password" in shown["lastError"]
        write = await CalendarWrite.get(booking_id=int(booked["id"]))
        assert (write.pending, write.attempts) == (True, 1)
        assert write.next_attempt_at > datetime.now(UTC)  # backs off
        assert await calendar_writes.run_due(local) == 0
    finally:
        radicale.set_password(RADICALE_PASSWORD)
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await calendar_writes.run_due(local, now=later) == 1
    assert radicale.get(url, f"booknmeet-{booked['id']}.ics").status_code == 200
    shown = (await srv.post(LIST, token=token)).ok()["calendars"][0]
    assert (shown["status"], shown["lastError"]) == ("OK", None)


async def test_a_write_is_claimed_by_exactly_one_worker(
    srv: LiveServer, radicale: Radicale, local: Settings
) -> None:
    token, type_id = await make_host(srv)
    url = radicale.new_calendar()
    (await srv.post(LINK_CALDAV, {"i": caldav_input(radicale, url)}, token)).ok()
    await book(srv, type_id, at(day(), 10))
    write = await CalendarWrite.get()
    now = datetime.now(UTC)
    claims = [await calendar_writes._claim(write.id, now) for _ in range(3)]
    assert claims == [True, False, False]


async def test_wrong_password_is_a_coded_error_and_the_password_is_never_shown(
    srv: LiveServer, radicale: Radicale
) -> None:
    token, _ = await make_host(srv)
    url = radicale.new_calendar()
    wrong = "wr0ng-Pa55-do-not-leak-91ab"
    result = await srv.post(
        LINK_CALDAV, {"i": {**caldav_input(radicale, url), "password": wrong}}, token
    )
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "username"
    assert "password" in result.errors[0]["message"]
    assert wrong not in repr(result)
    assert await LinkedCalendar.all().count() == 0

    # Linked, then the password changes at the server: the sync shows ERROR, not INTERNAL.
    linked = (await srv.post(LINK_CALDAV, {"i": caldav_input(radicale, url)}, token)).ok()
    radicale.set_password("changed-elsewhere")
    try:
        synced = await srv.post(SYNC, {"id": linked["linkCalDavCalendar"]["id"]}, token)
    finally:
        radicale.set_password(RADICALE_PASSWORD)
    shown = synced.ok()["syncCalendar"]
    assert shown["status"] == "ERROR"
    assert "refused" in shown["lastError"]
    log = srv.log()
    assert wrong not in log and RADICALE_PASSWORD not in log
    assert "sync failed" in log  # the failure was logged, without the secret


# --- OAuth: Google and Microsoft emulators -------------------------------------------------------


async def connect(server: LiveServer, token: str, provider: str) -> httpx.Response:
    """connectCalendar, the user's consent at the provider, and its redirect to our callback."""
    url = (await server.post(CONNECT, {"p": provider}, token)).ok()["connectCalendar"]
    async with httpx.AsyncClient() as client:
        at_provider = await client.get(url)
        assert at_provider.status_code == 302, at_provider.text
        return await client.get(at_provider.headers["location"])


async def test_the_authorization_url_carries_the_client_pkce_and_state(
    srv: LiveServer, emulators: Emulators
) -> None:
    token, _ = await make_host(srv)
    for provider, emulator in (("GOOGLE", emulators.google), ("MICROSOFT", emulators.microsoft)):
        url = (await srv.post(CONNECT, {"p": provider}, token)).ok()["connectCalendar"]
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{emulator.base}/auth"
        assert query["client_id"] == CLIENT_ID
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])
        assert len(query["state"]) >= 32
        assert query["redirect_uri"].endswith(f"/oauth/callback/{provider.lower()}")
    # Only hashes of the states are kept.
    stored = await OAuthState.all().values_list("state_hash", flat=True)
    assert len(stored) == 2 and query["state"] not in stored


async def test_a_forged_or_replayed_state_is_refused(srv: LiveServer, emulators: Emulators) -> None:
    token, _ = await make_host(srv)
    url = (await srv.post(CONNECT, {"p": "GOOGLE"}, token)).ok()["connectCalendar"]
    async with httpx.AsyncClient() as client:
        callback = (await client.get(url)).headers["location"]
        forged = re.sub(r"state=[^&]+", "state=forged-state-value", callback)
        refused = await client.get(forged)
        assert refused.status_code == 400
        assert await LinkedCalendar.all().count() == 0
        assert (await client.get(callback)).status_code == 200  # the real one still works once
        replay = await client.get(callback)
        assert replay.status_code == 400
    assert await LinkedCalendar.all().count() == 1


async def test_google_busy_time_blocks_slots_and_bookings_are_written_and_removed(
    srv: LiveServer, emulators: Emulators, local: Settings
) -> None:
    google = emulators.google
    d = day()
    google.put(google.busy(at(d, 10), at(d, 11)))
    google.put(google.busy(at(d, 12), at(d, 13), transparency="transparent"))
    google.put(google.busy(at(d, 14), at(d, 15), status="cancelled"))
    all_day = {
        "start": {"date": (d + timedelta(days=1)).isoformat()},
        "end": {"date": (d + timedelta(days=2)).isoformat()},
    }
    google.put({**google.busy(at(d, 0), at(d, 0)), **all_day})
    token, type_id = await make_host(srv)

    answer = await connect(srv, token, "GOOGLE")
    assert answer.status_code == 200, answer.text
    [calendar] = (await srv.post(LIST, token=token)).ok()["calendars"]
    assert (calendar["kind"], calendar["writesBookings"], calendar["busyCount"]) == (
        "GOOGLE",
        True,
        2,
    )
    window = (at(d, 0), at(d + timedelta(days=3), 0))
    busy = [(at(d, 10), at(d, 11)), (at(d + timedelta(days=1), 0), at(d + timedelta(days=2), 0))]
    assert await slots(srv, type_id, *window) == expected_free(*window, busy)

    booked = await book(srv, type_id, at(d, 16))
    assert await calendar_writes.run_due(local) == 1
    written = google.live()[f"booknmeet{booked['id']}"]
    assert written["start"]["dateTime"] == at(d, 16).isoformat()
    # Incremental: the next sync asks with the syncToken, and the own event blocks nothing.
    synced = (await srv.post(SYNC, {"id": calendar["id"]}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 2
    assert "syncToken=" in google.requests[-1]
    google.put(google.busy(at(d, 18), at(d, 19)))
    synced = (await srv.post(SYNC, {"id": calendar["id"]}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 3
    assert at(d, 18) not in await slots(srv, type_id, *window)

    (await srv.post(RESCHEDULE, {"id": booked["id"], "s": at(d, 20).isoformat()}, token)).ok()
    assert await calendar_writes.run_due(local) == 1
    assert google.live()[f"booknmeet{booked['id']}"]["start"]["dateTime"] == at(d, 20).isoformat()
    (await srv.post(CANCEL, {"id": booked["id"]}, token)).ok()
    assert await calendar_writes.run_due(local) == 1
    assert f"booknmeet{booked['id']}" not in google.live()


async def test_microsoft_busy_time_blocks_slots_and_bookings_are_written_and_removed(
    srv: LiveServer, emulators: Emulators, local: Settings
) -> None:
    graph = emulators.microsoft
    d = day()
    first = graph.busy(at(d, 10), at(d, 11))
    graph.put(first)
    graph.put(graph.busy(at(d, 12), at(d, 13), showAs="free"))
    graph.put(graph.busy(at(d, 14), at(d, 15), isCancelled=True))
    token, type_id = await make_host(srv)

    assert (await connect(srv, token, "MICROSOFT")).status_code == 200
    [calendar] = (await srv.post(LIST, token=token)).ok()["calendars"]
    assert (calendar["kind"], calendar["busyCount"]) == ("MICROSOFT", 1)
    window = (at(d, 0), at(d + timedelta(days=1), 0))
    assert await slots(srv, type_id, *window) == expected_free(*window, [(at(d, 10), at(d, 11))])

    booked = await book(srv, type_id, at(d, 16))
    assert await calendar_writes.run_due(local) == 1
    [written] = [e for e in graph.live().values() if e["id"].startswith("AAMkWritten")]
    assert written["start"] == {
        "dateTime": at(d, 16).strftime("%Y-%m-%dT%H:%M:%S"),
        "timeZone": "UTC",
    }
    synced = (await srv.post(SYNC, {"id": calendar["id"]}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 1  # the written event blocks nothing
    assert "$deltatoken=" in graph.requests[-1]
    graph.remove(first["id"])
    synced = (await srv.post(SYNC, {"id": calendar["id"]}, token)).ok()["syncCalendar"]
    assert synced["busyCount"] == 0

    (await srv.post(CANCEL, {"id": booked["id"]}, token)).ok()
    assert await calendar_writes.run_due(local) == 1
    assert written["id"] not in graph.live()


async def test_an_expired_access_token_is_refreshed(srv: LiveServer, emulators: Emulators) -> None:
    google = emulators.google
    token, _ = await make_host(srv)
    assert (await connect(srv, token, "GOOGLE")).status_code == 200
    [calendar] = (await srv.post(LIST, token=token)).ok()["calendars"]
    google.expire_tokens()
    google.put(google.busy(at(day(), 10), at(day(), 11)))
    synced = (await srv.post(SYNC, {"id": calendar["id"]}, token)).ok()["syncCalendar"]
    assert (synced["status"], synced["busyCount"]) == ("OK", 1)
    assert google.grants[-1] == "refresh_token"


# --- secrets and minimal data --------------------------------------------------------------------


async def test_passwords_and_tokens_never_leave_or_rest_in_clear(
    srv: LiveServer, radicale: Radicale, emulators: Emulators, database_url: str
) -> None:
    token, _ = await make_host(srv)
    url = radicale.new_calendar()
    d = day()
    fill_radicale(radicale, url, d)
    responses = [await srv.post(LINK_CALDAV, {"i": caldav_input(radicale, url)}, token)]
    emulators.google.put(emulators.google.busy(at(d, 18), at(d, 19)))
    assert (await connect(srv, token, "GOOGLE")).status_code == 200
    responses.append(await srv.post(LIST, token=token))
    my_data = await srv.post("{ myData }", token=token)
    responses.append(my_data)
    sections = my_data.ok()["myData"]["data"]
    linked = sections["linkedCalendars"]
    assert {c["kind"] for c in linked} == {"CALDAV", "GOOGLE"}
    assert {c["credentials"] for c in linked} == {"stored encrypted"}
    assert len(sections["calendarBusyTimes"]) == 4

    secrets_ = [radicale.password, *emulators.google.issued]
    text = repr(responses) + srv.log()
    assert not [s for s in secrets_ if s in text]
    # Minimal data: no title of the host's events is stored anywhere.
    stored = await stored_text()
    assert "Private title" not in stored
    assert not [s for s in secrets_ if s in stored]
    if BACKEND != "postgres":
        raw = Path(database_url.removeprefix("sqlite://")).read_bytes()
        wal = Path(database_url.removeprefix("sqlite://") + "-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        assert not [s for s in secrets_ if s.encode() in raw]
        assert b"Private title" not in raw


async def stored_text() -> str:
    connection = connections.get("default")
    dumped = []
    for table in ("linked_calendars", "calendar_busy", "calendar_writes", "oauth_states"):
        _, rows = await connection.execute_query(f"SELECT * FROM {table}")
        dumped.append(repr([dict(r) for r in rows]))
    return "\n".join(dumped)


async def test_unknown_provider_or_one_not_configured(srv: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        assert (
            await client.get(f"{srv.url}/oauth/callback/yahoo?state=x&code=y")
        ).status_code == 404
    with pytest.raises(BadUserInput):
        oauth.provider(Settings(), "GOOGLE")
