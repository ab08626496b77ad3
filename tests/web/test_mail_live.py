"""E-mail with real servers: uvicorn workers sending to a real SMTP server on loopback, the dev
mailbox of a server without MAIL_URL."""

import asyncio
import dataclasses
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from config import Settings
from models.event_type import EventType
from models.privacy import MailMessage
from models.user import User
from services import availability
from tests.conftest import PASSWORD, SIGN_UP, LiveServer, free_port, start_server
from tests.smtp import SmtpServer
from web import mailbox

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id manageToken } }"""


async def _event_type() -> int:
    host = await User.create(email="host@example.com", name="Hanna Host", password_hash="x")
    days = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    await availability.set_weekly(host, "UTC", [(d, "08:00", "18:00") for d in days])
    event_type = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    return event_type.id


def _booking(type_id: int, start: datetime, email: str) -> dict[str, object]:
    fields = {"eventTypeId": str(type_id), "start": start.isoformat(), "email": email}
    return {"i": {**fields, "name": "Ivy"}}


async def _until_none_pending(deadline_seconds: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    while await MailMessage.filter(status="PENDING").exists():
        assert time.monotonic() < deadline, "mail was not sent"
        await asyncio.sleep(0.1)


def _mail_env(port: int) -> dict[str, str]:
    return {
        "MAIL_URL": f"smtp://127.0.0.1:{port}",
        "MAIL_POLL_SECONDS": "0.1",
        "MAIL_RETRY_SECONDS": "0.3",
    }


async def test_booking_succeeds_while_smtp_is_down_and_its_mail_comes_later(
    clean_db, settings, tmp_path
):
    type_id = await _event_type()
    port = free_port()
    server = start_server(settings, tmp_path, env=_mail_env(port))
    smtp = SmtpServer(port)
    try:
        started = time.monotonic()
        booked = await server.post(BOOK, _booking(type_id, MONDAY_10, "ivy@example.com"))
        assert booked.ok()["bookMeeting"]["manageToken"]
        assert time.monotonic() - started < 5  # at once, not after SMTP timeouts
        deadline = time.monotonic() + 20
        while not await MailMessage.filter(attempts__gte=1).exists():  # it tried, and failed
            assert time.monotonic() < deadline, server.log()
            await asyncio.sleep(0.1)
        assert await MailMessage.filter(status="PENDING").count() == 2
        smtp.start()  # the mail server comes back on the same port
        received = await smtp.until(2, within=30)
        assert sorted(r.rcpt_tos[0] for r in received) == ["host@example.com", "ivy@example.com"]
        token = booked.ok()["bookMeeting"]["manageToken"]
        assert f"/manage/{token}" in next(r for r in received if "ivy" in r.rcpt_tos[0]).text()
        await _until_none_pending()
        assert await MailMessage.filter(status="SENT").count() == 2
    finally:
        server.stop()
        smtp.stop()


async def test_two_workers_deliver_each_message_exactly_once(clean_db, settings, tmp_path, smtp):
    type_id = await _event_type()
    smtp.delay = 0.02  # sends overlap with the other worker's claims
    servers = [start_server(settings, tmp_path, env=_mail_env(smtp.port)) for _ in range(2)]
    try:
        starts = [MONDAY_10 + timedelta(hours=i % 8, days=i // 8) for i in range(24)]
        results = await asyncio.gather(
            *(
                servers[i % 2].post(BOOK, _booking(type_id, start, f"ivy{i}@example.com"))
                for i, start in enumerate(starts)
            )
        )
        assert all(r.ok() for r in results)
        await _until_none_pending()
        received = await smtp.until(48)
    finally:
        for server in servers:
            server.stop()
    assert len(smtp.received) == 48 == await MailMessage.filter(status="SENT").count()
    ids = [r.message["Message-ID"] for r in received]
    assert len(set(ids)) == 48
    assert sorted(r.rcpt_tos[0] for r in received if r.rcpt_tos[0] != "host@example.com") == sorted(
        f"ivy{i}@example.com" for i in range(24)
    )


async def test_the_dev_mailbox_shows_the_newest_message_to_loopback(server: LiveServer):
    variables = {"input": {"email": "new@example.com", "password": PASSWORD, "name": "New"}}
    (await server.post(SIGN_UP, variables)).ok()
    async with httpx.AsyncClient(timeout=30) as client:
        listed = (await client.get(f"{server.url}/dev/mailbox?format=json")).json()
        page = await client.get(f"{server.url}/dev/mailbox")
    assert listed[0]["to"] == "new@example.com"
    assert listed[0]["subject"] == "Confirm your e-mail address"
    assert "code: bnm_v_" in listed[0]["text"]
    assert page.status_code == 200 and "Confirm your e-mail address" in page.text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.1", False),
        ("192.168.1.2", False),
        ("203.0.113.5", False),
        ("::ffff:203.0.113.5", False),
        ("2001:db8::1", False),
        ("localhost", False),  # a name is not an address the peer came from
        ("testclient", False),
        ("", False),
        (None, False),
    ],
)
def test_the_mailbox_address_check(host: str | None, loopback: bool) -> None:
    assert mailbox.is_loopback(host) is loopback


async def _get(settings: Settings, client_host: str) -> httpx.Response:
    app = Starlette(routes=[Route("/dev/mailbox", mailbox.dev_mailbox)])
    app.state.settings = settings
    transport = httpx.ASGITransport(app=app, client=(client_host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://booknmeet") as client:
        return await client.get("/dev/mailbox?format=json")


async def test_the_mailbox_refuses_other_clients_and_is_gone_with_a_mail_server(clean_db, settings):
    await MailMessage.create(to="a@example.com", subject="secret code", body="code: x")
    assert (await _get(settings, "203.0.113.5")).status_code == 403
    assert (await _get(settings, "127.0.0.1")).json()[0]["subject"] == "secret code"
    with_mail = dataclasses.replace(settings, mail_url="smtp://127.0.0.1:25")
    assert (await _get(with_mail, "127.0.0.1")).status_code == 404
