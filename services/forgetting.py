"""Erasures applied again from the ledger (services/erasure_ledger.py): after a restore, and at
start-up, every row that an erasure of the ledger covered is erased again, through the same code
as the first time, before the server serves.

An entry reaches only rows written before its erasure: the account it names (its id and creation
time), or the rows under an address created no later than `erased_at`. So applying the whole ledger
again is safe at any time: a person who came back after their erasure keeps what is new.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

import db
from models.booking import Booking
from models.privacy import MailMessage, PrivacyRequest
from models.user import User
from services import erasure_ledger, personal_data
from services.erasure_ledger import ACCOUNT, ADDRESS, CLIENT


@dataclass(frozen=True, slots=True)
class Reapplied:
    accounts: int = 0
    addresses: int = 0
    clients: int = 0

    @property
    def total(self) -> int:
        return self.accounts + self.addresses + self.clients


def _latest(found: list[erasure_ledger.Entry]) -> dict[str, dict[str, datetime]]:
    by_kind: dict[str, dict[str, datetime]] = defaultdict(dict)
    for entry in found:
        held = by_kind[entry.kind].get(entry.digest)
        if held is None or entry.erased_at > held:
            by_kind[entry.kind][entry.digest] = entry.erased_at
    return by_kind


async def reapply() -> Reapplied:
    """Erases again whatever the ledger says was erased and is here (restored); the counts."""
    ledger = _latest(await erasure_ledger.entries())
    if not ledger:
        return Reapplied()
    with erasure_ledger.replaying():
        accounts = await _accounts(ledger[ACCOUNT])
        addresses = await _addresses(ledger[ADDRESS])
        clients = await _clients(ledger[CLIENT])
    if accounts or addresses or clients:
        await db.checkpoint_wal()
        await db.vacuum()
    return Reapplied(accounts, addresses, clients)


async def _accounts(erased: dict[str, datetime]) -> int:
    if not erased:
        return 0
    count = 0
    for user_id, created_at in await User.all().values_list("id", "created_at"):
        if erasure_ledger.account_digest(user_id, created_at) in erased:
            user = await User.get_or_none(id=user_id)
            if user is not None:
                await personal_data.erase(user)
                count += 1
    return count


async def _stored_addresses() -> set[str]:
    found: set[str] = set()
    found.update(await Booking.all().distinct().values_list("attendee_email", flat=True))
    found.update(await MailMessage.all().distinct().values_list("to", flat=True))
    found.update(
        await PrivacyRequest.filter(email__isnull=False).distinct().values_list("email", flat=True)
    )
    found.discard(personal_data.ERASED)
    return found


async def _addresses(erased: dict[str, datetime]) -> int:
    """As services/personal_data.erase_invitee, for the rows written before the erasure."""
    if not erased:
        return 0
    count = 0
    for email in await _stored_addresses():
        until = erased.get(erasure_ledger.address_digest(email))
        if until is None:
            continue
        async with in_transaction():
            changed = await personal_data.anonymise(
                Booking, Booking.filter(attendee_email=email, created_at__lte=until)
            )
            changed += await MailMessage.filter(to=email, created_at__lte=until).delete()
            changed += await personal_data.anonymise(
                PrivacyRequest, PrivacyRequest.filter(email=email, created_at__lte=until)
            )
        count += changed > 0  # a person who came back after the erasure keeps what is new
    return count


async def _clients(erased: dict[str, datetime]) -> int:
    """As services/personal_data.erase_client, for the bookings made before the erasure."""
    if not erased:
        return 0
    hosts = dict(await User.all().values_list("id", "created_at"))
    pairs = await Booking.all().distinct().values_list("host_id", "attendee_email")
    count = 0
    for host_id, email in pairs:
        if host_id not in hosts or email == personal_data.ERASED:
            continue
        until = erased.get(erasure_ledger.client_digest(host_id, hosts[host_id], email))
        if until is None:
            continue
        async with in_transaction():
            changed = await personal_data.anonymise(
                Booking,
                Booking.filter(host_id=host_id, attendee_email=email, created_at__lte=until),
            )
        count += changed > 0
    return count
