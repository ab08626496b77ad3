"""Slot holds: a slot kept for someone while they fill in the booking form."""

from datetime import datetime, timedelta


def expires_at(now: datetime, minutes: float) -> datetime:
    return now + timedelta(minutes=minutes)
