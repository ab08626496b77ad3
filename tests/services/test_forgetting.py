"""Erasures applied again from the ledger reach exactly what the first erasure reached: the
erased account (not a new one under the same address), and rows under an erased address or a
host's erased client written before the erasure (not what a person who came back wrote since).
The ledger holds keyed hashes only, and applying it twice changes nothing more."""

import json
from datetime import UTC, datetime, timedelta

from config import Settings
from models.booking import Booking
from models.erasure import ErasureEntry
from models.event_type import EventType
from models.user import User
from services import crypto, erasure_ledger, forgetting
from services.clock import utcnow
from services.personal_data import ERASED

START = datetime(2032, 3, 1, 9, 0, tzinfo=UTC)


async def book(host: User, event_type: EventType, email: str, name: str, hour: int) -> Booking:
    start = START + timedelta(hours=hour)
    end = start + timedelta(minutes=30)
    return await Booking.create(
        event_type=event_type, host=host, start=start, end=end, busy_start=start, busy_end=end,
        attendee_name=name, attendee_email=email, notes=f"notes of {name}",
    )  # fmt: skip


async def test_an_address_erased_again_spares_what_came_after_the_erasure(clean_db):
    host = await User.create(email="host@example.com", name="Hana", password_hash="x")
    intro = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    before = await book(host, intro, "ivy@example.com", "Ivy Before", 0)
    dora = await book(host, intro, "dora@example.com", "Dora", 1)
    await erasure_ledger.record_address(" IVY@example.com", utcnow())
    came_back = await book(host, intro, "ivy@example.com", "Ivy Again", 2)

    assert await forgetting.reapply() == forgetting.Reapplied(addresses=1)
    erased = await Booking.get(id=before.id)
    assert (erased.attendee_name, erased.attendee_email, erased.notes) == (ERASED, ERASED, None)
    assert (await Booking.get(id=came_back.id)).attendee_name == "Ivy Again"
    assert (await Booking.get(id=dora.id)).attendee_name == "Dora"
    assert await forgetting.reapply() == forgetting.Reapplied()


async def test_an_erased_account_is_erased_again_but_not_a_new_one_at_its_address(clean_db):
    carl = await User.create(email="carl@example.com", name="Carl", password_hash="x")
    await erasure_ledger.record_account(carl)  # unverified: no address entry
    assert [e.kind for e in await erasure_ledger.entries()] == ["ACCOUNT"]

    assert await forgetting.reapply() == forgetting.Reapplied(accounts=1)
    assert not await User.filter(email="carl@example.com").exists()
    again = await User.create(email="carl@example.com", name="Carl", password_hash="x")
    assert await forgetting.reapply() == forgetting.Reapplied()
    assert await User.filter(id=again.id).exists()


async def test_a_hosts_erased_client_is_erased_again_with_that_host_only(clean_db):
    host = await User.create(email="host@example.com", name="Hana", password_hash="x")
    other = await User.create(email="other@example.com", name="Olga", password_hash="x")
    intro = await EventType.create(host=host, title="Intro", slug="intro", duration_minutes=30)
    theirs = await EventType.create(host=other, title="Chat", slug="chat", duration_minutes=30)
    with_host = await book(host, intro, "cleo@example.com", "Cleo", 0)
    with_other = await book(other, theirs, "cleo@example.com", "Cleo", 0)
    await erasure_ledger.record_client(host, "cleo@example.com")

    assert await forgetting.reapply() == forgetting.Reapplied(clients=1)
    assert (await Booking.get(id=with_host.id)).attendee_email == ERASED
    assert (await Booking.get(id=with_other.id)).attendee_email == "cleo@example.com"


async def test_the_ledger_holds_keyed_hashes_and_no_identifier(clean_db):
    carl = await User.create(
        email="carl@example.com", name="Carl", password_hash="x", email_verified_at=utcnow()
    )
    await erasure_ledger.record_account(carl)
    await erasure_ledger.record_address("ivy@example.com")
    stored = json.dumps(list(await ErasureEntry.all().values()), default=str)
    for clear in ("carl", "Carl", "ivy", "example.com", carl.created_at.isoformat()[:19]):
        assert clear not in stored
    kinds = sorted(e.kind for e in await erasure_ledger.entries())
    assert kinds == ["ACCOUNT", "ADDRESS", "ADDRESS"]  # verified: their address too
    one, two = (Settings(encryption_key=crypto.Fernet.generate_key().decode()) for _ in "12")
    assert crypto.derived_key(one, b"x") != crypto.derived_key(two, b"x")
    assert crypto.derived_key(one, b"x") != crypto.derived_key(one, b"y")
    assert erasure_ledger.address_digest("Ivy@Example.com ") == erasure_ledger.address_digest(
        "ivy@example.com"
    )
