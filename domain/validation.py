"""Checks of user input that every operation shares. Each raises BadUserInput naming the field."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from zxcvbn import zxcvbn

from domain.errors import BadUserInput

PASSWORD_MIN, PASSWORD_MAX = 10, 256
# zxcvbn's scale: 0 and 1 are guessed within 10^6 tries (repeats, sequences, common passwords,
# the person's own details); 2 needs about 10^8.
PASSWORD_MIN_SCORE = 2
# zxcvbn's time grows steeply with length (tens of seconds for 256 random characters): only
# this much of a password is rated. A strong prefix makes a strong password.
PASSWORD_RATED_PREFIX = 64


def email_address(value: str, *, field: str = "email") -> str:
    """The normalised, lower-cased address: e-mail is unique regardless of case."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadUserInput(field, f"not a valid e-mail address ({exc})") from None
    return result.normalized.lower()


def password(value: str, *, field: str = "password", personal: tuple[str, ...] = ()) -> str:
    """A password of acceptable length that is not trivially guessed; `personal` holds the
    person's own details (e-mail, name), which make a weak password. CPU-bound (up to ~0.1 s):
    call it off the event loop."""
    storable(value, field=field)
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise BadUserInput(field, f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long")
    hints = [part for detail in personal for part in (detail, *detail.split("@")) if part]
    rating = zxcvbn(value[:PASSWORD_RATED_PREFIX], user_inputs=hints)
    if rating["score"] < PASSWORD_MIN_SCORE:
        warning = rating["feedback"]["warning"] or "it follows a pattern that is tried early"
        raise BadUserInput(field, f"too easy to guess: {warning.rstrip('.')}. Try a few words.")
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


# Far enough either side of any meeting that day windows and buffers around it stay datetimes.
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def instant(value: datetime, *, field: str = "start") -> datetime:
    """An aware datetime within years 1970 to 9000, in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadUserInput(field, "needs a UTC offset")
    if not EARLIEST <= value < LATEST:
        raise BadUserInput(field, "must be between the years 1970 and 9000")
    return value.astimezone(UTC)
