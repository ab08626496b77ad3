"""The transparency register: the seed's facts until a version takes effect; a version published
at least seven days ahead (refused inside, accepted at seven), announced to every user, shown as
upcoming until its day; wrong content refused, changing nothing."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain import register as domain
from domain.errors import BadUserInput
from domain.regulators import ICO, OMBUDSMAN
from models.notification import Notification
from models.register import RegisterVersion
from models.user import User
from services import register

NOW = datetime(2032, 1, 10, 9, 0, tzinfo=UTC)
MAILER = domain.Processor("Mailer Ltd", "Sending e-mail", "United Kingdom")
CHANGED = replace(domain.DEFAULT, processors=(*domain.DEFAULT.processors, MAILER))


async def test_the_seed_register_applies_until_a_version_takes_effect(clean_db):
    shown = await register.current(NOW)
    assert shown.effective_at is None
    assert [p.name for p in shown.register.processors] == ["DigitalOcean"]
    assert "hosting" in shown.register.processors[0].purpose.lower()
    assert shown.register.storage_locations == (
        "Primarily the United States",
        "Occasionally other countries",
    )
    assert shown.register.regulators == (ICO, OMBUDSMAN)
    assert (ICO.breach_report_hours, OMBUDSMAN.breach_report_hours) == (72, 120)
    assert shown.register.transfers and shown.register.transfers[0].safeguard
    assert await register.upcoming(NOW) is None


async def test_a_change_needs_seven_days_notice_exactly_and_reaches_every_user(clean_db):
    admin = await User.create(email="a@example.com", name="A", password_hash="x", role="admin")
    await User.create(email="b@example.com", name="B", password_hash="x")
    with pytest.raises(BadUserInput) as early:
        await register.publish(admin, CHANGED, NOW + timedelta(days=7, seconds=-1), NOW)
    assert early.value.field == "effectiveAt"
    assert await RegisterVersion.all().count() == 0
    assert await Notification.all().count() == 0

    await register.publish(admin, CHANGED, NOW + timedelta(days=7), NOW)
    assert await Notification.filter(kind="REGISTER_UPDATE").count() == 2
    assert [p.name for p in (await register.current(NOW)).register.processors] == ["DigitalOcean"]
    upcoming = await register.upcoming(NOW)
    assert upcoming is not None and upcoming.register.processors[-1] == MAILER
    later = await register.current(NOW + timedelta(days=7))
    assert later.register == CHANGED and later.effective_at == NOW + timedelta(days=7)
    assert await register.upcoming(NOW + timedelta(days=7)) is None


@pytest.mark.parametrize(
    ("wrong", "field"),
    [
        (replace(CHANGED, storage_locations=()), "storageLocations"),
        (replace(CHANGED, regulators=()), "regulators"),
        (replace(CHANGED, regulators=(ICO, replace(OMBUDSMAN, key="ico"))), "regulators"),
        (replace(CHANGED, regulators=(replace(ICO, breach_report_hours=0),)),
         "regulators.breachReportHours"),
        (replace(CHANGED, processors=(replace(MAILER, name=" "),)), "processors.name"),
        (replace(CHANGED, storage_locations=("x" * 201,)), "storageLocations"),
    ],
)  # fmt: skip
async def test_wrong_content_is_refused_and_changes_nothing(clean_db, wrong, field):
    admin = await User.create(email="a@example.com", name="A", password_hash="x", role="admin")
    with pytest.raises(BadUserInput) as refused:
        await register.publish(admin, wrong, NOW + timedelta(days=8), NOW)
    assert refused.value.field == field
    assert await RegisterVersion.all().count() == 0
    assert await Notification.all().count() == 0
