"""Over HTTP: `python server.py create-admin EMAIL` makes the first staff member, and
the portable download of everything held about a user is a one-time ZIP (my-data.json and
bookings.ics) at the path requestDataExport returns."""

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
import icalendar
import pytest

from models.booking import Booking
from models.privacy import DataExport
from models.user import AuthToken, User
from tests.conftest import PASSWORD, ROOT, AppServer
from tests.graphql_ops import BOOK, CREATE_TYPE, EXPORT, MY_DATA, WEEKLY

SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }"""
ADMIN_LIST = "{ adminPrivacyRequests { id kind status } }"
SUBMIT = """mutation($k: PrivacyRequestKind!) { submitPrivacyRequest(kind: $k) { id } }"""
UPDATE = """mutation($id: ID!, $s: PrivacyRequestStatus!, $r: String) {
  updatePrivacyRequest(id: $id, status: $s, reason: $r) { status } }"""


@pytest.fixture
def server(http: AppServer) -> AppServer:
    """HTTP answers are what these tests read: the app in this process serves them."""
    return http


async def live_sign_up(server, email: str, name: str) -> str:
    """Signs up and confirms the mailed code (bookings under the address become theirs)."""
    variables = {"i": {"email": email, "password": PASSWORD, "name": name}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    await server.verify_email(email)
    return token


def create_admin(settings, email: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "server.py", "create-admin", email],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


# --- create-admin -------------------------------------------------------------------------------


async def test_create_admin_cli_makes_an_existing_account_staff(server, settings):
    dpo = await live_sign_up(server, "dpo@example.com", "Dana Protection")
    member = await live_sign_up(server, "ada@example.com", "Ada")
    rid = (await server.post(SUBMIT, {"k": "ACCESS"}, token=member)).ok()["submitPrivacyRequest"][
        "id"
    ]
    assert (await server.post(ADMIN_LIST, token=dpo)).codes == ["FORBIDDEN"]
    assert (await User.get(email="dpo@example.com")).role == "member"

    done = create_admin(settings, " DPO@Example.com ")
    assert done.returncode == 0, done.stderr
    assert "admin" in done.stdout
    assert (await User.get(email="dpo@example.com")).role == "admin"
    assert (await User.get(email="ada@example.com")).role == "member"

    # The running server sees the new role at once: staff can list and work the requests.
    listed = (await server.post(ADMIN_LIST, token=dpo)).ok()["adminPrivacyRequests"]
    assert listed == [{"id": rid, "kind": "ACCESS", "status": "RECEIVED"}]
    started = await server.post(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=dpo)
    assert started.ok()["updatePrivacyRequest"]["status"] == "IN_PROGRESS"
    assert (await server.post(ADMIN_LIST, token=member)).codes == ["FORBIDDEN"]

    # Running it again is harmless.
    assert create_admin(settings, "dpo@example.com").returncode == 0
    assert (await User.get(email="dpo@example.com")).role == "admin"


async def test_create_admin_cli_refuses_an_unknown_address(server, settings):
    await live_sign_up(server, "ada@example.com", "Ada")
    refused = create_admin(settings, "nobody@example.com")
    assert refused.returncode != 0
    assert "nobody@example.com" in refused.stderr
    assert await User.filter(role="admin").count() == 0


def test_create_admin_cli_needs_exactly_one_address(settings, database):
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    for args in (["create-admin"], ["create-admin", "a@example.com", "b@example.com"]):
        result = subprocess.run(
            [sys.executable, "server.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode != 0 and "usage" in result.stderr


# --- portability: the one-time download ---------------------------------------------------------


@pytest.fixture
async def world(server):
    """Hanna hosts; Bob, signed in, booked her; Eve booked her anonymously."""
    host = await live_sign_up(server, "hanna@example.com", "Hanna Host")
    bob = await live_sign_up(server, "bob@example.com", "Bob Booker")
    rules = [{"weekday": "MONDAY", "start": "09:00", "end": "17:00"}]
    (await server.post(WEEKLY, {"tz": "UTC", "rules": rules}, token=host)).ok()
    type_id = (
        await server.post(
            CREATE_TYPE,
            {"i": {"title": "Intro call", "slug": "intro", "durationMinutes": 30}},
            token=host,
        )
    ).ok()["createEventType"]["id"]
    bookings = {}
    for who, start, token in (
        ("bob", "2030-01-07T10:00:00+00:00", bob),
        ("eve", "2030-01-07T11:00:00+00:00", None),
    ):
        booking = {"eventTypeId": type_id, "start": start, "name": f"{who.title()} Booker",
                   "email": f"{who}@example.com", "notes": f"{who} notes"}  # fmt: skip
        bookings[who] = (await server.post(BOOK, {"i": booking}, token=token)).ok()["bookMeeting"][
            "id"
        ]
    return {"host": host, "bob": bob, "type_id": type_id, "bookings": bookings}


async def request_export(server, token: str) -> str:
    path = (await server.post(EXPORT, token=token)).ok()["requestDataExport"]
    assert path.startswith("/export/") and len(path) > len("/export/") + 20
    return path


async def download(server, path: str) -> httpx.Response:
    return await server.get(path)


def unpack(response: httpx.Response) -> tuple[dict, icalendar.Calendar, bytes]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/zip")
    assert "no-store" in response.headers["cache-control"]
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["bookings.ics", "my-data.html", "my-data.json"]
    raw = archive.read("my-data.json") + archive.read("bookings.ics")
    raw += archive.read("my-data.html")
    data = json.loads(archive.read("my-data.json"))
    ics = icalendar.Calendar.from_ical(archive.read("bookings.ics"))
    return data, ics, raw


def vevents(ics: icalendar.Calendar) -> list[icalendar.Event]:
    return [c for c in ics.walk() if c.name == "VEVENT"]


async def test_the_export_is_a_zip_of_my_data_and_bookings_downloaded_once(server, world):
    path = await request_export(server, world["host"])
    data, ics, raw = unpack(await download(server, path))

    assert data["subject"]["email"] == "hanna@example.com"
    assert data["data"]["account"][0]["email"] == "hanna@example.com"
    assert data["data"]["account"][0]["name"] == "Hanna Host"
    hosted = {str(b["id"]): b for b in data["data"]["bookingsHosted"]}
    assert set(hosted) == set(world["bookings"].values())
    assert hosted[world["bookings"]["bob"]]["attendee_email"] == "bob@example.com"
    assert hosted[world["bookings"]["eve"]]["notes"] == "eve notes"
    assert {c["email"] for c in data["data"]["clients"]} == {"bob@example.com", "eve@example.com"}
    # It is the same as what myData answers.
    live = (await server.post(MY_DATA, token=world["host"])).ok()["myData"]
    assert live["data"]["bookingsHosted"] == data["data"]["bookingsHosted"]

    assert ics["METHOD"] == "PUBLISH"
    events = {str(e["UID"]): e for e in vevents(ics)}
    assert set(events) == {f"booking-{b}@booknmeet" for b in world["bookings"].values()}
    bob_event = events[f"booking-{world['bookings']['bob']}@booknmeet"]
    assert bob_event.decoded("DTSTART") == datetime(2030, 1, 7, 10, 0, tzinfo=UTC)
    assert bob_event.decoded("DTEND") == datetime(2030, 1, 7, 10, 30, tzinfo=UTC)
    assert str(bob_event["SUMMARY"]) == "Intro call"
    assert str(bob_event["STATUS"]) == "CONFIRMED"

    # No secret travels in it: not the password hash, not any token or its hash.
    hanna = await User.get(email="hanna@example.com")
    secrets = [hanna.password_hash, world["host"], path.removeprefix("/export/")]
    secrets += await AuthToken.filter(user_id=hanna.id).values_list("token_hash", flat=True)
    secrets += await DataExport.filter(user_id=hanna.id).values_list("token_hash", flat=True)
    secrets += [b.manage_token_hash for b in await Booking.all() if b.manage_token_hash]
    text = raw.decode()
    for secret in secrets:
        assert secret not in text
    assert "argon2" not in text and "password" not in text.lower()

    # Spent by its first use.
    second = await download(server, path)
    assert second.status_code == 404 and not second.content.startswith(b"PK")


async def test_a_booker_exports_the_meetings_they_booked(server, world):
    data, ics, _ = unpack(await download(server, await request_export(server, world["bob"])))
    assert data["subject"]["email"] == "bob@example.com"
    made = data["data"]["bookingsMade"]
    assert [str(b["id"]) for b in made] == [world["bookings"]["bob"]]
    assert made[0]["attendee_name"] == "Bob Booker" and made[0]["notes"] == "bob notes"
    assert "bookingsHosted" not in data["data"]
    dumped = json.dumps(data)
    assert "eve@example.com" not in dumped and "eve notes" not in dumped
    assert "hanna@example.com" not in dumped  # the host's e-mail is the host's data
    assert [str(e["UID"]) for e in vevents(ics)] == [
        f"booking-{world['bookings']['bob']}@booknmeet"
    ]


async def test_forged_and_expired_tokens_are_not_found(server, world):
    for forged in ("/export/bnm_x_forged", "/export/" + "a" * 43, "/export/%00"):
        assert (await download(server, forged)).status_code == 404, forged

    path = await request_export(server, world["bob"])
    await DataExport.filter(user__email="bob@example.com").update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await download(server, path)).status_code == 404

    # A fresh one works, and each export is its own token.
    first = await request_export(server, world["bob"])
    second = await request_export(server, world["bob"])
    assert first != second
    assert (await download(server, second)).status_code == 200
    assert (await download(server, first)).status_code == 200
    assert (await download(server, first)).status_code == 404


async def test_an_export_dies_with_the_account(server, world):
    path = await request_export(server, world["bob"])
    deleted = await server.post("mutation($p: String!) { deleteAccount(password: $p) }",
                                {"p": PASSWORD}, token=world["bob"])  # fmt: skip
    assert deleted.ok() == {"deleteAccount": True}
    assert (await download(server, path)).status_code == 404


async def test_requesting_an_export_needs_sign_in(server):
    assert (await server.post(EXPORT)).codes == ["UNAUTHENTICATED"]
    assert await DataExport.all().count() == 0


async def test_the_calendar_holds_every_booking_my_data_lists(server, world):
    # Eve booked anonymously, then signs up with the same address: the booking is hers.
    eve = await live_sign_up(server, "eve@example.com", "Eve Booker")
    data, ics, _ = unpack(await download(server, await request_export(server, eve)))
    assert [str(b["id"]) for b in data["data"]["bookingsMade"]] == [world["bookings"]["eve"]]
    assert [str(e["UID"]) for e in vevents(ics)] == [
        f"booking-{world['bookings']['eve']}@booknmeet"
    ]
