"""Privacy governance operations: thin; the rules live in services/."""

from datetime import datetime
from typing import Any

import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.governance import (
    Breach,
    BreachRisk,
    Inquiry,
    InquiryStatus,
    Policy,
    PolicyAcceptance,
    PurgeRun,
    Retention,
    RetentionCategory,
)
from schema.user import User
from services import breaches, events, inquiries, moderation, policies, retention, sessions
from services.clock import utcnow


# Audit and acceptable use (staff only)
async def admin_user_data(info: Info, id: strawberry.ID, reason: str) -> Any:
    admin = info.context.require_admin()
    return await moderation.read_data(admin, parse_id(id, "User"), reason)


async def warn_user(info: Info, id: strawberry.ID, reason: str) -> bool:
    admin = info.context.require_admin()
    await moderation.warn(admin, parse_id(id, "User"), reason)
    await events.flush(info.context.bus)
    return True


async def suspend_user(info: Info, id: strawberry.ID, reason: str) -> User:
    admin = info.context.require_admin()
    row = await moderation.suspend(admin, parse_id(id, "User"), reason)
    await sessions.announce_ended(info.context.bus, users=[row.id])
    await events.flush(info.context.bus)
    return User.from_model(row)


async def reinstate_user(info: Info, id: strawberry.ID, reason: str) -> User:
    admin = info.context.require_admin()
    row = await moderation.reinstate(admin, parse_id(id, "User"), reason)
    await events.flush(info.context.bus)
    return User.from_model(row)


async def delete_user(info: Info, id: strawberry.ID, reason: str) -> bool:
    admin = info.context.require_admin()
    user_id = parse_id(id, "User")
    await moderation.delete(admin, user_id, reason)
    await sessions.announce_ended(info.context.bus, users=[user_id])
    await events.flush(info.context.bus)
    return True


# Retention
async def retention_settings(info: Info) -> list[Retention]:
    rows = await retention.for_user(info.context.require_user())
    return [Retention.from_value(r) for r in rows]


async def set_retention(info: Info, category: RetentionCategory, days: int) -> Retention:
    user = info.context.require_user()
    return Retention.from_value(await retention.set_retention(user, category.value, days))


async def purge_runs(info: Info, limit: int = 50) -> list[PurgeRun]:
    info.context.require_admin()
    return [PurgeRun.from_model(r) for r in await retention.runs(limit)]


# Policy versions
async def current_policy(info: Info) -> Policy | None:
    row = await policies.current()
    return Policy.from_model(row) if row else None


async def upcoming_policy(info: Info) -> Policy | None:
    row = await policies.upcoming()
    return Policy.from_model(row) if row else None


async def publish_policy(info: Info, version: str, text: str, effective_at: datetime) -> Policy:
    admin = info.context.require_admin()
    row = await policies.publish(admin, version, text, effective_at)
    await events.flush(info.context.bus)
    return Policy.from_model(row)


async def accept_policy(info: Info, version: str) -> PolicyAcceptance:
    row = await policies.accept(info.context.require_user(), version)
    return PolicyAcceptance(version=row.version, accepted_at=row.accepted_at)


# Breaches (staff only)
async def _breaches(rows: list) -> list[Breach]:
    counts = await breaches.affected_counts([r.id for r in rows])
    now = utcnow()
    return [Breach.from_model(r, counts.get(r.id, 0), now) for r in rows]


async def admin_breaches(info: Info) -> list[Breach]:
    info.context.require_admin()
    return await _breaches(await breaches.all_breaches())


async def record_breach(
    info: Info,
    description: str,
    detected_at: datetime,
    affected_user_ids: list[strawberry.ID],
    risk: BreachRisk,
) -> Breach:
    admin = info.context.require_admin()
    ids = [parse_id(i, "User") for i in affected_user_ids]
    row = await breaches.record(admin, description, detected_at, ids, risk.value)
    await events.flush(info.context.bus)
    return (await _breaches([row]))[0]


async def mark_breach_reported(info: Info, id: strawberry.ID) -> Breach:
    info.context.require_admin()
    row = await breaches.mark_reported(parse_id(id, "Breach"))
    return (await _breaches([row]))[0]


# Inquiries
async def submit_inquiry(info: Info, email: str, subject: str, message: str) -> Inquiry:
    """Public; a signed-in author also sees it under `myInquiries`."""
    row = await inquiries.submit(info.context.user, email, subject, message)
    await row.fetch_related("replies")
    return Inquiry.from_model(row)


async def my_inquiries(info: Info) -> list[Inquiry]:
    rows = await inquiries.mine(info.context.require_user())
    return [Inquiry.from_model(r) for r in rows]


async def admin_inquiries(info: Info, status: InquiryStatus | None = None) -> list[Inquiry]:
    admin = info.context.require_admin()
    rows = await inquiries.for_admin(admin, status.value if status else None)
    return [Inquiry.from_model(r) for r in rows]


async def reply_to_inquiry(
    info: Info, id: strawberry.ID, body: str, close: bool = False
) -> Inquiry:
    admin = info.context.require_admin()
    row = await inquiries.reply(admin, parse_id(id, "Inquiry"), body, close)
    await events.flush(info.context.bus)
    await row.fetch_related("replies")
    return Inquiry.from_model(row)


async def close_inquiry(info: Info, id: strawberry.ID) -> Inquiry:
    admin = info.context.require_admin()
    row = await inquiries.close(admin, parse_id(id, "Inquiry"))
    await row.fetch_related("replies")
    return Inquiry.from_model(row)
