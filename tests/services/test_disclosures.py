"""services/disclosures.py: records are kept for the disclosure category's retention (2190 days
from the disclosure) and deleted by the hourly purge after it; a hold cannot end before it
starts."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import BadUserInput
from models.governance import Disclosure
from models.user import User
from services import disclosures, retention

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)


def entry(disclosed_at: datetime, **changes) -> disclosures.Record:
    values = {"reason": "ENFORCEMENT", "recipient": "Police", "legal_basis": "Order 1",
              "data": "Contact details", "disclosed_at": disclosed_at,
              "email": "ivy@example.com"}  # fmt: skip
    return disclosures.Record(**{**values, **changes})


async def test_records_past_their_retention_are_purged(clean_db):
    admin = await User.create(email="staff@example.com", name="S", password_hash="x", role="admin")
    old = await disclosures.record(admin, entry(NOW - timedelta(days=2191)), "Order")
    kept = await disclosures.record(admin, entry(NOW - timedelta(days=2189)), "Order")
    assert timedelta(days=2190) == disclosures.RETENTION
    run = await retention.purge(now=NOW)
    assert run is not None and run.counts["disclosure"] == 1
    assert await Disclosure.filter(id=old.id).count() == 0
    assert await Disclosure.filter(id=kept.id).count() == 1


async def test_a_hold_ends_after_the_disclosure(clean_db):
    admin = await User.create(email="staff@example.com", name="S", password_hash="x", role="admin")
    at = datetime.now(UTC) - timedelta(days=1)
    for hold in (at, at - timedelta(seconds=1)):
        with pytest.raises(BadUserInput):
            await disclosures.record(admin, entry(at, hold_until=hold), "Order")
    assert await Disclosure.all().count() == 0
