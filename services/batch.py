"""The rows a change writes, sent together: one statement on PostgreSQL (data-modifying CTEs, one
multi-row INSERT per table), one multi-row INSERT per table on SQLite.

tortoise sends one INSERT per row, each built through pypika: a booking wrote ~15 statements
that way. Rows are plain unsaved model instances; a table's rows either all carry their id (given
by the caller, e.g. from `ids.allocate`) or none does (the database numbers them, in the order
given). Foreign keys are checked at the end of the statement, so rows of one batch may refer to
each other. The statement text of each shape is built once.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from domain.errors import Conflict


@dataclass(frozen=True, slots=True)
class Guard:
    """A DELETE the change depends on: if it deletes nothing, the whole change is CONFLICT
    (e.g. the hold a booking uses up). `equal`: (field, value) pairs compared with `=`, and
    `later`: (field, value) pairs compared with `>`."""

    model: type[Model]
    equal: tuple[tuple[str, Any], ...]
    later: tuple[tuple[str, Any], ...]
    conflict: Conflict


@dataclass
class _Table:
    model: type[Model]
    columns: list[str]  # field names
    rows: list[list[Any]] = field(default_factory=list)


_statements: dict[tuple[Any, ...], str] = {}


def _tables(rows: Sequence[Model]) -> list[_Table]:
    tables: dict[type[Model], _Table] = {}
    for row in rows:
        model = type(row)
        table = tables.get(model)
        meta = model._meta
        if table is None:
            names = [
                n for n in meta.fields_db_projection if n != meta.pk_attr or row.pk is not None
            ]
            table = tables[model] = _Table(model, names)
        fields_map = meta.fields_map
        table.rows.append([fields_map[n].to_db_value(getattr(row, n), row) for n in table.columns])
    return list(tables.values())


def _quoted(name: str) -> str:
    return f'"{name}"'


class _Numbered:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"${self.count}" if self.dialect == "postgres" else "?"


def _insert(table: _Table, place: _Numbered) -> str:
    meta = table.model._meta
    columns = ", ".join(_quoted(meta.fields_db_projection[n]) for n in table.columns)
    values = ", ".join("(" + ", ".join(place() for _ in table.columns) + ")" for _ in table.rows)
    return f"INSERT INTO {_quoted(meta.db_table)} ({columns}) VALUES {values}"


def _delete(guard: Guard, place: _Numbered) -> str:
    meta = guard.model._meta
    column = meta.fields_db_projection
    conditions = [f"{_quoted(column[n])} = {place()}" for n, _ in guard.equal]
    conditions += [f"{_quoted(column[n])} > {place()}" for n, _ in guard.later]
    return f"DELETE FROM {_quoted(meta.db_table)} WHERE {' AND '.join(conditions)}"


def _guard_values(guard: Guard) -> list[Any]:
    fields_map = guard.model._meta.fields_map
    pairs = [*guard.equal, *guard.later]
    return [fields_map[n].to_db_value(v, guard.model) for n, v in pairs]


def _shape(tables: list[_Table], guard: Guard | None) -> tuple[Any, ...]:
    return (
        guard and (guard.model, tuple(n for n, _ in guard.equal), tuple(n for n, _ in guard.later)),
        tuple((t.model, tuple(t.columns), len(t.rows)) for t in tables),
    )


async def write(rows: Sequence[Model], guard: Guard | None = None) -> None:
    """Inside the caller's transaction: `guard`'s delete, then every row."""
    db = connections.get("default")
    tables = _tables(rows)
    if db.capabilities.dialect == "postgres":
        await _one_statement(db, tables, guard)
    else:
        await _statement_per_table(db, tables, guard)
    for row in rows:
        row._saved_in_db = True


async def _one_statement(db: BaseDBAsyncClient, tables: list[_Table], guard: Guard | None) -> None:
    key = ("postgres", *_shape(tables, guard))
    sql = _statements.get(key)
    if sql is None:
        place = _Numbered("postgres")
        parts = []
        if guard is not None:
            parts.append(f"guard AS ({_delete(guard, place)} RETURNING 1)")
        parts += [f"t{n} AS ({_insert(t, place)})" for n, t in enumerate(tables)]
        final = "SELECT (SELECT count(*) FROM guard)" if guard is not None else "SELECT 1"
        sql = _statements[key] = f"WITH {', '.join(parts)} {final}"
    values = _guard_values(guard) if guard is not None else []
    for table in tables:
        for row in table.rows:
            values += row
    _, result = await db.execute_query(sql, values)
    if guard is not None and not result[0][0]:
        raise guard.conflict


async def _statement_per_table(
    db: BaseDBAsyncClient, tables: list[_Table], guard: Guard | None
) -> None:
    if guard is not None:
        key = ("sqlite", _shape([], guard))
        sql = _statements.get(key) or _statements.setdefault(
            key, _delete(guard, _Numbered("sqlite"))
        )
        deleted, _ = await db.execute_query(sql, _guard_values(guard))
        if not deleted:
            raise guard.conflict
    for table in tables:
        key = ("sqlite", _shape([table], None))
        sql = _statements.get(key) or _statements.setdefault(
            key, _insert(table, _Numbered("sqlite"))
        )
        await db.execute_query(sql, [value for row in table.rows for value in row])
