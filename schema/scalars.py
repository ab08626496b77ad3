"""Scalars of the contract: DateTime always carries an offset, both ways."""

from datetime import UTC, datetime, timedelta

import strawberry

# Instants a DateTime may name: far from the ends of Python's datetime (years 1 and 9999), where
# converting an offset to UTC, or a day's margin around a window, overflows.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def in_range(moment: datetime) -> bool:
    """Whether an aware datetime lies within [EARLIEST, LATEST), without overflowing."""
    offset = moment.utcoffset() or timedelta()
    naive = moment.replace(tzinfo=None)
    return EARLIEST.replace(tzinfo=None) + offset <= naive < LATEST.replace(tzinfo=None) + offset


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string with an offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{value!r} has no UTC offset (write e.g. 2027-03-28T09:00:00+01:00)")
    if not in_range(parsed):
        raise ValueError(f"{value!r} is not between the years 1000 and 8999 (UTC)")
    return parsed


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


DateTime = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date-time with a UTC offset, e.g. 2027-03-28T09:00:00+01:00.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALAR_MAP = {datetime: DateTime}
