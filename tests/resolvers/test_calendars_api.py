"""Linked calendars through the schema: real-world feeds against an independent expansion, failures
and recovery as slots see them, SSRF refusals, the secrecy of the feed URL, ownership.

Fixture dates: the real-world exports (2014-2024) lie before today's rolling window (today - 1
day to + 400 days), so each is served as a copy with every VEVENT date moved forward by a whole
number of weeks (a multiple of 52 weeks where that fits, which keeps weekdays and roughly the
season; time zone definitions are left alone). The reference busy time is computed from the same
shifted bytes with icalendar + recurring_ical_events directly, not with domain.ical."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from tortoise import Tortoise

from events.bus import MemoryBus
from events.messages import availability_channel, calendar_channel
from models.calendar import CalendarBusy, LinkedCalendar
from schema.context import Context
from services import accounts, calendars
from tests.conftest import Result
from tests.graphql_ops import CREATE_TYPE, WEEKLY
from tests.services.test_calendars import (
    ENCRYPTION_KEY,
    FIRST,
    MALFORMED,
    SECRET_PATH,
    FeedServer,
    day,
    feeds,
    ics,
)

__all__ = ["feeds"]  # the fixture, imported for pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ics"

LINK = """mutation($url: String!, $name: String) {
  linkCalendar(url: $url, name: $name) { id name status lastSyncedAt lastError busyCount } }"""
SYNC = """mutation($id: ID!) {
  syncCalendar(id: $id) { id name status lastSyncedAt lastError busyCount } }"""
UNLINK = """mutation($id: ID!) { unlinkCalendar(id: $id) }"""
LIST = """{ calendars { id name status lastSyncedAt lastError busyCount } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start end } }"""
EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


@dataclass
class Api:
    schema: Any
    settings: Any
    bus: MemoryBus
    responses: list[str]

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        *,
        allow_list: bool = True,
    ) -> Result:
        settings = replace(
            self.settings,
            encryption_key=ENCRYPTION_KEY,
            calendar_allowed_hosts=("127.0.0.1",) if allow_list else (),
        )
        context = Context(settings=settings, bus=self.bus)
        if token:
            context.user = await accounts.authenticate(token)
            context.token = token if context.user else None
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        errors = [e.formatted for e in result.errors or []]
        self.responses.append(repr((result.data, errors)))
        return Result(result.data, errors)


@pytest.fixture
def api(gql: Any, schema: Any, settings: Any) -> Api:
    """Like `gql`, with 127.0.0.1 allowed for feeds (unless allow_list=False), one shared bus,
    and every response kept for the secrecy checks."""
    return Api(schema, settings, MemoryBus(), [])


@pytest.fixture
def host(api: Api, sign_up: Any) -> Any:
    """host(zone) -> (token, event type id): working 00:00-24:00 every day, 15-minute slots."""
    count = 0

    async def create(zone: str = "UTC", duration: int = 15) -> tuple[str, str]:
        nonlocal count
        count += 1
        token, _ = await sign_up(email=f"host{count}@example.com", name=f"Host {count}")
        consent = "mutation { setConsent(purpose: CALENDAR_ACCESS, granted: true) { granted } }"
        (await api(consent, token=token)).ok()
        rules = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in EVERY_DAY]
        (await api(WEEKLY, {"tz": zone, "rules": rules}, token)).ok()
        values = {
            "title": "Quick",
            "slug": "quick",
            "durationMinutes": duration,
            "slotIntervalMinutes": 15,
        }
        created = (await api(CREATE_TYPE, {"i": values}, token)).ok()
        return token, created["createEventType"]["id"]

    return create


async def slot_starts(api: Api, type_id: str, start: datetime, end: datetime) -> list[datetime]:
    variables = {"id": type_id, "s": start.isoformat(), "e": end.isoformat()}
    slots = (await api(SLOTS, variables)).ok()["availableSlots"]
    return [datetime.fromisoformat(s["start"]).astimezone(UTC) for s in slots]


# --- real-world feeds against recurring_ical_events -----------------------------------------

# Windows (original dates, UTC midnights) where each export has events.
REAL_WORLD = {
    "google_chicago_school.ics": [
        (date(2020, 9, 14), date(2020, 11, 14)),
        (date(2020, 11, 14), date(2020, 12, 5)),  # Thanksgiving EXDATEs
    ],
    "google_moved_occurrence.ics": [
        (date(2014, 7, 25), date(2014, 8, 5)),  # the moved first occurrence
        (date(2015, 7, 25), date(2015, 8, 5)),
    ],
    "outlook_exchange_gmt.ics": [
        (date(2024, 6, 27), date(2024, 8, 5)),
        (date(2024, 9, 28), date(2024, 10, 10)),
    ],
    "apple_macos_vancouver.ics": [(date(2022, 7, 1), date(2022, 7, 12))],
    "thunderbird_moved_occurrences.ics": [(date(2019, 3, 4), date(2019, 3, 24))],
}

_VALUE_DATE = re.compile(r"(?<![0-9])((?:19|20)\d{2})(\d{2})(\d{2})(?![0-9])")
_SHIFTED = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "RRULE")


def unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text)


def split_property(line: str) -> tuple[str, str]:
    """NAME;PARAMS and VALUE: the first colon outside a quoted parameter value."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], line[index + 1 :]
    return line, ""


def shift_feed(data: bytes, days: int) -> bytes:
    """Every date in the timing properties of VEVENTs moved by `days` (a multiple of 7)."""
    lines = unfold(data.decode("utf-8")).splitlines()
    out, in_event = [], False
    for line in lines:
        if line.startswith("BEGIN:VEVENT"):
            in_event = True
        elif line.startswith("END:VEVENT"):
            in_event = False
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if in_event and name in _SHIFTED:
            head, value = split_property(line)

            def move(match: re.Match[str]) -> str:
                moved = date(*map(int, match.groups())) + timedelta(days=days)
                return f"{moved:%Y%m%d}"

            line = f"{head}:{_VALUE_DATE.sub(move, value)}"
        out.append(line)
    return ("\r\n".join(out) + "\r\n").encode()


def shift_for(windows: list[tuple[date, date]], today: date) -> int:
    """Days (whole weeks) that move every window into [today + 2, today + 398)."""
    first, last = min(w[0] for w in windows), max(w[1] for w in windows)
    low, high = today + timedelta(days=2), today + timedelta(days=398)
    years = 0
    while first + timedelta(weeks=52 * years) < low:
        years += 1
    days = 7 * 52 * years
    if last + timedelta(days=days) > high:
        days = 7 * -(-(low - first).days // 7)
    assert last + timedelta(days=days) <= high, "windows too long for the rolling window"
    return days


def reference_busy(data: bytes, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Busy time by recurring_ical_events itself (host zone UTC): CANCELLED and TRANSPARENT
    occurrences are free; all-day and floating times are UTC days and wall times."""
    calendar = icalendar.Calendar.from_ical(data)
    busy = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        begin, finish = (instant(event[name].dt) for name in ("DTSTART", "DTEND"))
        if begin < finish:
            busy.append((begin, finish))
    return busy


def instant(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def expected_slots(
    start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]
) -> list[datetime]:
    step = timedelta(minutes=15)
    slots, at = [], start
    while at < end:
        if not any(b_start < at + step and at < b_end for b_start, b_end in busy):
            slots.append(at)
        at += step
    return slots


@pytest.mark.parametrize("fixture", REAL_WORLD)
async def test_real_world_feeds_block_exactly_their_busy_time(
    api: Api, host: Any, feeds: FeedServer, fixture: str
) -> None:
    token, type_id = await host()
    today = datetime.now(UTC).date()
    days = shift_for(REAL_WORLD[fixture], today)
    body = shift_feed((FIXTURES / fixture).read_bytes(), days)
    url = feeds.serve(f"/{fixture}", body)
    linked = (await api(LINK, {"url": url, "name": fixture}, token)).ok()["linkCalendar"]
    assert (linked["status"], linked["lastError"]) == ("OK", None)
    assert linked["busyCount"] > 0

    blocked_somewhere = False
    for first, last in REAL_WORLD[fixture]:
        start = datetime.combine(first + timedelta(days=days), datetime.min.time(), UTC)
        end = datetime.combine(last + timedelta(days=days), datetime.min.time(), UTC)
        busy = reference_busy(body, start, end)
        expected = expected_slots(start, end, busy)
        assert await slot_starts(api, type_id, start, end) == expected, (fixture, first)
        blocked_somewhere |= len(expected) < (end - start) / timedelta(minutes=15)
    assert blocked_somewhere, "the window holds no busy time: the test would prove nothing"


def test_shift_moves_event_dates_but_not_time_zone_rules() -> None:
    source = (FIXTURES / "thunderbird_moved_occurrences.ics").read_bytes()
    shifted = shift_feed(source, 7 * 52 * 8).decode()
    assert "DTSTART;TZID=Europe/Berlin:20270308T040000" in shifted  # 2019-03-18 + 8 * 364 d
    assert "RRULE:FREQ=DAILY;UNTIL=20270310T030000Z" in shifted
    assert "DTSTART:19700329T020000" in shifted  # the VTIMEZONE is untouched


# --- failures through the API: slots keep the last good busy time ---------------------------


@pytest.mark.parametrize("failure", ["http-500", "timeout", "oversized", "malformed"])
async def test_failed_sync_keeps_slots_and_recovers(
    api: Api, host: Any, feeds: FeedServer, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    token, type_id = await host()
    window = (day(3), day(6))
    free = await slot_starts(api, type_id, *window)
    url = feeds.serve(body=ics(*FIRST))
    linked = (await api(LINK, {"url": url}, token)).ok()["linkCalendar"]
    busy_slots = await slot_starts(api, type_id, *window)
    assert len(busy_slots) == len(free) - 4 - 6  # 10:00-11:00 and 14:00-15:30

    if failure == "http-500":
        feeds.serve(status=500)
        reason = "HTTP 500"
    elif failure == "timeout":
        monkeypatch.setattr(calendars, "FETCH_TIMEOUT", 0.3)
        feeds.serve(slow=True)
        reason = "timed out after 0.3 s"
    elif failure == "oversized":
        feeds.serve(body=ics(*FIRST, extra="X-PAD:" + "x" * (10 * 1024 * 1024)))
        reason = "response larger than"
    else:
        feeds.serve(body=MALFORMED)
        reason = "invalid DTSTART"
    failed = (await api(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
    assert failed["status"] == "ERROR" and reason in failed["lastError"]
    assert failed["busyCount"] == 2 and failed["lastSyncedAt"] == linked["lastSyncedAt"]
    assert (await api(LIST, token=token)).ok()["calendars"] == [failed]
    assert await slot_starts(api, type_id, *window) == busy_slots

    feeds.release.set()
    feeds.serve(body=ics(FIRST[0]))  # recovered, and 14:00-15:30 is free again
    recovered = (await api(SYNC, {"id": linked["id"]}, token)).ok()["syncCalendar"]
    assert (recovered["status"], recovered["lastError"], recovered["busyCount"]) == ("OK", None, 1)
    assert len(await slot_starts(api, type_id, *window)) == len(free) - 4


async def test_link_refuses_a_broken_feed_and_stores_nothing(
    api: Api, host: Any, feeds: FeedServer
) -> None:
    token, _ = await host()
    feeds.serve(status=500)
    result = await api(LINK, {"url": feeds.url()}, token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "url"
    assert "HTTP 500" in result.errors[0]["message"]
    feeds.serve(body=MALFORMED)
    result = await api(LINK, {"url": feeds.url()}, token)
    assert result.codes == ["BAD_USER_INPUT"] and "invalid DTSTART" in result.errors[0]["message"]
    assert await LinkedCalendar.all().count() == 0 and await CalendarBusy.all().count() == 0
    assert (await api(LIST, token=token)).ok()["calendars"] == []


# --- SSRF: without the allow-list nothing on loopback is reached ----------------------------


SSRF_TARGETS = [
    "http://127.0.0.1:{port}/feed.ics",
    "http://127.0.0.2:{port}/",
    "http://localhost:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f000001:{port}/",
    "http://127.1:{port}/",
    "webcal://127.0.0.1:{port}/feed.ics",
    "http://0.0.0.0:{port}/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/",
]


@pytest.mark.parametrize("target", SSRF_TARGETS)
async def test_loopback_feeds_are_refused_without_the_allow_list(
    api: Api, host: Any, feeds: FeedServer, target: str
) -> None:
    token, _ = await host()
    feeds.serve("/feed.ics", ics(*FIRST))
    feeds.serve("/", ics(*FIRST))
    result = await api(LINK, {"url": target.format(port=feeds.port)}, token, allow_list=False)
    assert result.codes == ["BAD_USER_INPUT"], result.errors
    assert result.errors[0]["extensions"]["field"] == "url"
    assert feeds.hits == []
    assert await LinkedCalendar.all().count() == 0


async def test_a_redirect_to_loopback_is_refused(api: Api, host: Any, feeds: FeedServer) -> None:
    """127.0.0.1 is allowed (that spelling only); it redirects to localhost, which is not."""
    token, _ = await host()
    feeds.serve("/target.ics", ics(*FIRST))
    url = feeds.serve(location=f"http://localhost:{feeds.port}/target.ics")
    result = await api(LINK, {"url": url}, token)
    assert result.codes == ["BAD_USER_INPUT"], result.errors
    assert "not a public address" in result.errors[0]["message"]
    assert [hit.path for hit in feeds.hits] == [SECRET_PATH]  # never the redirect target
    assert await LinkedCalendar.all().count() == 0


# --- the feed URL is a secret ---------------------------------------------------------------


async def test_the_feed_url_is_never_returned_nor_stored_in_plain_text(
    api: Api, host: Any, feeds: FeedServer
) -> None:
    token, _ = await host()
    url = feeds.serve(body=ics(*FIRST))
    secret = SECRET_PATH.split("/")[1]
    linked = (await api(LINK, {"url": url}, token)).ok()["linkCalendar"]
    assert linked["name"] == "Calendar"
    (await api(LIST, token=token)).ok()
    (await api(SYNC, {"id": linked["id"]}, token)).ok()
    feeds.serve(status=500)
    (await api(SYNC, {"id": linked["id"]}, token)).ok()
    feeds.serve(body=MALFORMED)
    (await api(SYNC, {"id": linked["id"]}, token)).ok()
    assert (await api(LINK, {"url": url}, token)).codes == ["BAD_USER_INPUT"]
    assert (await api(LINK, {"url": url}, token, allow_list=False)).codes == ["BAD_USER_INPUT"]
    (await api(LIST, token=token)).ok()
    assert len(api.responses) > 8
    for response in api.responses:
        assert secret not in response
        assert f":{feeds.port}" not in response
    rows = await LinkedCalendar.all().values()
    assert len(rows) == 1
    for model in Tortoise.apps["models"].values():
        for row in await model.all().values():
            assert secret not in repr(row), model
            assert f"127.0.0.1:{feeds.port}" not in repr(row), model


# --- unlink, ownership, authentication, bad input -------------------------------------------


async def test_unlink_frees_the_slots(api: Api, host: Any, feeds: FeedServer) -> None:
    token, type_id = await host()
    window = (day(3), day(6))
    free = await slot_starts(api, type_id, *window)
    linked = (await api(LINK, {"url": feeds.serve(body=ics(*FIRST))}, token)).ok()["linkCalendar"]
    assert len(await slot_starts(api, type_id, *window)) < len(free)
    async with api.bus.subscribe(availability_channel(int(type_id))) as changes:
        assert (await api(UNLINK, {"id": linked["id"]}, token)).ok() == {"unlinkCalendar": True}
        assert (await changes.get(1))["eventTypeId"] == int(type_id)
    assert await slot_starts(api, type_id, *window) == free
    assert await CalendarBusy.all().count() == 0
    assert (await api(LIST, token=token)).ok()["calendars"] == []
    assert (await api(UNLINK, {"id": linked["id"]}, token)).codes == ["NOT_FOUND"]


async def test_other_users_calendars_are_invisible(api: Api, host: Any, feeds: FeedServer) -> None:
    token, _ = await host()
    other, _ = await host()
    linked = (await api(LINK, {"url": feeds.serve(body=ics(*FIRST))}, token)).ok()["linkCalendar"]
    assert (await api(LIST, token=other)).ok()["calendars"] == []
    requests = len(feeds.hits)
    for query in (SYNC, UNLINK):
        result = await api(query, {"id": linked["id"]}, other)
        assert result.codes == ["NOT_FOUND"], result.errors
    for bad_id in ("0", "nope", "99999999999", str(int(linked["id"]) + 1)):
        assert (await api(SYNC, {"id": bad_id}, token)).codes == ["NOT_FOUND"]
    assert len(feeds.hits) == requests
    assert (await api(LIST, token=token)).ok()["calendars"][0]["busyCount"] == 2


async def test_anonymous_callers_are_unauthenticated(api: Api, feeds: FeedServer) -> None:
    url = feeds.serve(body=ics(*FIRST))
    for query, variables in (
        (LIST, None),
        (LINK, {"url": url}),
        (SYNC, {"id": "1"}),
        (UNLINK, {"id": "1"}),
    ):
        assert (await api(query, variables)).codes == ["UNAUTHENTICATED"]
    assert feeds.hits == []
    assert await LinkedCalendar.all().count() == 0


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"url": ""}, "url"),
        ({"url": "ftp://example.com/x.ics"}, "url"),
        ({"url": "https://example.com/x.ics", "name": "  "}, "name"),
        ({"url": "https://example.com/x.ics", "name": "n" * 201}, "name"),
    ],
)
async def test_bad_input_writes_nothing(
    api: Api, host: Any, variables: dict[str, Any], field: str
) -> None:
    token, _ = await host()
    result = await api(LINK, variables, token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await LinkedCalendar.all().count() == 0


async def test_at_most_ten_calendars(api: Api, host: Any, feeds: FeedServer) -> None:
    token, _ = await host()
    url = feeds.serve(body=ics(*FIRST))
    for number in range(10):
        (await api(LINK, {"url": url, "name": f"C{number}"}, token)).ok()
    result = await api(LINK, {"url": url}, token)
    assert result.codes == ["BAD_USER_INPUT"] and "at most 10" in result.errors[0]["message"]
    names = [c["name"] for c in (await api(LIST, token=token)).ok()["calendars"]]
    assert names == [f"C{number}" for number in range(10)]


async def test_link_pushes_calendar_and_availability_changes(
    api: Api, host: Any, feeds: FeedServer
) -> None:
    token, type_id = await host()
    user = await accounts.authenticate(token)
    assert user is not None
    async with (
        api.bus.subscribe(calendar_channel(user.id)) as changes,
        api.bus.subscribe(availability_channel(int(type_id))) as slots,
    ):
        linked = (await api(LINK, {"url": feeds.serve(body=ics(*FIRST))}, token)).ok()
        change = await changes.get(1)
        assert change["calendar"]["id"] == int(linked["linkCalendar"]["id"])
        assert change["calendar"]["busyCount"] == 2
        assert (await slots.get(1))["eventTypeId"] == int(type_id)
        (await api(SYNC, {"id": linked["linkCalendar"]["id"]}, token)).ok()  # 304
        assert changes.pending == 0 and slots.pending == 0
