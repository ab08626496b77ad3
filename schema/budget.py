"""What one operation may return in all, across its fields: at most MAX_SLOTS slots.

The pipeline (schema/pipeline.py) gives each operation its own budget before it executes; its
resolvers, in whatever task graphql-core runs them, share it through this context variable.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from services.slots import too_many_slots


@dataclass(slots=True)
class Budget:
    limit: int
    slots: int = 0


_current: ContextVar[Budget | None] = ContextVar("budget", default=None)


def start(max_slots: int) -> None:
    _current.set(Budget(max_slots))


def _budget(max_slots: int) -> Budget:
    budget = _current.get()
    if budget is None:  # executed outside the pipeline: this field alone
        budget = Budget(max_slots)
        _current.set(budget)
    return budget


def slots_left(max_slots: int) -> int:
    return max(_budget(max_slots).limit - _budget(max_slots).slots, 0)


def spend_slots(count: int, max_slots: int) -> None:
    """Refuses (BAD_USER_INPUT on `end`) slots beyond what the operation may still return."""
    budget = _budget(max_slots)
    if budget.slots + count > budget.limit:
        raise too_many_slots(count, budget.limit - budget.slots)
    budget.slots += count
