"""The audit trail: every admin read of a person's data and every admin action on an account
is written down (who, what, when, why). The person sees entries about them in `myData`."""

from domain import validation
from models.governance import AuditEntry
from models.user import User


def reason(value: str | None) -> str:
    """Admin actions say why; a blank reason is refused before anything is written."""
    return validation.text(value or "", field="reason", max_length=2000)


async def record(actor: User | None, subject_id: int | None, action: str, why: str | None) -> None:
    await AuditEntry.create(
        actor_id=actor.id if actor else None, subject_id=subject_id, action=action, reason=why
    )


async def about(subject_id: int) -> list[AuditEntry]:
    return await AuditEntry.filter(subject_id=subject_id).order_by("id")
