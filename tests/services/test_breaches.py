"""services/breaches.py: a HIGH-risk breach's notice reaches an affected invitee without an
account by e-mail, through a real SMTP server, with the Art. 34 content and nothing injected; the
addresses are blanked after their retention while the count of people stays."""

from datetime import UTC, datetime, timedelta

from domain.regulators import OMBUDSMAN
from models.booking import Booking
from models.governance import Breach, BreachContact, BreachFiling
from models.user import User
from services import breaches, personal_data, retention
from services.mail import delivery
from tests.conftest import mail_settings

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)
REPORT = breaches.Report(
    data_categories=["contact"],
    likely_consequences="Someone may write to you <pretending> to be us.",
    measures="We closed the <script>hole</script>.",
)


async def _admin() -> User:
    return await User.create(
        email="staff@example.com", name="Staff", password_hash="x", role="admin"
    )


async def test_a_high_risk_notice_reaches_an_invitee_without_an_account_by_e_mail(
    clean_db, settings, smtp
):
    admin = await _admin()
    account = await User.create(email="ada@example.com", name="Ada", password_hash="x")
    await breaches.record(
        admin,
        "A list of bookings was sent to the wrong host.",
        NOW - timedelta(hours=1),
        [account.id],
        "HIGH",
        now=NOW,
        affected_emails=["ivy@example.com"],
        report=REPORT,
    )
    assert not await User.filter(email="ivy@example.com").exists()  # no account: e-mail only

    sent = await delivery.deliver_due(mail_settings(settings, smtp.port))
    assert sent == 2
    received = await smtp.until(2)
    assert sorted(r.rcpt_tos[0] for r in received) == ["ada@example.com", "ivy@example.com"]
    [ivy] = smtp.to("ivy@example.com")
    assert "security incident" in ivy.message["Subject"]
    text = ivy.text()
    assert "A list of bookings was sent to the wrong host." in text
    assert "<pretending>" in text  # plain text stays as written
    assert "We closed the <script>hole</script>." in text
    assert settings.contact_email in text
    html = ivy.html()
    assert "<script>" not in html and "&lt;script&gt;hole&lt;/script&gt;" in html
    [contact] = await BreachContact.all()
    assert (contact.email, contact.notified_at) == ("ivy@example.com", NOW)


async def test_a_low_risk_breach_mails_nobody(clean_db, settings, smtp):
    admin = await _admin()
    await breaches.record(
        admin, "Lost laptop", NOW, [], "LOW", now=NOW, affected_emails=["ivy@example.com"]
    )
    assert await delivery.deliver_due(mail_settings(settings, smtp.port)) == 0
    assert smtp.received == []


async def test_the_deadline_comes_from_the_regulator(clean_db):
    admin = await _admin()
    breach = await breaches.record(
        admin, "Lost laptop", NOW, [], "LOW", now=NOW, regulators=["OMBUDSMAN"]
    )
    [filing] = await BreachFiling.filter(breach_id=breach.id)
    assert filing.regulator == "OMBUDSMAN"
    assert filing.due_at == NOW + timedelta(hours=OMBUDSMAN.breach_report_hours)
    assert breach.report_due_at == filing.due_at


async def test_the_addresses_are_blanked_after_their_retention_and_the_count_stays(clean_db):
    admin = await _admin()
    old = await breaches.record(
        admin, "Old", NOW - timedelta(days=200), [], "HIGH", now=NOW,
        affected_emails=["ivy@example.com", "eve@example.com"],
    )  # fmt: skip
    recent = await breaches.record(
        admin, "Recent", NOW - timedelta(days=10), [], "HIGH", now=NOW,
        affected_emails=["ivy@example.com"],
    )  # fmt: skip
    run = await retention.purge(now=NOW)
    assert run is not None and run.counts["breachAddresses"] == 2
    assert await BreachContact.filter(breach_id=old.id, email=None).count() == 2
    assert await BreachContact.filter(breach_id=recent.id).values_list("email", flat=True) == [
        "ivy@example.com"
    ]
    assert (await breaches.affected_counts([old.id]))[old.id] == 2
    assert await breaches.forget_addresses(NOW) == 0  # nothing left to blank


async def test_an_invitee_s_erasure_blanks_their_breach_notices(clean_db):
    admin = await _admin()
    breach = await breaches.record(
        admin, "Lost laptop", NOW, [], "HIGH", now=NOW, affected_emails=["ivy@example.com"]
    )
    await personal_data.erase_invitee("ivy@example.com", request_id=0)
    [contact] = await BreachContact.filter(breach_id=breach.id)
    assert contact.email is None  # the row stays: the breach still counts them
    assert await Breach.filter(id=breach.id).exists()
    assert not await Booking.filter(attendee_email="ivy@example.com").exists()
