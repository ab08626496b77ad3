"""The disclosure register: staff record every hand-over of personal data to someone outside —
an authority under a legal obligation, for enforcement, or a buyer in a business transfer — with
the recipient, the legal basis, what and when. The person sees each in myData, unless a legal
hold applies; a hold always has an end, after which the record shows."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, NotFound
from domain.privacy import BY_CATEGORY, Category
from domain.rights import DISCLOSURE_REASONS
from models.governance import Disclosure
from models.user import User
from services import audit
from services.clock import utcnow

RETENTION = timedelta(days=BY_CATEGORY[Category.DISCLOSURE].retention_days or 2190)


@dataclass(frozen=True, slots=True)
class Record:
    reason: str
    recipient: str
    legal_basis: str
    data: str
    disclosed_at: datetime
    user_id: int | None = None
    email: str | None = None
    hold_until: datetime | None = None


async def record(admin: User, entry: Record, why: str | None) -> Disclosure:
    reason = audit.reason(why)
    if entry.reason not in DISCLOSURE_REASONS:
        raise BadUserInput("reason", f"one of {', '.join(DISCLOSURE_REASONS)}")
    if (entry.user_id is None) == (entry.email is None):
        raise BadUserInput("userId", "name either the account (userId) or an address (email)")
    email = validation.email_address(entry.email) if entry.email is not None else None
    recipient = validation.text(entry.recipient, field="recipient", max_length=200)
    legal_basis = validation.text(entry.legal_basis, field="legalBasis", max_length=500)
    data = validation.text(entry.data, field="data", max_length=10_000)
    now = utcnow()
    for name, moment in (("disclosedAt", entry.disclosed_at), ("holdUntil", entry.hold_until)):
        if moment is not None and moment.tzinfo is None:
            raise BadUserInput(name, "needs a UTC offset")
    if entry.disclosed_at > now:
        raise BadUserInput("disclosedAt", "not in the future")
    if entry.hold_until is not None and entry.hold_until <= entry.disclosed_at:
        raise BadUserInput("holdUntil", "after the disclosure")
    if entry.user_id is not None and not await User.exists(id=entry.user_id):
        raise NotFound("User")
    async with in_transaction():
        row = await Disclosure.create(
            subject_id=entry.user_id,
            email=email,
            reason=entry.reason,
            recipient=recipient,
            legal_basis=legal_basis,
            data=data,
            disclosed_at=entry.disclosed_at,
            hold_until=entry.hold_until,
            recorded_by_id=admin.id,
        )
        await audit.record(admin, entry.user_id, "RECORD_DISCLOSURE", f"{reason} ({row.id})")
    return row


async def end_hold(admin: User, disclosure_id: int, why: str | None) -> Disclosure:
    """The hold is over early: the person sees the record from now on."""
    reason = audit.reason(why)
    row = await Disclosure.get_or_none(id=disclosure_id)
    if row is None:
        raise NotFound("Disclosure")
    now = utcnow()
    async with in_transaction():
        if row.hold_until is not None and row.hold_until > now:
            row.hold_until = now
            await row.save(update_fields=["hold_until"])
        await audit.record(admin, row.subject_id, "END_DISCLOSURE_HOLD", f"{reason} ({row.id})")
    return row


async def for_admin(user_id: int | None = None) -> list[Disclosure]:
    query = Disclosure.all()
    if user_id is not None:
        query = query.filter(subject_id=user_id)
    return await query.order_by("-disclosed_at", "-id")


async def purge(now: datetime | None = None) -> int:
    """Records older than the disclosure category's retention are deleted."""
    now = now or utcnow()
    return await Disclosure.filter(disclosed_at__lt=now - RETENTION).delete()
