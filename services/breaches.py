"""Personal-data breaches: recorded by staff and owed to each supervisory authority concerned by
its own deadline (domain/regulators.py); the report's content (Art. 33(3)) is recorded and
exported for filing. When the risk to people is high, everyone affected is told at once (Art. 34):
account holders by notification and e-mail, people known only by an address by e-mail."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, Conflict, NotFound
from domain.privacy import BY_CATEGORY, Category
from domain.regulators import BY_KEY, REGULATORS, Regulator
from domain.rights import breach_deadline
from models.governance import Breach, BreachContact, BreachFiling, BreachVictim
from models.user import User
from services import audit, changes
from services.clock import utcnow
from services.mail import outbox as mail
from services.mail import runtime

RISKS = ("LOW", "HIGH")
MAX_ADDRESSES = 10_000
# The address of a notice is kept as long as notifications are (domain/privacy.py).
ADDRESS_RETENTION = timedelta(days=BY_CATEGORY[Category.NOTIFICATION].retention_days or 180)
# Art. 33(3)(b)-(d): what a report must say beyond the nature (the description).
REQUIRED_FOR_FILING = ("data_categories", "likely_consequences", "measures")


@dataclass(frozen=True, slots=True)
class Report:
    """The report's content; None leaves a field as it is."""

    data_categories: list[str] | None = None
    approximate_subjects: int | None = None
    approximate_records: int | None = None
    likely_consequences: str | None = None
    measures: str | None = None


def _regulators(keys: list[str] | None) -> list[Regulator]:
    if keys is None:
        return list(REGULATORS)
    unknown = [key for key in keys if key not in BY_KEY]
    if unknown or not keys:
        raise BadUserInput("regulators", f"one or more of {', '.join(BY_KEY)}")
    return [BY_KEY[key] for key in dict.fromkeys(keys)]


def _report_values(report: Report) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if report.data_categories is not None:
        known = {c.value for c in Category}
        if any(c not in known for c in report.data_categories):
            raise BadUserInput("report.dataCategories", f"among {', '.join(sorted(known))}")
        values["data_categories"] = sorted(set(report.data_categories))
    for field, name in (("approximate_subjects", "approximateSubjects"),
                        ("approximate_records", "approximateRecords")):  # fmt: skip
        number = getattr(report, field)
        if number is not None:
            if number < 0:
                raise BadUserInput(f"report.{name}", "not negative")
            values[field] = number
    for field, name in (("likely_consequences", "likelyConsequences"), ("measures", "measures")):
        text = getattr(report, field)
        if text is not None:
            values[field] = validation.text(text, field=f"report.{name}", max_length=10_000)
    return values


def _addresses(emails: list[str]) -> list[str]:
    if len(emails) > MAX_ADDRESSES:
        raise BadUserInput("affectedEmails", f"at most {MAX_ADDRESSES}")
    return sorted({validation.email_address(e, field="affectedEmails") for e in emails})


def _contact() -> str:
    settings = runtime.settings()
    return settings.contact_email if settings else "privacy@booknmeet.example"


async def record(
    admin: User,
    description: str,
    detected_at: datetime,
    affected_user_ids: list[int],
    risk: str,
    now: datetime | None = None,
    *,
    affected_emails: list[str] | None = None,
    regulators: list[str] | None = None,
    report: Report | None = None,
) -> Breach:
    now = now or utcnow()
    description = validation.text(description, field="description", max_length=10_000)
    if risk not in RISKS:
        raise BadUserInput("risk", f"one of {', '.join(RISKS)}")
    if detected_at.tzinfo is None:
        raise BadUserInput("detectedAt", "needs a UTC offset")
    if detected_at > now:
        raise BadUserInput("detectedAt", "not in the future")
    owed = _regulators(regulators)
    values = _report_values(report or Report())
    addresses = _addresses(affected_emails or [])
    ids = sorted(set(affected_user_ids))
    users = await User.filter(id__in=ids)
    if len(users) != len(ids):
        raise BadUserInput("affectedUserIds", "unknown user")
    values.setdefault("approximate_subjects", len(ids) + len(addresses))
    deadlines = {r.key: breach_deadline(detected_at, r) for r in owed}
    async with in_transaction():
        breach = await Breach.create(
            description=description,
            risk=risk,
            detected_at=detected_at,
            report_due_at=min(deadlines.values()),
            recorded_by_id=admin.id,
            **values,
        )
        for key, due_at in deadlines.items():
            await BreachFiling.create(breach=breach, regulator=key, due_at=due_at)
        notified_at = now if risk == "HIGH" else None
        for user_id in ids:
            await BreachVictim.create(breach=breach, user_id=user_id, notified_at=notified_at)
            await audit.record(admin, user_id, "RECORD_BREACH", f"breach {breach.id}")
        for address in addresses:
            await BreachContact.create(breach=breach, email=address, notified_at=notified_at)
        await audit.record(admin, None, "RECORD_BREACH", f"breach {breach.id}")
        if risk == "HIGH":
            await _tell(breach, users, addresses)
    return breach


async def _tell(breach: Breach, users: list[User], addresses: list[str]) -> None:
    """Art. 34: in clear language, the nature, the contact, the consequences and the measures."""
    await changes.notify(
        [u.id for u in users],
        "DATA_BREACH",
        "A security incident may have exposed your data. " + breach.description,
        {"breachId": breach.id},
    )
    context = {
        "nature": breach.description,
        "consequences": breach.likely_consequences,
        "measures": breach.measures,
        "contact": _contact(),
    }
    recipients = [(u.email, u.name, u.id) for u in users] + [(a, None, None) for a in addresses]
    for address, name, user_id in recipients:
        await mail.queue(
            to=address,
            to_name=name,
            user_id=user_id,
            kind="DATA_BREACH",
            subject="A security incident may have affected your data",
            template="breach",
            **context,
        )


async def update_report(admin: User, breach_id: int, report: Report) -> Breach:
    values = _report_values(report)
    breach = await Breach.get_or_none(id=breach_id)
    if breach is None:
        raise NotFound("Breach")
    if values:
        async with in_transaction():
            await Breach.filter(id=breach_id).update(**values)
            await audit.record(admin, None, "UPDATE_BREACH_REPORT", f"breach {breach_id}")
    return await Breach.get(id=breach_id)


async def mark_reported(
    breach_id: int, regulator: str | None = None, now: datetime | None = None
) -> Breach:
    """The report was filed with `regulator` (None: every one still owed)."""
    now = now or utcnow()
    breach = await Breach.get_or_none(id=breach_id)
    if breach is None:
        raise NotFound("Breach")
    if regulator is not None and regulator not in BY_KEY:
        raise BadUserInput("regulator", f"one of {', '.join(BY_KEY)}")
    missing = [f for f in REQUIRED_FOR_FILING if not getattr(breach, f)]
    if missing:
        raise Conflict(
            "The report needs its content before it is filed: " + ", ".join(missing) + ".",
            field="report",
        )
    if regulator is not None and not await BreachFiling.exists(
        breach_id=breach_id, regulator=regulator
    ):
        raise BadUserInput("regulator", "this breach is not owed to it")
    async with in_transaction():
        open_filings = BreachFiling.filter(breach_id=breach_id, reported_at=None)
        if regulator is not None:
            open_filings = open_filings.filter(regulator=regulator)
        if not await open_filings.update(reported_at=now):
            raise Conflict("Already reported.", field="id")
        remaining = await BreachFiling.filter(breach_id=breach_id, reported_at=None).order_by(
            "due_at"
        )
        breach.reported_at = None if remaining else now
        if remaining:
            breach.report_due_at = remaining[0].due_at
        await breach.save(update_fields=["reported_at", "report_due_at"])
    return breach


async def all_breaches() -> list[Breach]:
    return await Breach.all().order_by("-detected_at", "-id")


async def affected_counts(breach_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for model in (BreachVictim, BreachContact):
        for breach_id in await model.filter(breach_id__in=breach_ids).values_list(
            "breach_id", flat=True
        ):
            counts[breach_id] = counts.get(breach_id, 0) + 1
    return counts


async def filings(breach_ids: list[int]) -> dict[int, list[BreachFiling]]:
    found: dict[int, list[BreachFiling]] = {}
    for row in await BreachFiling.filter(breach_id__in=breach_ids).order_by("due_at", "id"):
        found.setdefault(row.breach_id, []).append(row)
    return found


async def report_document(breach_id: int, controller: str, contact: str) -> dict[str, Any]:
    """The report as filed with each regulator (Art. 33(3)), as one JSON document."""
    breach = await Breach.get_or_none(id=breach_id)
    if breach is None:
        raise NotFound("Breach")
    owed = (await filings([breach_id])).get(breach_id, [])
    accounts = await BreachVictim.filter(breach_id=breach_id).count()
    addresses = await BreachContact.filter(breach_id=breach_id).count()
    told = await BreachVictim.exclude(notified_at=None).filter(breach_id=breach_id).count()
    told += await BreachContact.exclude(notified_at=None).filter(breach_id=breach_id).count()
    return {
        "breach": breach.id,
        "controller": {"name": controller, "contact": contact},
        "detectedAt": breach.detected_at.isoformat(),
        "risk": breach.risk,
        "nature": breach.description,
        "dataCategories": [
            {"category": key, "name": BY_CATEGORY[Category(key)].name}
            for key in breach.data_categories or []
        ],
        "approximateSubjects": breach.approximate_subjects,
        "approximateRecords": breach.approximate_records,
        "likelyConsequences": breach.likely_consequences,
        "measures": breach.measures,
        "peopleIdentified": {"accounts": accounts, "addressesOnly": addresses, "told": told},
        "regulators": [
            {
                "regulator": f.regulator,
                "name": BY_KEY[f.regulator].name,
                "jurisdiction": BY_KEY[f.regulator].jurisdiction,
                "deadline": f.due_at.isoformat(),
                "reportedAt": f.reported_at.isoformat() if f.reported_at else None,
            }
            for f in owed
        ],
    }


async def forget_addresses(now: datetime | None = None) -> int:
    """The addresses of breach notices are blanked ADDRESS_RETENTION after the breach's
    detection (a notice goes out at or after it); the count of people stays."""
    now = now or utcnow()
    old = await Breach.filter(detected_at__lt=now - ADDRESS_RETENTION).values_list("id", flat=True)
    if not old:
        return 0
    return await BreachContact.filter(breach_id__in=old, email__isnull=False).update(email=None)
