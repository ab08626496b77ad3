"""Linked calendars, service level: linking, conditional sync, failures and backoff, the claim of
`sync_due`, and where the feed URL may (not) end up.

Feeds come from a local aiohttp server on 127.0.0.1 (bound also on 127.0.0.2 and ::1, same port,
where possible, so a request that should have been refused would be counted) whose routes the
tests change while it runs. It is also imported by the API and live-server tests."""

import asyncio
import hashlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from tortoise import Tortoise

from config import Settings
from domain import ical
from domain.errors import BadUserInput, NotFound
from events.bus import MemoryBus
from events.messages import PUBLIC_DATA_CHANNEL, availability_channel, calendar_channel
from events.outbox import Outbox
from models.calendar import CalendarBusy, LinkedCalendar
from models.notification import OutboxEvent
from models.privacy import Consent
from models.user import User
from services import calendars, crypto
from services.event_types import EventTypeData
from services.event_types import create as create_event_type

# One key for every test process and the live servers they start (a PostgreSQL run would
# otherwise write booknmeet.key into the working directory).
ENCRYPTION_KEY = Fernet.generate_key().decode()
SECRET_PATH = "/secret-4f9a6c0e2b7d41d3a8e5f7b9c1d2e3f4/basic.ics"


# --- a feed server the tests control ---------------------------------------------------------


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    slow: bool = False  # wait for FeedServer.release (a timeout)
    location: str | None = None  # a 302 to here
    conditional: bool = True  # ETag / If-None-Match -> 304


@dataclass
class Hit:
    path: str
    local_address: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = SECRET_PATH, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def serve(self, path: str = SECRET_PATH, body: bytes = b"", **options: Any) -> str:
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def hits_for(self, path: str = SECRET_PATH) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _bind(host: str, port: int) -> socket.socket | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(32)
        sock.setblocking(False)
    except OSError:
        sock.close()
        return None
    return sock


def _app(state: FeedServer) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        state.hits.append(
            Hit(request.path_qs, str(sockname[0]) if sockname else "?", dict(request.headers))
        )
        route = state.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="no such feed")
        if route.slow:
            await asyncio.wait_for(state.release.wait(), 30)
        if route.location is not None:
            raise web.HTTPFound(route.location)
        if route.status != 200:
            return web.Response(status=route.status, text="upstream trouble")
        tag = etag_of(route.body)
        if route.conditional and request.headers.get("If-None-Match") == tag:
            return web.Response(status=304, headers={"ETag": tag})
        headers = {"ETag": tag} if route.conditional else {}
        return web.Response(body=route.body, content_type="text/calendar", headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    main = _bind("127.0.0.1", 0)
    assert main is not None
    port = main.getsockname()[1]
    sockets = [main, *filter(None, (_bind("127.0.0.2", port), _bind("::1", port)))]
    state = FeedServer(port=port)
    runner = web.AppRunner(_app(state), shutdown_timeout=1)
    await runner.setup()
    for sock in sockets:
        await web.SockSite(runner, sock).start()
    yield state
    state.release.set()
    await runner.cleanup()


# --- feeds ------------------------------------------------------------------------------------


def ics(*spans: tuple[datetime, datetime], summary: str = "Dentist", extra: str = "") -> bytes:
    """A feed of one-off UTC events (with a title that must never be stored)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Book N Meet tests//EN"]
    for number, (start, end) in enumerate(spans):
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{number}@tests",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{summary}",
            "END:VEVENT",
        ]
    if extra:
        lines.append(extra)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def day(days: int, hour: int = 0, minute: int = 0) -> datetime:
    """UTC: midnight of today + `days`, plus hour:minute."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(
        days=days, hours=hour, minutes=minute
    )


FIRST = [(day(3, 10), day(3, 11)), (day(4, 14), day(4, 15, 30))]
SECOND = [(day(3, 10), day(3, 11)), (day(5, 9), day(5, 10))]
MALFORMED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:not-a-date\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
TRUNCATED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20270101T100000Z\r\n"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def cal_settings(settings: Settings) -> Settings:
    """The test settings with 127.0.0.1 (only that spelling) allowed for feeds."""
    return replace(settings, calendar_allowed_hosts=("127.0.0.1",), encryption_key=ENCRYPTION_KEY)


async def consenting(user: User) -> User:
    """Linking a calendar needs the CALENDAR_ACCESS consent."""
    await Consent.create(user_id=user.id, purpose="CALENDAR_ACCESS", granted=True)
    return user


@pytest.fixture
async def owner(clean_db: None) -> User:
    return await consenting(
        await User.create(
            email="owner@example.com", name="Olga Owner", password_hash="x", time_zone="UTC"
        )
    )


@pytest.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    yield MemoryBus()


async def busy_of(calendar_id: int) -> list[tuple[datetime, datetime]]:
    rows = await CalendarBusy.filter(calendar_id=calendar_id).order_by("start")
    return [(r.start.astimezone(UTC), r.end.astimezone(UTC)) for r in rows]


async def busy_ids(calendar_id: int) -> list[int]:
    return sorted(await CalendarBusy.filter(calendar_id=calendar_id).values_list("id", flat=True))


async def outbox_channels() -> list[str]:
    return sorted(await OutboxEvent.all().values_list("channel", flat=True))


async def event_type_for(owner: User, slug: str = "call") -> int:
    data = EventTypeData(title="Call", slug=slug, duration_minutes=30)
    type_id = (await create_event_type(owner, data)).id
    # Set-up, not what a calendar writes: the public cache's invalidation of the creation.
    await OutboxEvent.filter(channel=PUBLIC_DATA_CHANNEL).delete()
    return type_id


# --- link -------------------------------------------------------------------------------------


async def test_link_stores_busy_time_with_the_url_encrypted_and_writes_events(
    feeds: FeedServer, owner: User, cal_settings: Settings, bus: MemoryBus
) -> None:
    type_id = await event_type_for(owner)
    url = feeds.serve(body=ics(*FIRST))
    calendar = await calendars.link(owner, url, None, cal_settings)

    assert calendar.name == "Calendar"  # never the host name: part of the secret
    assert (calendar.status, calendar.failures, calendar.last_error) == ("OK", 0, None)
    assert await busy_of(calendar.id) == FIRST
    assert calendar.fingerprint == ical.feed_fingerprint(FIRST)
    assert calendar.etag == etag_of(ics(*FIRST))
    stored = await LinkedCalendar.get(id=calendar.id)
    assert SECRET_PATH not in stored.url_encrypted and str(feeds.port) not in stored.url_encrypted
    assert crypto.decrypt(cal_settings, stored.url_encrypted) == url
    # Synced now, next in 15 minutes +-10%.
    assert timedelta(minutes=13.4) < stored.next_sync_at - stored.last_synced_at
    assert stored.next_sync_at - stored.last_synced_at < timedelta(minutes=16.6)
    assert await outbox_channels() == [
        f"availability:{type_id}",
        f"calendar:{owner.id}",
    ]
    async with (
        bus.subscribe(calendar_channel(owner.id)) as changes,
        bus.subscribe(availability_channel(type_id)) as slots,
    ):
        await Outbox(bus).flush()
        change = await changes.get(1)
        assert change["calendar"] == {
            "id": calendar.id,
            "name": "Calendar",
            "status": "OK",
            "lastSyncedAt": calendar.last_synced_at.isoformat(),
            "lastError": None,
            "busyCount": 2,
            "kind": "ICS_FEED",
            "writesBookings": False,
        }
        assert (await slots.get(1))["eventTypeId"] == type_id


async def test_link_keeps_no_titles_and_only_busy_time(
    feeds: FeedServer, owner: User, cal_settings: Settings
) -> None:
    url = feeds.serve(body=ics(*FIRST, summary="Divorce lawyer"))
    await calendars.link(owner, url, "Private", cal_settings)
    for model in Tortoise.apps["models"].values():
        for row in await model.all().values():
            assert "Divorce" not in repr(row), model


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(status=500), "HTTP 500"),
        (Route(status=404), "HTTP 404"),
        (Route(body=b"<html>login</html>"), "not an iCalendar file"),
        (Route(body=MALFORMED), "not a usable calendar feed: invalid DTSTART in an event"),
        (Route(body=TRUNCATED), "truncated feed"),
        (Route(body=b""), "empty feed"),
    ],
)
async def test_a_feed_that_does_not_work_is_refused_and_nothing_is_stored(
    feeds: FeedServer, owner: User, cal_settings: Settings, route: Route, reason: str
) -> None:
    feeds.routes[SECRET_PATH] = route
    with pytest.raises(BadUserInput) as refused:
        await calendars.link(owner, feeds.url(), "Work", cal_settings)
    assert refused.value.field == "url" and reason in refused.value.message
    assert SECRET_PATH not in refused.value.message and "127.0.0.1" not in refused.value.message
    assert await LinkedCalendar.all().count() == 0
    assert await CalendarBusy.all().count() == 0
    assert await OutboxEvent.all().count() == 0


@pytest.mark.parametrize(
    ("url", "name", "field", "message"),
    [
        ("", None, "url", "must not be empty"),
        ("   ", None, "url", "must not be empty"),
        ("ftp://example.com/a.ics", None, "url", "scheme 'ftp' is not allowed"),
        ("file:///etc/passwd", None, "url", "scheme 'file' is not allowed"),
        ("/relative.ics", None, "url", "URL is relative"),
        ("https://user:pw@example.com/a.ics", None, "url", "credentials"),
        ("https://example.com/" + "a" * 2000, None, "url", "at most 2000"),
        ("https://example.com/a.ics", "", "name", "must not be empty"),
        ("https://example.com/a.ics", "x" * 201, "name", "at most 200"),
        ("https://example.com/a.ics", "tab\tname", "name", "control characters"),
    ],
)
async def test_bad_input_is_refused_before_any_request(
    owner: User, cal_settings: Settings, url: str, name: str | None, field: str, message: str
) -> None:
    with pytest.raises(BadUserInput) as refused:
        await calendars.link(owner, url, name, cal_settings)
    assert refused.value.field == field and message in refused.value.message
    assert await LinkedCalendar.all().count() == 0


def test_webcal_is_fetched_as_https() -> None:
    assert calendars.clean_url(" webcal://Example.com/a/b.ics?k=1 ") == (
        "https://example.com/a/b.ics?k=1"
    )


def test_reasons_never_carry_the_url_or_host() -> None:
    reason = calendars.safe_reason("http://10.0.0.1:8080/secret?k=v timed out, invalid host 'x.y'")
    assert reason == "the feed's host timed out, invalid host"


async def test_at_most_ten_calendars(feeds: FeedServer, owner: User, cal_settings: Settings):
    url = feeds.serve(body=ics(*FIRST))
    for number in range(calendars.MAX_CALENDARS_PER_USER):
        await calendars.link(owner, url, f"C{number}", cal_settings)
    requests = len(feeds.hits)
    with pytest.raises(BadUserInput) as refused:
        await calendars.link(owner, url, "one too many", cal_settings)
    assert "at most 10" in refused.value.message
    assert len(feeds.hits) == requests  # refused before fetching
    assert await LinkedCalendar.all().count() == 10


# --- sync -------------------------------------------------------------------------------------


@pytest.fixture
async def linked(feeds: FeedServer, owner: User, cal_settings: Settings) -> LinkedCalendar:
    calendar = await calendars.link(owner, feeds.serve(body=ics(*FIRST)), "Work", cal_settings)
    await OutboxEvent.all().delete()
    return calendar


async def test_not_modified_only_moves_last_synced_at(
    feeds: FeedServer, linked: LinkedCalendar, cal_settings: Settings
) -> None:
    before = await busy_ids(linked.id)
    synced = await calendars.sync(linked.id, cal_settings)
    assert synced is not None
    last = feeds.hits_for()[-1]
    assert last.headers.get("If-None-Match") == etag_of(ics(*FIRST))
    assert synced.last_synced_at > linked.last_synced_at
    assert (synced.status, synced.fingerprint, synced.etag) == (
        "OK",
        linked.fingerprint,
        linked.etag,
    )
    assert await busy_ids(linked.id) == before
    assert await OutboxEvent.all().count() == 0


async def test_a_new_body_with_the_same_busy_time_changes_nothing(
    feeds: FeedServer, linked: LinkedCalendar, cal_settings: Settings
) -> None:
    before = await busy_ids(linked.id)
    # New title, an extra free (transparent) event, split differently: the same busy instants.
    split = [FIRST[0], (FIRST[1][0], FIRST[1][0] + timedelta(minutes=45))]
    split.append((FIRST[1][0] + timedelta(minutes=45), FIRST[1][1]))
    feeds.serve(body=ics(*split, summary="Renamed"))
    synced = await calendars.sync(linked.id, cal_settings)
    assert synced is not None and synced.etag == etag_of(ics(*split, summary="Renamed"))
    assert await busy_ids(linked.id) == before
    assert await OutboxEvent.all().count() == 0


async def test_changed_busy_time_replaces_the_rows_and_writes_events(
    feeds: FeedServer, owner: User, linked: LinkedCalendar, cal_settings: Settings
) -> None:
    type_ids = [await event_type_for(owner, "a"), await event_type_for(owner, "b")]
    await OutboxEvent.all().delete()
    feeds.serve(body=ics(*SECOND))
    synced = await calendars.sync(linked.id, cal_settings)
    assert synced is not None
    assert await busy_of(linked.id) == SECOND
    assert synced.fingerprint == ical.feed_fingerprint(SECOND)
    assert await outbox_channels() == sorted(
        [f"calendar:{owner.id}", *(f"availability:{i}" for i in type_ids)]
    )


async def test_replacing_busy_rows_is_one_transaction(
    feeds: FeedServer,
    linked: LinkedCalendar,
    cal_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    feeds.serve(body=ics(*SECOND))
    monkeypatch.setattr(CalendarBusy, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        await calendars.sync(linked.id, cal_settings)
    # The delete before the failed insert rolled back with it.
    assert await busy_of(linked.id) == FIRST
    current = await LinkedCalendar.get(id=linked.id)
    assert current.fingerprint == linked.fingerprint
    assert await OutboxEvent.all().count() == 0


async def test_the_first_sync_of_a_new_day_asks_unconditionally(
    feeds: FeedServer, linked: LinkedCalendar, cal_settings: Settings
) -> None:
    await calendars.sync(linked.id, cal_settings, now=day(1, 0, 5))
    assert "If-None-Match" not in feeds.hits_for()[-1].headers
    await calendars.sync(linked.id, cal_settings, now=day(1, 0, 20))
    assert feeds.hits_for()[-1].headers.get("If-None-Match") == etag_of(ics(*FIRST))


def _slow_route(feeds: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendars, "FETCH_TIMEOUT", 0.3)
    feeds.routes[SECRET_PATH] = Route(slow=True)


def _oversized(feeds: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    body = ics(*FIRST, extra="X-PADDING:" + "x" * (10 * 1024 * 1024))  # over the real 10 MB cap
    feeds.routes[SECRET_PATH] = Route(body=body)


def _slow_parse(feeds: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    parse = ical.busy_intervals

    def slow(*args: Any, **kwargs: Any) -> Any:
        import time

        time.sleep(0.5)
        return parse(*args, **kwargs)

    monkeypatch.setattr(calendars, "PARSE_TIMEOUT", 0.1)
    monkeypatch.setattr(ical, "busy_intervals", slow)
    feeds.serve(body=ics(*SECOND))


FAILURES = {
    "http-500": (lambda f, m: f.serve(status=500), "HTTP 500"),
    "timeout": (_slow_route, "the feed's host timed out after 0.3 s"),
    "oversized": (_oversized, "response larger than 10485760 bytes"),
    "malformed": (lambda f, m: f.serve(body=MALFORMED), "invalid DTSTART in an event"),
    "not-ics": (lambda f, m: f.serve(body=b'{"error": "login"}'), "not an iCalendar file"),
    "slow-parse": (_slow_parse, "took longer than 0.1 s"),
}


@pytest.mark.parametrize("failure", FAILURES)
async def test_failure_keeps_busy_time_backs_off_and_recovers(
    feeds: FeedServer,
    owner: User,
    linked: LinkedCalendar,
    cal_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    arrange, reason = FAILURES[failure]
    arrange(feeds, monkeypatch)
    now = datetime.now(UTC)
    failed = await calendars.sync(linked.id, cal_settings, now=now)
    assert failed is not None
    assert failed.status == "ERROR" and failed.last_error is not None
    assert reason in failed.last_error
    assert SECRET_PATH not in failed.last_error and str(feeds.port) not in failed.last_error
    assert failed.failures == 1
    assert timedelta(minutes=4.5) <= failed.next_sync_at - now <= timedelta(minutes=5.5)
    assert await busy_of(linked.id) == FIRST  # the last good busy time stays
    stored = await LinkedCalendar.get(id=linked.id)
    assert (stored.fingerprint, stored.etag, stored.last_synced_at) == (
        linked.fingerprint,
        linked.etag,
        linked.last_synced_at,
    )
    # OK -> ERROR is a change of the calendar (not of the slots).
    assert await outbox_channels() == [f"calendar:{owner.id}"]
    await OutboxEvent.all().delete()

    again = await calendars.sync(linked.id, cal_settings, now=now)
    assert again is not None and again.failures == 2
    assert timedelta(minutes=9) <= again.next_sync_at - now <= timedelta(minutes=11)
    assert await OutboxEvent.all().count() == 0  # the same error again: nothing new to show

    monkeypatch.undo()
    feeds.release.set()
    feeds.serve(body=ics(*SECOND))
    recovered = await calendars.sync(linked.id, cal_settings)
    assert recovered is not None
    assert (recovered.status, recovered.last_error, recovered.failures) == ("OK", None, 0)
    assert await busy_of(linked.id) == SECOND


async def test_recovery_with_an_unchanged_feed_reports_the_status_only(
    feeds: FeedServer, owner: User, linked: LinkedCalendar, cal_settings: Settings
) -> None:
    feeds.serve(status=500)
    await calendars.sync(linked.id, cal_settings)
    await OutboxEvent.all().delete()
    feeds.serve(body=ics(*FIRST))  # back, unchanged: a 304
    recovered = await calendars.sync(linked.id, cal_settings)
    assert recovered is not None and recovered.status == "OK"
    assert feeds.hits_for()[-1].headers.get("If-None-Match") == etag_of(ics(*FIRST))
    assert await outbox_channels() == [f"calendar:{owner.id}"]  # no availabilityChanged


async def test_a_destination_refused_later_is_a_failure(
    feeds: FeedServer, linked: LinkedCalendar, cal_settings: Settings
) -> None:
    without_allow_list = replace(cal_settings, calendar_allowed_hosts=())
    requests = len(feeds.hits)
    failed = await calendars.sync(linked.id, without_allow_list)
    assert failed is not None and failed.status == "ERROR"
    assert failed.last_error == "the feed's host is not a public address"
    assert len(feeds.hits) == requests


async def test_a_wrong_key_is_a_failure_not_a_crash(
    linked: LinkedCalendar, cal_settings: Settings
) -> None:
    other_key = replace(cal_settings, encryption_key=Fernet.generate_key().decode())
    failed = await calendars.sync(linked.id, other_key)
    assert failed is not None and failed.status == "ERROR"
    assert failed.last_error == "the stored feed address cannot be read"
    assert await busy_of(linked.id) == FIRST


def test_backoff_doubles_up_to_a_day() -> None:
    assert calendars.backoff(1) == timedelta(minutes=5)
    assert calendars.backoff(2) == timedelta(minutes=10)
    assert calendars.backoff(5) == timedelta(minutes=80)
    assert calendars.backoff(12) == timedelta(hours=24)
    assert calendars.backoff(10_000) == timedelta(hours=24)


def test_the_window_is_local_days() -> None:
    zone = ZoneInfo("Pacific/Auckland")
    start, end = calendars.window(datetime(2026, 11, 25, 2, tzinfo=UTC), zone)
    # 02:00 UTC is 15:00 on 25 Nov in Auckland (UTC+13): from 24 Nov 00:00 local.
    assert start == datetime(2026, 11, 24, tzinfo=zone).astimezone(UTC)
    assert end == datetime(2027, 12, 30, tzinfo=zone).astimezone(UTC)


async def test_owners_zone_decides_all_day_events(
    feeds: FeedServer, cal_settings: Settings, clean_db: None
) -> None:
    tokyo = await consenting(
        await User.create(
            email="t@example.com", name="T", password_hash="x", time_zone="Asia/Tokyo"
        )
    )
    target = (datetime.now(UTC) + timedelta(days=10)).date()
    body = ics(
        extra="\r\n".join(
            [
                "BEGIN:VEVENT",
                "UID:all-day@tests",
                f"DTSTART;VALUE=DATE:{target:%Y%m%d}",
                f"DTEND;VALUE=DATE:{target + timedelta(days=1):%Y%m%d}",
                "END:VEVENT",
            ]
        )
    )
    calendar = await calendars.link(tokyo, feeds.serve(body=body), None, cal_settings)
    midnight = datetime(target.year, target.month, target.day, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert await busy_of(calendar.id) == [
        (midnight.astimezone(UTC), (midnight + timedelta(days=1)).astimezone(UTC))
    ]


# --- unlink and ownership ---------------------------------------------------------------------


async def test_unlink_deletes_calendar_and_busy_rows(
    owner: User, linked: LinkedCalendar, clean_db: None
) -> None:
    type_id = await event_type_for(owner)
    await OutboxEvent.all().delete()
    assert await calendars.unlink(owner, linked.id) is True
    assert await LinkedCalendar.all().count() == 0
    assert await CalendarBusy.all().count() == 0
    assert await outbox_channels() == [f"availability:{type_id}", f"calendar:{owner.id}"]


async def test_other_owners_calendars_are_not_found(
    linked: LinkedCalendar, cal_settings: Settings
) -> None:
    stranger = await User.create(email="s@example.com", name="S", password_hash="x")
    with pytest.raises(NotFound):
        await calendars.sync_owned(stranger, linked.id, cal_settings)
    with pytest.raises(NotFound):
        await calendars.unlink(stranger, linked.id)
    assert await calendars.list_for(stranger) == []
    assert await busy_of(linked.id) == FIRST


async def test_list_counts_busy_rows_per_calendar(
    feeds: FeedServer, owner: User, cal_settings: Settings
) -> None:
    one = await calendars.link(owner, feeds.serve("/a.ics", ics(*FIRST)), "A", cal_settings)
    two = await calendars.link(owner, feeds.serve("/b.ics", ics()), "B", cal_settings)
    listed = [(c.id, n) for c, n in await calendars.list_for(owner)]
    assert listed == [(one.id, 2), (two.id, 0)]


# --- sync_due ---------------------------------------------------------------------------------


async def test_sync_due_claims_each_due_calendar_once(
    feeds: FeedServer, owner: User, cal_settings: Settings, bus: MemoryBus
) -> None:
    now = datetime.now(UTC)
    due, never_synced, later, claimed = [
        await calendars.link(owner, feeds.serve(f"/{name}.ics", ics(*FIRST)), name, cal_settings)
        for name in ("due", "never", "later", "claimed")
    ]
    await LinkedCalendar.filter(id=due.id).update(next_sync_at=now - timedelta(seconds=1))
    await LinkedCalendar.filter(id=never_synced.id).update(next_sync_at=None)
    await LinkedCalendar.filter(id=later.id).update(next_sync_at=now + timedelta(minutes=1))
    # Due, but another worker is on it.
    await LinkedCalendar.filter(id=claimed.id).update(
        next_sync_at=now - timedelta(minutes=1), claimed_until=now + timedelta(minutes=1)
    )
    for name in ("due", "never", "later", "claimed"):
        feeds.serve(f"/{name}.ics", ics(*SECOND))
    feeds.hits.clear()

    async def job() -> int:  # as the job runner runs it: inside an outbox unit
        async with Outbox(bus).unit():
            return await calendars.sync_due(cal_settings, now=now)

    counts = await asyncio.gather(job(), job())
    assert sum(counts) == 2
    assert sorted(hit.path for hit in feeds.hits) == ["/due.ics", "/never.ics"]
    for calendar in (due, never_synced):
        row = await LinkedCalendar.get(id=calendar.id)
        assert row.claimed_until is None and row.last_synced_at == now
        assert timedelta(minutes=13.5) <= row.next_sync_at - now <= timedelta(minutes=16.5)
        assert await busy_of(calendar.id) == SECOND
    for calendar in (later, claimed):
        assert await busy_of(calendar.id) == FIRST
    assert await OutboxEvent.all().count() == 0  # flushed by the unit around sync_due

    # Nothing is due any more; an expired claim is taken over.
    assert await calendars.sync_due(cal_settings, now=now) == 0
    takeover = now + timedelta(minutes=2)
    assert await calendars.sync_due(cal_settings, now=takeover) == 2  # later, claimed
    assert await busy_of(claimed.id) == SECOND


async def test_sync_due_records_failures_with_backoff(
    feeds: FeedServer, linked: LinkedCalendar, cal_settings: Settings, bus: MemoryBus
) -> None:
    now = datetime.now(UTC) + timedelta(minutes=20)
    feeds.serve(status=503)
    assert await calendars.sync_due(cal_settings, now=now) == 1
    row = await LinkedCalendar.get(id=linked.id)
    assert (row.status, row.failures, row.last_error, row.claimed_until) == (
        "ERROR",
        1,
        "HTTP 503",
        None,
    )
    assert timedelta(minutes=4.5) <= row.next_sync_at - now <= timedelta(minutes=5.5)
    assert await calendars.sync_due(cal_settings, now=now + timedelta(minutes=4)) == 0
    assert await calendars.sync_due(cal_settings, now=now + timedelta(minutes=6)) == 1
    assert (await LinkedCalendar.get(id=linked.id)).failures == 2
