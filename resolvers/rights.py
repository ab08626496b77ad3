"""Disclosures, restriction and objection: thin; the rules live in services/."""

import strawberry

from domain.rights import OBJECTION_STOPS, RESTRICTION_STOPS
from resolvers.ids import parse_id
from schema.context import Info
from schema.privacy import Objection
from schema.rights import DisclosureInput, DisclosureType, ProcessingStatusType
from schema.user import UserType
from services import consents, disclosures, privacy_requests


async def processing_status(info: Info) -> ProcessingStatusType:
    """Whether processing of my data is restricted or objected to, and what that stops."""
    user = info.context.require_user()
    objections = [
        o
        for o, objected in (
            (Objection.ANALYTICS, user.objects_to_analytics),
            (Objection.MARKETING, user.objects_to_marketing),
        )
        if objected
    ]
    return ProcessingStatusType(
        restricted=user.restricted,
        restriction_stops=list(RESTRICTION_STOPS) if user.restricted else [],
        objections=objections,
        objection_stops=[OBJECTION_STOPS[o.value] for o in objections],
    )


async def withdraw_objection(info: Info, processing: Objection) -> bool:
    await consents.withdraw_objection(info.context.require_user(), processing.value)
    return True


async def lift_restriction(info: Info, user_id: strawberry.ID, reason: str) -> UserType:
    admin = info.context.require_admin()
    row = await privacy_requests.lift_restriction(admin, parse_id(user_id, "User"), reason)
    return UserType.from_model(row)


async def record_disclosure(info: Info, input: DisclosureInput, reason: str) -> DisclosureType:
    admin = info.context.require_admin()
    entry = disclosures.Record(
        reason=input.reason.value,
        recipient=input.recipient,
        legal_basis=input.legal_basis,
        data=input.data,
        disclosed_at=input.disclosed_at,
        user_id=parse_id(input.user_id, "User") if input.user_id is not None else None,
        email=input.email,
        hold_until=input.hold_until,
    )
    return DisclosureType.from_model(await disclosures.record(admin, entry, reason))


async def end_disclosure_hold(info: Info, id: strawberry.ID, reason: str) -> DisclosureType:
    admin = info.context.require_admin()
    row = await disclosures.end_hold(admin, parse_id(id, "Disclosure"), reason)
    return DisclosureType.from_model(row)


async def admin_disclosures(
    info: Info, user_id: strawberry.ID | None = None
) -> list[DisclosureType]:
    info.context.require_admin()
    subject = parse_id(user_id, "User") if user_id is not None else None
    return [DisclosureType.from_model(r) for r in await disclosures.for_admin(subject)]
