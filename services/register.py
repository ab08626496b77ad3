"""Versions of the transparency register (domain/register.py): published at least a week before
they take effect, like a policy version (services/policies.py), and announced to every user by a
notification pushed live. Before the first version takes effect, the seed's defaults apply."""

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain import register
from domain.errors import BadUserInput, Conflict
from models.register import RegisterVersion
from models.user import User
from services import audit, changes
from services.clock import utcnow
from services.policies import NOTICE


@dataclass(frozen=True, slots=True)
class Published:
    register: register.Register
    effective_at: datetime | None  # None: the defaults


def _published(row: RegisterVersion) -> Published:
    return Published(register.from_json(row.content), row.effective_at)


async def publish(
    admin: User, proposed: register.Register, effective_at: datetime, now: datetime | None = None
) -> Published:
    now = now or utcnow()
    if effective_at.tzinfo is None:
        raise BadUserInput("effectiveAt", "needs a UTC offset")
    if effective_at < now + NOTICE:
        raise BadUserInput("effectiveAt", "at least 7 days ahead")
    content = register.to_json(register.checked(proposed))
    async with in_transaction():
        if await RegisterVersion.filter(effective_at=effective_at).exists():
            raise Conflict("A register version already takes effect then.", field="effectiveAt")
        row = await RegisterVersion.create(
            content=content, effective_at=effective_at, published_at=now, published_by_id=admin.id
        )
        user_ids = list(await User.all().order_by("id").values_list("id", flat=True))
        await changes.notify(
            user_ids,
            "REGISTER_UPDATE",
            "Who processes your data, where it is kept and who supervises us changes on "
            f"{effective_at:%Y-%m-%d}: see privacyInfo.",
            {"effectiveAt": effective_at.isoformat()},
        )
        await audit.record(admin, None, "PUBLISH_REGISTER", f"effective {effective_at.isoformat()}")
        await changes.public_data_changed()  # privacyInfo's upcoming register
    return _published(row)


async def current(now: datetime | None = None) -> Published:
    now = now or utcnow()
    row = (
        await RegisterVersion.filter(effective_at__lte=now).order_by("-effective_at", "-id").first()
    )
    return _published(row) if row else Published(register.DEFAULT, None)


async def upcoming(now: datetime | None = None) -> Published | None:
    now = now or utcnow()
    row = await RegisterVersion.filter(effective_at__gt=now).order_by("effective_at", "id").first()
    return _published(row) if row else None
