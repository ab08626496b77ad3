"""Scalars of the contract: DateTime always carries an offset, both ways."""

from datetime import UTC, datetime

import strawberry


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string with an offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{value!r} has no UTC offset (write e.g. 2027-03-28T09:00:00+01:00)")
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
