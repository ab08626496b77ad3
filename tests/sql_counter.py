"""Counts the SQL statements the application sends, for tests that keep those counts from creeping
back: every tortoise client (SQLite and PostgreSQL, in or out of a transaction) logs each statement
it executes to `tortoise.db_client` at DEBUG level, with its parameters; this listens there."""

import contextlib
import logging
from collections.abc import Iterator

from tortoise.log import db_client_logger

SQL_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "DROP", "ALTER", "PRAGMA")


class SqlCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        sql = str(record.args[0] if record.args else record.msg).lstrip()
        if sql[:10].upper().startswith(SQL_VERBS):
            self.statements.append(sql)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reading(self, table: str) -> list[str]:
        """The statements that name `table` (quoted as either dialect quotes it)."""
        return [s for s in self.statements if f'"{table}"' in s or f"`{table}`" in s]


@contextlib.contextmanager
def count_sql() -> Iterator[SqlCounter]:
    counter = SqlCounter()
    level = db_client_logger.level
    db_client_logger.setLevel(logging.DEBUG)
    db_client_logger.addHandler(counter)
    try:
        yield counter
    finally:
        db_client_logger.removeHandler(counter)
        db_client_logger.setLevel(level)
