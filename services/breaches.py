"""Personal-data breaches: recorded by staff with their 72-hour regulator deadline; when the risk
to people is high, the affected users (and only they) are told at once."""

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, Conflict, NotFound
from models.governance import Breach, BreachVictim
from models.user import User
from services import audit, changes
from services.clock import utcnow

RISKS = ("LOW", "HIGH")
REPORT_WITHIN = timedelta(hours=72)


async def record(
    admin: User,
    description: str,
    detected_at: datetime,
    affected_user_ids: list[int],
    risk: str,
    now: datetime | None = None,
) -> Breach:
    now = now or utcnow()
    description = validation.text(description, field="description", max_length=10_000)
    if risk not in RISKS:
        raise BadUserInput("risk", f"one of {', '.join(RISKS)}")
    if detected_at.tzinfo is None:
        raise BadUserInput("detectedAt", "needs a UTC offset")
    if detected_at > now:
        raise BadUserInput("detectedAt", "not in the future")
    ids = sorted(set(affected_user_ids))
    if len(await User.filter(id__in=ids)) != len(ids):
        raise BadUserInput("affectedUserIds", "unknown user")
    async with in_transaction():
        breach = await Breach.create(
            description=description,
            risk=risk,
            detected_at=detected_at,
            report_due_at=detected_at + REPORT_WITHIN,
            recorded_by_id=admin.id,
        )
        notified_at = now if risk == "HIGH" else None
        for user_id in ids:
            await BreachVictim.create(breach=breach, user_id=user_id, notified_at=notified_at)
            await audit.record(admin, user_id, "RECORD_BREACH", f"breach {breach.id}")
        if risk == "HIGH":
            await changes.notify(
                ids,
                "DATA_BREACH",
                "A security incident may have exposed your data. " + description,
                {"breachId": breach.id},
            )
    return breach


async def mark_reported(breach_id: int, now: datetime | None = None) -> Breach:
    breach = await Breach.get_or_none(id=breach_id)
    if breach is None:
        raise NotFound("Breach")
    if breach.reported_at is not None:
        raise Conflict("Already reported.", field="id")
    breach.reported_at = now or utcnow()
    await breach.save(update_fields=["reported_at"])
    return breach


async def all_breaches() -> list[Breach]:
    return await Breach.all().order_by("-detected_at", "-id")


async def affected_counts(breach_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for breach_id in await BreachVictim.filter(breach_id__in=breach_ids).values_list(
        "breach_id", flat=True
    ):
        counts[breach_id] = counts.get(breach_id, 0) + 1
    return counts
