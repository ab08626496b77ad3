"""What one operation may return in all, across its fields: at most MAX_SLOTS slots.

The pipeline (schema/pipeline.py) gives each operation its own budget before it executes; its
resolvers, in whatever task graphql-core runs them, share it through this context variable.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from domain.errors import BadUserInput


@dataclass(slots=True)
class Budget:
    limit: int
    slots: int = 0


_current: ContextVar[Budget | None] = ContextVar("budget", default=None)


def start(max_slots: int) -> None:
    _current.set(Budget(max_slots))


def spend_slots(count: int, max_slots: int) -> None:
    """Refuses (BAD_USER_INPUT on `end`) slots beyond what the operation may still return."""
    budget = _current.get() or Budget(max_slots)
    if budget.slots + count > budget.limit:
        raise BadUserInput(
            "end",
            f"the window holds {count} slots; one request may return at most {budget.limit} "
            "(MAX_SLOTS) in all: ask for a shorter window",
        )
    budget.slots += count
