"""Checks of user input that every operation shares. Each raises BadUserInput naming the field."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from domain.errors import BadUserInput

PASSWORD_MIN, PASSWORD_MAX = 10, 256


def email_address(value: str, *, field: str = "email") -> str:
    """The normalised, lower-cased address: e-mail is unique regardless of case."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadUserInput(field, f"not a valid e-mail address ({exc})") from None
    return result.normalized.lower()


def password(value: str, *, field: str = "password") -> str:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise BadUserInput(field, f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long")
    return value


def text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    if "\x00" in value:  # PostgreSQL text cannot hold it
        raise BadUserInput(field, "must not contain NUL characters")
    cleaned = value.strip()
    if required and not cleaned:
        raise BadUserInput(field, "must not be empty")
    if len(cleaned) > max_length:
        raise BadUserInput(field, f"must be at most {max_length} characters long")
    return cleaned


def time_zone(value: str, *, field: str = "timeZone") -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadUserInput(field, f"unknown IANA time zone {value!r}") from None


# Far enough either side of any meeting that day windows and buffers around it stay datetimes.
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def instant(value: datetime, *, field: str = "start") -> datetime:
    """An aware datetime within years 1970 to 9000, in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadUserInput(field, "needs a UTC offset")
    if not EARLIEST <= value < LATEST:
        raise BadUserInput(field, "must be between the years 1970 and 9000")
    return value.astimezone(UTC)
