"""The record of database snapshots (`python server.py backup`): which were taken, when, how
large, and when retention deleted each."""

from collections.abc import Iterable
from datetime import datetime

from models.erasure import BackupSnapshot
from services.clock import utcnow


async def record(name: str, taken_at: datetime, size_bytes: int) -> BackupSnapshot:
    snapshot, _ = await BackupSnapshot.update_or_create(
        name=name, defaults={"taken_at": taken_at, "size_bytes": size_bytes, "deleted_at": None}
    )
    return snapshot


async def deleted(names: Iterable[str], at: datetime | None = None) -> int:
    return await BackupSnapshot.filter(name__in=list(names), deleted_at__isnull=True).update(
        deleted_at=at or utcnow()
    )


async def kept() -> list[BackupSnapshot]:
    return await BackupSnapshot.filter(deleted_at__isnull=True).order_by("taken_at")
