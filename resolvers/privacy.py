import math
from typing import Any

import strawberry

from domain.errors import Unauthenticated
from domain.privacy import CATEGORIES
from models.privacy import Consent, PrivacyRequest
from resolvers.ids import parse_id
from schema.context import Info
from schema.privacy import (
    ConsentChangeType,
    ConsentPurpose,
    ConsentType,
    DataCategoryType,
    Objection,
    PrivacyInfoType,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    PrivacyRequestType,
)
from schema.register import PrivacyRegisterType
from schema.rights import InviteeCorrectionInput
from services import (
    audit,
    consents,
    data_exports,
    personal_data,
    privacy_requests,
    register,
    sessions,
)
from services.clock import utcnow
from services.passwords import verify_password


async def privacy_info(info: Info) -> PrivacyInfoType:
    settings = info.context.settings
    now = utcnow()
    current = PrivacyRegisterType.from_published(await register.current(now))
    upcoming = await register.upcoming(now)
    return PrivacyInfoType(
        controller=settings.controller_name,
        contact_email=settings.contact_email,
        categories=[DataCategoryType.from_domain(c) for c in CATEGORIES],
        backup_retention_days=math.ceil(settings.backup_retention_days),
        automated_decision_making=False,
        request_answer_days="one calendar month from receipt",
        processors=current.processors,
        storage_locations=current.storage_locations,
        international_transfers=current.international_transfers,
        regulators=current.regulators,
        contact_phone=settings.contact_phone or None,
        register_effective_at=current.effective_at,
        upcoming_register=PrivacyRegisterType.from_published(upcoming) if upcoming else None,
    )


async def my_data(info: Info) -> Any:
    return await personal_data.export(info.context.require_user())


async def delete_account(info: Info, password: str) -> bool:
    user = info.context.require_user()
    await info.context.limit_password_check(user)
    if not await verify_password(user.password_hash, password):
        raise Unauthenticated("Wrong password.")
    await personal_data.erase(user)
    await sessions.announce_ended(users=[user.id])
    return True


def _request(row: PrivacyRequest) -> PrivacyRequestType:
    return PrivacyRequestType.from_model(row, utcnow())


async def my_privacy_requests(info: Info) -> list[PrivacyRequestType]:
    return [_request(r) for r in await privacy_requests.mine(info.context.require_user())]


async def submit_privacy_request(
    info: Info, kind: PrivacyRequestKind, details: str | None = None
) -> PrivacyRequestType:
    user = info.context.require_user()
    return _request(await privacy_requests.submit(user, kind.value, details))


async def submit_invitee_privacy_request(
    info: Info,
    email: str,
    kind: PrivacyRequestKind,
    correction: InviteeCorrectionInput | None = None,
) -> bool:
    """For someone without an account: a confirmation code goes to the address first."""
    await info.context.limit_mail_to(email)
    corrected = (
        privacy_requests.Correction(name=correction.name, time_zone=correction.time_zone)
        if correction is not None
        else None
    )
    await privacy_requests.submit_as_invitee(email, kind.value, corrected)
    return True


async def confirm_privacy_request(info: Info, token: str) -> PrivacyRequestType:
    return _request(await privacy_requests.confirm(token))


async def admin_privacy_requests(
    info: Info, status: PrivacyRequestStatus | None = None
) -> list[PrivacyRequestType]:
    admin = info.context.require_admin()
    rows = await privacy_requests.for_admin(status.value if status else None)
    for subject_id in sorted({r.user_id for r in rows if r.user_id}):
        await audit.record(admin, subject_id, "READ_PRIVACY_REQUESTS", "privacy request review")
    return [_request(r) for r in rows]


async def update_privacy_request(
    info: Info, id: strawberry.ID, status: PrivacyRequestStatus, reason: str | None = None
) -> PrivacyRequestType:
    admin = info.context.require_admin()
    row = await privacy_requests.transition(parse_id(id, "Privacy request"), status.value, reason)
    if row.user_id:
        await audit.record(admin, row.user_id, f"PRIVACY_REQUEST_{status.value}", reason)
    return _request(row)


def _consent(row: Consent) -> ConsentType:
    return ConsentType(
        purpose=ConsentPurpose(row.purpose), granted=row.granted, updated_at=row.updated_at
    )


async def my_consents(info: Info) -> list[ConsentType]:
    return [_consent(row) for row in await consents.current(info.context.require_user())]


async def consent_history(info: Info) -> list[ConsentChangeType]:
    rows = await consents.history(info.context.require_user())
    return [
        ConsentChangeType(purpose=ConsentPurpose(r.purpose), granted=r.granted, at=r.created_at)
        for r in rows
    ]


async def set_consent(info: Info, purpose: ConsentPurpose, granted: bool) -> ConsentType:
    user = info.context.require_user()
    row = await consents.set_consent(user, purpose.value, granted)
    return _consent(row)


async def object_to_processing(info: Info, processing: Objection) -> bool:
    await consents.object_to(info.context.require_user(), processing.value)
    return True


async def record_activity(info: Info, path: str, search: str | None = None) -> bool:
    """Pages viewed and searches: stored only with performance consent; false when not stored."""
    user = info.context.require_user()
    request = info.context.request
    address = request.client.host if request is not None and request.client else None
    return await consents.record_activity(user, path, search, address)


async def erase_client_data(info: Info, email: str) -> int:
    """A host erases one client's details from their bookings, on that client's request."""
    host = info.context.require_user()
    return await personal_data.erase_client(host, email)


async def request_data_export(info: Info) -> str:
    """A one-time download path (`/export/<token>`), valid for 15 minutes."""
    token = await data_exports.create(info.context.require_user())
    return f"/export/{token}"
