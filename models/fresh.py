"""Unsaved model instances built quickly, for rows a change writes in bulk (services/batch.py).

`Model(**values)` works out anew for every row which fields were not given and what each starts
as (an `inspect` check per default, a set difference): ~20 µs a row, and a booking builds eight
or nine. `fresh(Model, **values)` gives the same instance; what to fill in is worked out once per
model and set of given names.
"""

from collections.abc import Callable
from copy import deepcopy
from inspect import iscoroutinefunction
from typing import Any, TypeVar

from tortoise.models import Model

M = TypeVar("M", bound=Model)

_CONSTANT, _CALL, _COPY = 0, 1, 2

# What fills a field that was not given: (name, kind, value or factory).
_Fill = tuple[str, int, Any]
# How a given value is set: (name, field object or None for a relation).
_Set = tuple[str, Any]


class _Plan:
    __slots__ = ("fills", "generated_pk", "sets")

    def __init__(self, fills: list[_Fill], sets: list[_Set], generated_pk: bool) -> None:
        self.fills = fills
        self.sets = sets
        self.generated_pk = generated_pk


_plans: dict[tuple[type[Model], tuple[str, ...]], _Plan | None] = {}


def fresh(model: type[M], /, **values: Any) -> M:
    """`model(**values)`: the same unsaved instance, the same errors."""
    names = tuple(values)
    key = (model, names)
    plan = _plans[key] if key in _plans else _plans.setdefault(key, _plan(model, names))
    if plan is None:
        return model(**values)
    instance = model.__new__(model)
    put: Callable[[object, str, Any], None] = object.__setattr__
    put(instance, "_partial", False)
    put(instance, "_saved_in_db", False)
    put(instance, "_custom_generated_pk", plan.generated_pk)
    put(instance, "_await_when_save", {})
    for name, field in plan.sets:
        value = values[name]
        if field is None:  # a relation given as an instance: tortoise's own setter
            setattr(instance, name, value)
        elif value is None:
            if not field.null:
                raise ValueError(f"{name} is non nullable field, but null was passed")
            put(instance, name, None)
        else:
            put(instance, name, field.to_python_value(value))
    for name, kind, default in plan.fills:
        put(
            instance,
            name,
            default if kind == _CONSTANT else default() if kind == _CALL else deepcopy(default),
        )
    return instance


def _plan(model: type[Model], names: tuple[str, ...]) -> _Plan | None:
    """None: anything `fresh` does not do as Model.__init__ does (a relation to check for being
    saved, an asynchronous default, a name that raises): such rows are built by the model."""
    meta = model._meta
    passed = set(names) | meta.fetch_fields
    sets: list[_Set] = []
    generated_pk = False
    for name in names:
        if name in meta.fk_fields or name in meta.o2o_fields:
            return None  # Model.__init__ checks the related instance is saved
        if name in meta.fields_db_projection:
            field = meta.fields_map[name]
            generated_pk |= bool(field.pk and field.generated)
            sets.append((name, field))
        elif name in meta.backward_fk_fields | meta.backward_o2o_fields | meta.m2m_fields:
            return None  # Model.__init__ raises
        # Any other name is ignored, as Model.__init__ ignores it.
    fills: list[_Fill] = []
    for name in sorted(meta.fields - passed):
        field = meta.fields_map[name]
        default = field.default
        if iscoroutinefunction(default):
            return None
        if callable(default):
            fills.append((name, _CALL, default))
        elif default is not None:
            immutable = isinstance(default, int | float | str | bool | bytes)
            fills.append((name, _CONSTANT if immutable else _COPY, default))
        elif field.has_db_default():
            fills.append((name, _CALL, field.get_db_default_value))
        else:
            fills.append((name, _CONSTANT, None))
    return _Plan(fills, sets, generated_pk)
