"""Hot single-row lookups compiled to SQL once per database dialect, not on every call.

tortoise builds a query's SQL anew each time it runs: ~0.5 ms for a lookup with a join, more than
SQLite takes to answer it. A `Lookup` builds its queryset once with a marker in place of the
parameter, keeps the parameterised SQL, and afterwards only swaps the marker's value and runs it
through tortoise's own executor (same rows, same related objects, same transaction routing).
"""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import MultipleObjectsReturned
from tortoise.models import Model
from tortoise.queryset import QuerySet, QuerySetSingle

M = TypeVar("M", bound=Model)

# Values no real lookup uses, found again in the compiled parameter list.
_MARKERS: dict[type, Any] = {int: -1_987_654_321, str: "\x1fbnm-lookup-parameter\x1f"}


class Lookup(Generic[M]):
    """`await lookup(value)` is `await build(value)` for a `get_or_none(...)` queryset whose one
    parameter (an int or a str compared as is, e.g. an id or a hash) is `value`."""

    def __init__(
        self,
        model: type[M],
        kind: type,
        build: Callable[[Any], QuerySetSingle[M | None]],
        *,
        lock: str | None = None,
    ) -> None:
        """`lock`: the alias of a table the queryset joins (select_related) whose row the lookup
        locks FOR NO KEY UPDATE on PostgreSQL, as `lock_host` does (SQLite's transactions hold
        the write lock from their start). The join becomes an inner one, which PostgreSQL
        requires of a locked table; the relation must therefore be required."""
        self.model = model
        self.marker = _MARKERS[kind]
        self.build = build
        self.lock = lock
        self._compiled: dict[str, tuple[str, list[Any], int, Any]] = {}
        self._layouts: dict[str, tuple[tuple[str, ...], Any]] = {}

    def _compile(self, db: BaseDBAsyncClient) -> tuple[str, list[Any], int, Any]:
        queryset: QuerySet[M] = self.build(self.marker).using_db(db)  # type: ignore[attr-defined]
        queryset._make_query()
        sql, values = queryset.query.get_parameterized_sql()
        if values.count(self.marker) != 1:
            raise ValueError(f"{self.model.__name__} lookup: the value must appear exactly once")
        if self.lock is not None and db.capabilities.dialect == "postgres":
            outer = f'LEFT OUTER JOIN "{self._table_of(self.lock)}" "{self.lock}"'
            if outer not in sql:
                raise ValueError(f"{self.model.__name__} lookup: no join {self.lock} to lock")
            inner = outer.removeprefix("LEFT OUTER ")
            sql = f'{sql.replace(outer, inner)} FOR NO KEY UPDATE OF "{self.lock}"'
        compiled = (sql, values, values.index(self.marker), queryset._select_related_idx)
        self._compiled[db.capabilities.dialect] = compiled
        return compiled

    def _table_of(self, alias: str) -> str:
        relation = alias.removeprefix(f"{self.model._meta.db_table}__")
        return self.model._meta.fields_map[relation].related_model._meta.db_table  # type: ignore[attr-defined]

    async def __call__(self, value: Any) -> M | None:
        db = self.model._choose_db()
        dialect = db.capabilities.dialect
        sql, template, index, select_related_idx = self._compiled.get(dialect) or self._compile(db)
        values = list(template)
        values[index] = value
        if not _flat(select_related_idx):  # tortoise's executor builds anything else
            executor = db.executor_class(
                model=self.model, db=db, select_related_idx=select_related_idx
            )
            rows = await executor.execute_select(sql, values)
            if len(rows) > 1:
                raise MultipleObjectsReturned(self.model)
            return rows[0] if rows else None
        _, rows = await db.execute_query(sql, values)
        if len(rows) > 1:
            raise MultipleObjectsReturned(self.model)
        return self._instance(rows[0], dialect, select_related_idx) if rows else None

    def _instance(self, row: Any, dialect: str, select_related_idx: list) -> M:
        """The row as tortoise's executor makes it (the model, and the one related row it
        joins, or None), from column names split once per dialect rather than for every row."""
        layout = self._layouts.get(dialect)
        if layout is None:
            layout = self._layouts[dialect] = _layout(row, select_related_idx)
        names, related = layout
        row = tuple(row)
        instance = self.model._init_from_db(**dict(zip(names, row, strict=False)))
        if related is not None:
            model, attribute, related_names = related
            values = row[len(names) : len(names) + len(related_names)]
            joined = (
                model._init_from_db(**dict(zip(related_names, values, strict=True)))
                if any(values)
                else None
            )
            object.__setattr__(instance, f"_{attribute}", joined)
        return instance


def _flat(select_related_idx: list) -> bool:
    """The model alone, or with one relation of its own joined (`select_related("host")`)."""
    if len(select_related_idx) == 2:
        _, count, *_, path = select_related_idx[1]
        return count > 0 and len(path) == 2  # (None, "host"): the model's own relation
    return len(select_related_idx) < 2


def _layout(row: Any, select_related_idx: list) -> tuple[tuple[str, ...], Any]:
    """The model's column names, and (related model, attribute, its column names) if one."""
    keys = list(row.keys())
    if not select_related_idx:
        return tuple(keys), None
    _, count, *_ = select_related_idx[0]
    if len(select_related_idx) == 1:
        return tuple(keys[:count]), None
    model, related_count, *_, path = select_related_idx[1]
    related = keys[count : count + related_count]
    return tuple(keys[:count]), (model, path[-1], tuple(k.split(".", 1)[1] for k in related))
