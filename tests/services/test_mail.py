"""E-mail through a real SMTP server on loopback (tests/smtp.py): what each change sends, the
iTIP parts calendar clients apply, header safety, retries, exactly-once claims, TLS."""

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from config import Settings
from domain.errors import Conflict
from models.booking import Booking
from models.event_type import EventType
from models.privacy import MailMessage
from models.user import User
from services import availability, bookings, reminders
from services.clock import utcnow
from services.mail import delivery
from services.mail.retention import BODY_RETENTION
from services.mail.retention import purge as purge_mail
from tests.certificates import self_signed
from tests.conftest import PASSWORD, free_port, mail_settings
from tests.smtp import Received, SmtpServer, server_context

MONDAY_10 = datetime(2030, 1, 7, 10, tzinfo=UTC)
TUESDAY_15 = datetime(2030, 1, 8, 15, tzinfo=UTC)


async def _host(confirm: bool = False) -> tuple[User, EventType]:
    host = await User.create(email="host@example.com", name="Hanna Host", password_hash="x")
    days = ("MONDAY", "TUESDAY", "WEDNESDAY")
    await availability.set_weekly(host, "Asia/Tokyo", [(d, "00:00", "23:59") for d in days])
    event_type = await EventType.create(
        host=host,
        title="Intro call",
        slug="intro",
        duration_minutes=30,
        requires_confirmation=confirm,
        location="Room 4",
    )
    return host, await EventType.get(id=event_type.id).select_related("host")


def _request(event_type: EventType, start: datetime = MONDAY_10, **changes: object):
    fields = {"name": "Ivy Invitee", "email": "ivy@example.com", "time_zone": "America/New_York"}
    fields.update(changes)
    return bookings.BookingRequest(event_type.id, start, **fields)  # type: ignore[arg-type]


async def _deliver(settings: Settings, smtp: SmtpServer, expected: int) -> list[Received]:
    sent = await delivery.deliver_due(mail_settings(settings, smtp.port))
    assert sent == expected
    return await smtp.until(expected)


def _event(received: Received) -> tuple[str, object]:
    part = received.part("text/calendar")
    assert part is not None, received.raw
    calendar = Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


async def test_created_confirmed_moved_cancelled_reach_both_with_one_uid_and_rising_sequence(
    clean_db, settings, smtp
):
    host, event_type = await _host(confirm=True)
    booked = await bookings.book(_request(event_type))
    created = await _deliver(settings, smtp, 2)
    invitee, host_mail = smtp.to("ivy@example.com")[0], smtp.to("host@example.com")[0]
    # Invitee: the title, their zone (10:00 UTC is 05:00 in New York), the manage link.
    assert "Intro call" in invitee.message["Subject"]
    assert invitee.message["To"] == "Ivy Invitee <ivy@example.com>"
    text = invitee.text()
    assert "Monday 7 January 2030, 05:00 to 05:30 (America/New_York)" in text
    assert f"http://127.0.0.1:8000/manage/{booked.manage_token}" in text
    assert invitee.message["Auto-Submitted"] == "auto-generated"
    assert invitee.message["Message-ID"] and invitee.message["Date"]
    assert invitee.part("text/calendar").get_param("method") == "REQUEST"
    assert invitee.part("text/calendar").get_content_charset() == "utf-8"
    method, event = _event(invitee)
    uid = str(event["UID"])
    assert method == "REQUEST" and str(event["STATUS"]) == "TENTATIVE"
    assert event.decoded("DTSTART") == MONDAY_10
    assert "mailto:ivy@example.com" in str(event["ATTENDEE"])
    assert str(event["ORGANIZER"].params["CN"]) == "Hanna Host"
    assert "host@example.com" not in str(event["ORGANIZER"])  # the platform's address
    # Host: the host's zone (19:00 in Tokyo), who booked.
    assert "Monday 7 January 2030, 19:00 to 19:30 (Asia/Tokyo)" in host_mail.text()
    assert "Ivy Invitee <ivy@example.com>" in host_mail.text()
    assert host_mail.part("text/calendar") is None
    assert len(created) == 2

    sequences = [int(event["SEQUENCE"])]
    booking = await bookings.managed(booked.booking.id, host, None)
    await bookings.confirm(booking)
    await _deliver(settings, smtp, 2)
    confirmed = smtp.to("ivy@example.com")[-1]
    method, event = _event(confirmed)
    assert (method, str(event["STATUS"]), str(event["UID"])) == ("REQUEST", "CONFIRMED", uid)
    assert "Confirmed: Intro call" in confirmed.message["Subject"]
    assert booked.manage_token in confirmed.text()  # kept encrypted for later mail
    sequences.append(int(event["SEQUENCE"]))

    booking = await bookings.managed(booked.booking.id, host, None)
    await bookings.reschedule(booking, TUESDAY_15, "a clash")
    await _deliver(settings, smtp, 2)
    moved = smtp.to("ivy@example.com")[-1]
    method, event = _event(moved)
    assert (method, str(event["UID"])) == ("REQUEST", uid)
    assert event.decoded("DTSTART") == TUESDAY_15
    assert "Tuesday 8 January 2030, 10:00 to 10:30 (America/New_York)" in moved.text()
    assert "a clash" in moved.text()
    assert "Wednesday 9 January 2030, 00:00 to 00:30 (Asia/Tokyo)" in (
        smtp.to("host@example.com")[-1].text()
    )
    sequences.append(int(event["SEQUENCE"]))

    booking = await bookings.managed(booked.booking.id, host, None)
    await bookings.cancel(booking, None)
    await _deliver(settings, smtp, 2)
    cancelled = smtp.to("ivy@example.com")[-1]
    method, event = _event(cancelled)
    assert (method, str(event["STATUS"]), str(event["UID"])) == ("CANCEL", "CANCELLED", uid)
    assert cancelled.part("text/calendar").get_param("method") == "CANCEL"
    assert "cancelled: Intro call" in smtp.to("host@example.com")[-1].message["Subject"]
    sequences.append(int(event["SEQUENCE"]))
    assert sequences == sorted(set(sequences)) and len(sequences) == 4  # strictly rising
    assert uid == (await Booking.get(id=booked.booking.id)).calendar_uid()
    assert all(r.rcpt_tos in (["ivy@example.com"], ["host@example.com"]) for r in smtp.received)


async def test_reminders_reach_the_invitee_and_the_host(clean_db, settings, smtp):
    _, event_type = await _host()
    await EventType.filter(id=event_type.id).update(reminder_offsets_minutes=[60])
    event_type = await EventType.get(id=event_type.id).select_related("host")
    booked = await bookings.book(_request(event_type))
    await MailMessage.all().update(status="SENT")  # the booking's own mail is not the point
    assert await reminders.fire_due(now=MONDAY_10 - timedelta(minutes=59)) == 1
    await _deliver(settings, smtp, 2)
    invitee = smtp.to("ivy@example.com")[0]
    assert invitee.message["Subject"] == "Reminder: Intro call in 1 hour with Hanna Host"
    assert "05:00 to 05:30 (America/New_York)" in invitee.text()
    assert f"/manage/{booked.manage_token}" in invitee.text()
    assert "19:00 to 19:30 (Asia/Tokyo)" in smtp.to("host@example.com")[0].text()


async def test_a_video_meeting_s_own_link_reaches_the_invitee_and_their_calendar(
    clean_db, settings, smtp
):
    _, event_type = await _host()
    await EventType.filter(id=event_type.id).update(location_kind="VIDEO", location=None)
    template = "https://video.example/room-{token}"
    booked = await bookings.book(_request(event_type), video_link_template=template)
    link = booked.booking.location
    assert link and link.startswith("https://video.example/room-")
    await _deliver(settings, smtp, 2)
    invitation = smtp.to("ivy@example.com")[-1]
    assert link in invitation.text()
    assert str(_event(invitation)[1]["LOCATION"]) == link


async def test_a_conflicting_booking_sends_nothing(clean_db, settings, smtp):
    _, event_type = await _host()
    await bookings.book(_request(event_type))
    with pytest.raises(Conflict):
        await bookings.book(_request(event_type, email="eve@example.com"))
    await _deliver(settings, smtp, 2)
    assert not smtp.to("eve@example.com")
    assert await MailMessage.filter(to="eve@example.com").count() == 0


async def test_a_name_cannot_add_a_header_a_recipient_or_html(clean_db, settings, smtp):
    _, event_type = await _host()
    name = 'Eve\r\nBcc: mallory@evil.example\r\nX-Evil: 1\n<script>alert("x")</script>'
    await bookings.book(_request(event_type, name=name, email="eve@example.com"))
    await _deliver(settings, smtp, 2)
    for received in smtp.received:
        assert received.rcpt_tos in (["eve@example.com"], ["host@example.com"])
        headers = {key.lower() for key in received.message}
        assert "bcc" not in headers and "x-evil" not in headers
        head = received.raw.split(b"\r\n\r\n", 1)[0]
        assert b"\nBcc:" not in head and b"\nX-Evil:" not in head  # only inside a value
        assert all("\n" not in str(value) for value in received.message.values())
    invitee = smtp.to("eve@example.com")[0]
    html = invitee.html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\n" not in str(invitee.message["To"])
    _, event = _event(invitee)
    assert "\n" not in str(event["ATTENDEE"].params["CN"])
    host_html = smtp.to("host@example.com")[0].html()
    assert "<script>" not in host_html and "&lt;script&gt;" in host_html


def test_the_standard_library_refuses_a_line_break_in_a_header_itself():
    from email import policy
    from email.headerregistry import Address
    from email.message import EmailMessage

    message = EmailMessage(policy=policy.SMTP)
    with pytest.raises(ValueError):
        message["To"] = Address("Eve\r\nBcc: x@evil.example", addr_spec="eve@example.com")
    with pytest.raises(ValueError):
        message["Subject"] = "Hi\r\nBcc: x@evil.example"


async def test_4xx_is_retried_with_backoff_and_5xx_is_final(clean_db, settings, smtp):
    _, event_type = await _host()
    await bookings.book(_request(event_type))
    smtp.refuse[:] = ["450 mailbox busy", "550 no such user"]
    assert await delivery.deliver_due(mail_settings(settings, smtp.port, mail_connections=1)) == 0
    rows = {m.to: m for m in await MailMessage.all()}
    busy, gone = rows["ivy@example.com"], rows["host@example.com"]
    assert (busy.status, busy.attempts) == ("PENDING", 1) and "450" in busy.last_error
    assert busy.next_attempt_at > utcnow()
    assert (gone.status, gone.attempts) == ("FAILED", 1) and "550" in gone.last_error
    # Not before its time; then delivered.
    assert await delivery.deliver_due(mail_settings(settings, smtp.port)) == 0
    later = busy.next_attempt_at + timedelta(seconds=1)
    assert await delivery.deliver_due(mail_settings(settings, smtp.port), now=later) == 1
    assert [r.rcpt_tos for r in await smtp.until(1)] == [["ivy@example.com"]]
    assert (await MailMessage.get(id=busy.id)).status == "SENT"


async def test_an_unreachable_server_is_retried_then_given_up(clean_db, settings):
    _, event_type = await _host()
    await bookings.book(_request(event_type))
    down = mail_settings(settings, free_port(), mail_give_up_hours=1.0)
    now = utcnow()
    assert await delivery.deliver_due(down, now=now) == 0
    rows = await MailMessage.all()
    assert {(m.status, m.attempts) for m in rows} == {("PENDING", 1)}
    assert all("Connect" in m.last_error or "refused" in m.last_error for m in rows)
    # Backoff doubles (within the jitter), until the give-up time has passed.
    assert 0.8 * 0.2 <= delivery.retry_delay(down, 1) <= 1.2 * 0.2
    assert 0.8 * 0.8 <= delivery.retry_delay(down, 3) <= 1.2 * 0.8
    await MailMessage.all().update(created_at=now - timedelta(hours=1), next_attempt_at=now)
    assert await delivery.deliver_due(down) == 0
    rows = await MailMessage.all()
    assert {m.status for m in rows} == {"FAILED"}
    assert all(m.last_error.startswith("gave up after 2 attempts") for m in rows)


async def test_concurrent_workers_claim_each_message_once(clean_db, settings, smtp):
    _, event_type = await _host()
    for day in range(5):
        start = MONDAY_10 + timedelta(days=7 * day)
        await bookings.book(_request(event_type, start, email=f"ivy{day}@example.com"))
    target = mail_settings(settings, smtp.port)
    counts = await asyncio.gather(*(delivery.deliver_due(target) for _ in range(4)))
    assert sum(counts) == 10
    received = await smtp.until(10)
    ids = [r.message["Message-ID"] for r in received]
    assert len(ids) == len(set(ids)) == 10
    assert await MailMessage.filter(status="SENT").count() == 10


async def test_starttls_with_a_self_signed_certificate_and_a_login(
    clean_db, settings, tmp_path, monkeypatch
):
    cert, key = self_signed(tmp_path)
    smtp = SmtpServer(free_port(), server_context(cert, key), credentials=("mailer", "p@ss w"))
    smtp.start()
    try:
        _, event_type = await _host()
        await bookings.book(_request(event_type))
        url = f"smtp://mailer:p%40ss%20w@127.0.0.1:{smtp.port}"
        tls = mail_settings(settings, smtp.port, mail_url=url)
        # Not trusted yet: the certificate is refused, nothing goes in the clear.
        assert await delivery.deliver_due(tls) == 0
        assert {m.status for m in await MailMessage.all()} == {"PENDING"}
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # what an operator's trust store does
        await MailMessage.all().update(next_attempt_at=utcnow())
        assert await delivery.deliver_due(tls) == 2
        assert len(await smtp.until(2)) == 2
        wrong = mail_settings(
            settings, smtp.port, mail_url=f"smtp://mailer:nope@127.0.0.1:{smtp.port}"
        )
        await bookings.book(_request(event_type, MONDAY_10 + timedelta(hours=1)))
        assert await delivery.deliver_due(wrong) == 0
        assert await MailMessage.filter(status="PENDING").count() == 2  # retried, not lost
    finally:
        smtp.stop()


def test_mail_urls_are_parsed():
    plain = delivery.parse_mail_url("smtp://mail.example:2525")
    assert (plain.host, plain.port, plain.implicit_tls, plain.username) == (
        "mail.example",
        2525,
        False,
        None,
    )
    tls = delivery.parse_mail_url("smtps://u%40x:p%3Aw@mail.example")
    assert (tls.port, tls.implicit_tls, tls.username, tls.password) == (465, True, "u@x", "p:w")
    with pytest.raises(ValueError):
        delivery.parse_mail_url("http://mail.example")


async def test_sent_bodies_are_emptied_after_a_week_and_metadata_goes_with_notifications(
    clean_db, settings, smtp
):
    _, event_type = await _host()
    await bookings.book(_request(event_type))
    await _deliver(settings, smtp, 2)
    await bookings.book(_request(event_type, MONDAY_10 + timedelta(hours=1)))  # unsent: kept
    later = utcnow() + BODY_RETENTION + timedelta(minutes=1)
    assert (await purge_mail(later))["emptied"] == 2
    sent = await MailMessage.filter(status="SENT")
    assert len(sent) == 2 and all((m.body, m.html, m.calendar) == ("", None, None) for m in sent)
    assert all(m.subject and m.to for m in sent)  # metadata stays
    assert all(m.body for m in await MailMessage.filter(status="PENDING"))
    much_later = utcnow() + timedelta(days=400)
    assert (await purge_mail(much_later))["deleted"] == 2
    assert await MailMessage.filter(status="PENDING").count() == 2


async def test_verification_codes_are_mailed(clean_db, settings, smtp, gql):
    from tests.conftest import SIGN_UP

    variables = {"input": {"email": "new@example.com", "password": PASSWORD, "name": "New"}}
    (await gql(SIGN_UP, variables)).ok()
    (received,) = await _deliver(settings, smtp, 1)
    assert re.search(r"code: bnm_v_\S+", received.text())
    assert received.message["Subject"] == "Confirm your e-mail address"


async def test_my_data_lists_the_mail_sent_to_me_and_erasure_removes_it_sent_or_not(
    clean_db, settings, smtp, gql, sign_up
):
    from tests.conftest import PASSWORD

    token, user = await sign_up(email="host@example.com", name="Hanna Host")
    host = await User.get(id=int(user["id"]))
    days = ("MONDAY", "TUESDAY")
    await availability.set_weekly(host, "UTC", [(d, "08:00", "18:00") for d in days])
    event_type = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    await bookings.book(_request(event_type))
    await delivery.deliver_due(mail_settings(settings, smtp.port))  # the code and these: sent
    await bookings.book(_request(event_type, MONDAY_10 + timedelta(hours=1)))  # not sent yet
    mine = (await gql("{ myData }", token=token)).ok()["myData"]["data"]["mail"]
    subjects = sorted(m["subject"] for m in mine)
    assert subjects == [
        "Confirm your e-mail address",
        "New booking: Intro with Ivy Invitee",
        "New booking: Intro with Ivy Invitee",
    ]
    assert {m["status"] for m in mine} == {"SENT", "PENDING"}
    assert all("ivy@example.com" not in m["to"] for m in mine)  # only what was sent to me
    assert (await gql("mutation($p: String!) { deleteAccount(password: $p) }", {"p": PASSWORD},
                      token=token)).ok()  # fmt: skip
    assert not await MailMessage.filter(to="host@example.com").exists()


def test_a_wrong_mail_url_stops_the_server_from_starting(settings):
    import dataclasses

    from server import create_app

    with pytest.raises(ValueError, match="MAIL_URL"):
        create_app(dataclasses.replace(settings, mail_url="http://mail.example"))
