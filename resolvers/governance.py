"""Privacy governance operations: thin; the rules live in services/."""

from datetime import datetime
from typing import Any

import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.governance import (
    BreachRisk,
    BreachType,
    InquiryStatus,
    InquiryType,
    PolicyAcceptanceType,
    PolicyType,
    PurgeRunType,
    RetentionCategory,
    RetentionType,
)
from schema.rights import BreachReportInput, RegulatorKey
from schema.user import UserType
from services import breaches, inquiries, moderation, policies, retention, sessions
from services.clock import utcnow


# Audit and acceptable use (staff only)
async def admin_user_data(info: Info, id: strawberry.ID, reason: str) -> Any:
    admin = info.context.require_admin()
    return await moderation.read_data(admin, parse_id(id, "User"), reason)


async def warn_user(info: Info, id: strawberry.ID, reason: str) -> bool:
    admin = info.context.require_admin()
    await moderation.warn(admin, parse_id(id, "User"), reason)
    return True


async def suspend_user(info: Info, id: strawberry.ID, reason: str) -> UserType:
    admin = info.context.require_admin()
    row = await moderation.suspend(admin, parse_id(id, "User"), reason)
    await sessions.announce_ended(users=[row.id])
    return UserType.from_model(row)


async def reinstate_user(info: Info, id: strawberry.ID, reason: str) -> UserType:
    admin = info.context.require_admin()
    row = await moderation.reinstate(admin, parse_id(id, "User"), reason)
    return UserType.from_model(row)


async def delete_user(info: Info, id: strawberry.ID, reason: str) -> bool:
    admin = info.context.require_admin()
    user_id = parse_id(id, "User")
    await moderation.delete(admin, user_id, reason)
    await sessions.announce_ended(users=[user_id])
    return True


# Retention
async def retention_settings(info: Info) -> list[RetentionType]:
    rows = await retention.for_user(info.context.require_user())
    return [RetentionType.from_value(r) for r in rows]


async def set_retention(info: Info, category: RetentionCategory, days: int) -> RetentionType:
    user = info.context.require_user()
    return RetentionType.from_value(await retention.set_retention(user, category.value, days))


async def purge_runs(info: Info, limit: int = 50) -> list[PurgeRunType]:
    info.context.require_admin()
    return [PurgeRunType.from_model(r) for r in await retention.runs(limit)]


# Policy versions
async def current_policy(info: Info) -> PolicyType | None:
    row = await policies.current()
    return PolicyType.from_model(row) if row else None


async def upcoming_policy(info: Info) -> PolicyType | None:
    row = await policies.upcoming()
    return PolicyType.from_model(row) if row else None


async def publish_policy(info: Info, version: str, text: str, effective_at: datetime) -> PolicyType:
    admin = info.context.require_admin()
    row = await policies.publish(admin, version, text, effective_at)
    return PolicyType.from_model(row)


async def accept_policy(info: Info, version: str) -> PolicyAcceptanceType:
    row = await policies.accept(info.context.require_user(), version)
    return PolicyAcceptanceType(version=row.version, accepted_at=row.accepted_at)


# Breaches (staff only)
async def _breaches(rows: list) -> list[BreachType]:
    ids = [r.id for r in rows]
    counts = await breaches.affected_counts(ids)
    owed = await breaches.filings(ids)
    now = utcnow()
    return [BreachType.from_model(r, counts.get(r.id, 0), owed.get(r.id, []), now) for r in rows]


def _report(report: BreachReportInput | None) -> breaches.Report | None:
    if report is None:
        return None
    return breaches.Report(
        data_categories=report.data_categories,
        approximate_subjects=report.approximate_subjects,
        approximate_records=report.approximate_records,
        likely_consequences=report.likely_consequences,
        measures=report.measures,
    )


async def admin_breaches(info: Info) -> list[BreachType]:
    info.context.require_admin()
    return await _breaches(await breaches.all_breaches())


async def record_breach(
    info: Info,
    description: str,
    detected_at: datetime,
    affected_user_ids: list[strawberry.ID],
    risk: BreachRisk,
    affected_emails: list[str] | None = None,
    regulators: list[RegulatorKey] | None = None,
    report: BreachReportInput | None = None,
) -> BreachType:
    admin = info.context.require_admin()
    ids = [parse_id(i, "User") for i in affected_user_ids]
    row = await breaches.record(
        admin,
        description,
        detected_at,
        ids,
        risk.value,
        affected_emails=affected_emails,
        regulators=[r.value for r in regulators] if regulators is not None else None,
        report=_report(report),
    )
    return (await _breaches([row]))[0]


async def update_breach_report(
    info: Info, id: strawberry.ID, report: BreachReportInput
) -> BreachType:
    admin = info.context.require_admin()
    row = await breaches.update_report(
        admin, parse_id(id, "Breach"), _report(report) or breaches.Report()
    )
    return (await _breaches([row]))[0]


async def mark_breach_reported(
    info: Info, id: strawberry.ID, regulator: RegulatorKey | None = None
) -> BreachType:
    info.context.require_admin()
    row = await breaches.mark_reported(
        parse_id(id, "Breach"), regulator.value if regulator else None
    )
    return (await _breaches([row]))[0]


async def breach_report(info: Info, id: strawberry.ID) -> Any:
    info.context.require_admin()
    settings = info.context.settings
    return await breaches.report_document(
        parse_id(id, "Breach"), settings.controller_name, settings.contact_email
    )


# Inquiries
async def submit_inquiry(info: Info, email: str, subject: str, message: str) -> InquiryType:
    """Public; a signed-in author also sees it under `myInquiries`."""
    row = await inquiries.submit(info.context.user, email, subject, message)
    await row.fetch_related("replies")
    return InquiryType.from_model(row)


async def my_inquiries(info: Info) -> list[InquiryType]:
    rows = await inquiries.mine(info.context.require_user())
    return [InquiryType.from_model(r) for r in rows]


async def admin_inquiries(info: Info, status: InquiryStatus | None = None) -> list[InquiryType]:
    admin = info.context.require_admin()
    rows = await inquiries.for_admin(admin, status.value if status else None)
    return [InquiryType.from_model(r) for r in rows]


async def reply_to_inquiry(
    info: Info, id: strawberry.ID, body: str, close: bool = False
) -> InquiryType:
    admin = info.context.require_admin()
    row = await inquiries.reply(admin, parse_id(id, "Inquiry"), body, close)
    await row.fetch_related("replies")
    return InquiryType.from_model(row)


async def close_inquiry(info: Info, id: strawberry.ID) -> InquiryType:
    admin = info.context.require_admin()
    row = await inquiries.close(admin, parse_id(id, "Inquiry"))
    await row.fetch_related("replies")
    return InquiryType.from_model(row)
