"""What the statements written as SQL text (services/booking_check.py, services/slot_read.py)
share: numbered parameters, and instants as either backend hands them back."""

from datetime import UTC, datetime


class Parameters:
    """Numbered parameters ($1 / ?1), each named value sent once however often it is used."""

    def __init__(self, dialect: str) -> None:
        self.sign = "$" if dialect == "postgres" else "?"
        self.names: list[str] = []

    def __call__(self, name: str) -> str:
        if name not in self.names:
            self.names.append(name)
        return f"{self.sign}{self.names.index(name) + 1}"


def instant(value: datetime | str) -> datetime:
    # SQLite hands back tortoise's ISO text, PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
