"""The settings mail is written with (PUBLIC_URL for links, MAIL_FROM, the encryption key of the
kept manage tokens), set once per process when the database starts (db.start_database)."""

from config import Settings

_current: Settings | None = None


def configure(settings: Settings) -> None:
    global _current
    _current = settings


def settings() -> Settings | None:
    """None in a process that never started the database (pure unit tests)."""
    return _current


def base_url() -> str:
    return (_current or Settings()).base_url
