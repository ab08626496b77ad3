"""The erasure ledger: every erasure leaves an entry of keyed hashes (HMAC-SHA256, with a key
derived from the app's key) of the identifiers it erased, never the identifiers themselves. A
restored snapshot is checked against it (services/forgetting.py), so an erased person never comes
back from a backup.

Kinds, and what each digest covers:
- ACCOUNT: the account's id and creation time (an id alone may be reused after a restore);
- ADDRESS: an e-mail address, lower-cased (an invitee's erasure, or a verified account's address);
- CLIENT: a host's account and a client's address (a host erased that client's data).
"""

import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from config import Settings
from models.erasure import ErasureEntry
from models.user import User
from services import crypto
from services.clock import utcnow
from services.mail import runtime

ACCOUNT, ADDRESS, CLIENT = "ACCOUNT", "ADDRESS", "CLIENT"
KINDS = (ACCOUNT, ADDRESS, CLIENT)
PURPOSE = b"booknmeet erasure ledger v1"

_replaying: ContextVar[bool] = ContextVar("erasure_replaying", default=False)


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str
    digest: str
    erased_at: datetime


_derived: tuple[Settings, bytes] | None = None


def _key() -> bytes:
    # The settings the database was started with (db.start_database), for the app's key; kept
    # while they are the same object (a restore hashes every account and address it holds).
    global _derived
    settings = runtime.settings() or Settings()
    if _derived is None or _derived[0] is not settings:
        _derived = (settings, crypto.derived_key(settings, PURPOSE))
    return _derived[1]


def digest(kind: str, *parts: str) -> str:
    return hmac.digest(_key(), "\x1f".join((kind, *parts)).encode(), "sha256").hex()


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def account_digest(user_id: int, created_at: datetime) -> str:
    return digest(ACCOUNT, str(user_id), _instant(created_at))


def address_digest(email: str) -> str:
    return digest(ADDRESS, email.strip().lower())


def client_digest(host_id: int, host_created_at: datetime, email: str) -> str:
    return digest(CLIENT, str(host_id), _instant(host_created_at), email.strip().lower())


@contextmanager
def replaying() -> Iterator[None]:
    """Erasures applied again from the ledger add no entries: an entry's time bounds the rows it
    erases, and a new one would reach rows written since the erasure it stands for."""
    token = _replaying.set(True)
    try:
        yield
    finally:
        _replaying.reset(token)


async def _record(kind: str, value: str, at: datetime | None) -> None:
    if not _replaying.get():
        await ErasureEntry.create(kind=kind, digest=value, erased_at=at or utcnow())


async def record_account(user: User, at: datetime | None = None) -> None:
    """Inside the erasure's transaction: no erasure commits without its entry."""
    await _record(ACCOUNT, account_digest(user.id, user.created_at), at)
    if user.email_verified_at is not None:  # rows under the address were erased too
        await _record(ADDRESS, address_digest(user.email), at)


async def record_address(email: str, at: datetime | None = None) -> None:
    await _record(ADDRESS, address_digest(email), at)


async def record_client(host: User, email: str, at: datetime | None = None) -> None:
    await _record(CLIENT, client_digest(host.id, host.created_at, email), at)


async def entries() -> list[Entry]:
    rows = await ErasureEntry.all().order_by("erased_at", "id")
    return [Entry(row.kind, row.digest, row.erased_at) for row in rows]


async def add(found: Iterable[Entry]) -> int:
    """Adds the entries not held yet (from a ledger kept outside the database); their number."""
    rows = await ErasureEntry.all().values_list("kind", "digest", "erased_at")
    held = {(kind, value, _instant(at)) for kind, value, at in rows}
    new = {
        (e.kind, e.digest, _instant(e.erased_at)): e
        for e in found
        if e.kind in KINDS and (e.kind, e.digest, _instant(e.erased_at)) not in held
    }
    await ErasureEntry.bulk_create(
        [ErasureEntry(kind=e.kind, digest=e.digest, erased_at=e.erased_at) for e in new.values()],
        ignore_conflicts=True,  # another worker's hourly job adding the same at once
    )
    return len(new)


async def prune(before: datetime) -> int:
    """Entries older than every snapshot kept are needed by no restore: the ledger forgets too."""
    return await ErasureEntry.filter(erased_at__lt=before).delete()
