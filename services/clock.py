"""The one source of 'now', so tests and time-based rules agree (always UTC-aware)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
