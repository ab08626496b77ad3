"""Counts the SQL statements an operation sends: every tortoise client's execute_* methods are
wrapped while `counting()` is open (transaction control, BEGIN/COMMIT, is not counted).

A tortoise client method may call another one (execute_insert through execute_query, a
transaction wrapper through its client's): only the outermost call counts, once."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

METHODS = (
    "execute_insert",
    "execute_many",
    "execute_query",
    "execute_query_dict",
    "execute_script",
)

_inside: ContextVar[bool] = ContextVar("inside_counted_statement", default=False)


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return "\n".join(f"{n}. {s[:300]}" for n, s in enumerate(self.sql, 1))


def _classes() -> list[type]:
    found: list[type] = []
    pending = [BaseDBAsyncClient]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found


def _wrap(method: Callable[..., Any], statements: Statements) -> Callable[..., Any]:
    @wraps(method)
    async def counted(self: BaseDBAsyncClient, query: str, *args: Any, **kwargs: Any) -> Any:
        if _inside.get():
            return await method(self, query, *args, **kwargs)
        statements.sql.append(query)
        token = _inside.set(True)
        try:
            return await method(self, query, *args, **kwargs)
        finally:
            _inside.reset(token)

    return counted


@contextmanager
def counting() -> Iterator[Statements]:
    statements = Statements()
    patched: list[tuple[type, str, Any]] = []
    for cls in _classes():
        for name in METHODS:
            if name in cls.__dict__:
                original = cls.__dict__[name]
                patched.append((cls, name, original))
                setattr(cls, name, _wrap(original, statements))
    try:
        yield statements
    finally:
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)
