"""Checks of user input that every operation shares. Each raises BadUserInput naming the field."""

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
    storable(value, field=field)
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise BadUserInput(field, f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long")
    return value


def storable(value: str, *, field: str) -> str:
    """What every database here can store: no NUL (PostgreSQL text cannot hold it), and valid
    Unicode (a lone surrogate such as \\ud800 has no UTF-8 encoding)."""
    if "\x00" in value:
        raise BadUserInput(field, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUserInput(field, "must be valid Unicode (a lone surrogate is not)") from None
    return value


def text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    storable(value, field=field)
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
