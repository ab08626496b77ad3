"""Privacy-policy versions: published at least a week before they take effect, announced to
every user by a notification (pushed live), accepted per version."""

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, Conflict, NotFound
from models.governance import PolicyAcceptance, PolicyVersion
from models.user import User
from services import audit, changes
from services.clock import utcnow

NOTICE = timedelta(days=7)


async def publish(
    admin: User, version: str, text: str, effective_at: datetime, now: datetime | None = None
) -> PolicyVersion:
    now = now or utcnow()
    version = validation.text(version, field="version", max_length=40)
    text = validation.text(text, field="text", max_length=100_000)
    if effective_at.tzinfo is None:
        raise BadUserInput("effectiveAt", "needs a UTC offset")
    if effective_at < now + NOTICE:
        raise BadUserInput("effectiveAt", "at least 7 days ahead")
    if await PolicyVersion.filter(version=version).exists():
        raise Conflict("This version is already published.", field="version")
    async with in_transaction():
        policy = await PolicyVersion.create(
            version=version,
            text=text,
            effective_at=effective_at,
            published_at=now,
            published_by_id=admin.id,
        )
        user_ids = list(await User.all().order_by("id").values_list("id", flat=True))
        await changes.notify(
            user_ids,
            "POLICY_UPDATE",
            f"Our privacy policy changes on {effective_at:%Y-%m-%d}: version {version}.",
            {"policyVersion": version},
        )
        await audit.record(admin, None, "PUBLISH_POLICY", version)
    return policy


async def current(now: datetime | None = None) -> PolicyVersion | None:
    now = now or utcnow()
    return (
        await PolicyVersion.filter(effective_at__lte=now).order_by("-effective_at", "-id").first()
    )


async def upcoming(now: datetime | None = None) -> PolicyVersion | None:
    now = now or utcnow()
    return await PolicyVersion.filter(effective_at__gt=now).order_by("effective_at", "id").first()


async def accept(user: User, version: str) -> PolicyAcceptance:
    version = validation.text(version, field="version", max_length=40)  # as published
    policy = await PolicyVersion.get_or_none(version=version)
    if policy is None:
        raise NotFound("Policy version")
    row, _ = await PolicyAcceptance.get_or_create(
        user_id=user.id, policy_id=policy.id, defaults={"version": policy.version}
    )
    return row


async def accepted_versions(user: User) -> list[str]:
    return list(
        await PolicyAcceptance.filter(user_id=user.id)
        .order_by("id")
        .values_list("version", flat=True)
    )
