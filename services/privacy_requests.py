"""Privacy requests: every GDPR right can be asked for, answered within a month, and tracked.

Account holders file requests signed in; an invitee without an account files by e-mail and must
confirm through a token sent to that address (services/mail) before anything happens,
so nobody can act on another person's data.
"""

from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

import db
from domain import validation
from domain.errors import BadUserInput, Conflict, NotFound
from domain.months import add_one_month
from domain.privacy import request_overdue
from models.booking import Booking
from models.governance import Disclosure
from models.privacy import PrivacyRequest
from models.user import User
from services import accounts, audit, changes, personal_data
from services.clock import utcnow
from services.mail import outbox as mail
from services.mail import runtime as mail_runtime
from services.tokens import new_token, token_hash

KINDS = (
    "ACCESS",
    "CORRECTION",
    "ERASURE",
    "RESTRICTION",
    "OBJECTION",
    "PORTABILITY",
    "WITHDRAW_CONSENT",
    "AUTOMATED_DECISION",
)
INVITEE_KINDS = ("ACCESS", "ERASURE", "CORRECTION")
TRANSITIONS = {
    "RECEIVED": ("IN_PROGRESS", "REJECTED"),
    "IN_PROGRESS": ("COMPLETED", "REJECTED"),
}
CONFIRMATION_VALIDITY = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Correction:
    """What an invitee asks to be corrected in the bookings made under their address."""

    name: str | None = None
    time_zone: str | None = None

    def columns(self) -> dict[str, str]:
        values = {}
        if self.name is not None:
            values["attendee_name"] = validation.text(
                self.name, field="correction.name", max_length=200
            )
        if self.time_zone is not None:
            validation.time_zone(self.time_zone, field="correction.timeZone")
            values["attendee_time_zone"] = self.time_zone
        return values


def _details(details: str | None) -> str | None:
    if details is None:
        return None
    return validation.text(details, field="details", max_length=5000, required=False) or None


async def submit(user: User, kind: str, details: str | None) -> PrivacyRequest:
    if kind not in KINDS:
        raise BadUserInput("kind", f"must be one of {', '.join(KINDS)}")
    now = utcnow()
    return await PrivacyRequest.create(
        user=user,
        kind=kind,
        details=_details(details),
        created_at=now,
        due_at=add_one_month(now),
        confirmed_at=now,
    )


async def submit_as_invitee(email: str, kind: str, correction: Correction | None = None) -> None:
    """Answers the same whether or not we hold anything about the address (no enumeration)."""
    address = validation.email_address(email)
    if kind not in INVITEE_KINDS:
        raise BadUserInput("kind", f"by e-mail only {', '.join(INVITEE_KINDS)}")
    corrected = correction.columns() if correction else {}
    if kind == "CORRECTION" and not corrected:
        raise BadUserInput("correction", "say what to correct (name, timeZone)")
    if kind != "CORRECTION" and correction is not None:
        raise BadUserInput("correction", "only with kind CORRECTION")
    token = new_token("bnm_p")
    now = utcnow()
    async with in_transaction():
        request = await PrivacyRequest.create(
            email=address,
            kind=kind,
            correction=corrected or None,
            confirm_token_hash=token_hash(token),
            created_at=now,
            due_at=add_one_month(now),
        )
        await mail.notice(
            to=address,
            kind="PRIVACY_CODE",
            subject=f"Confirm your {kind.lower()} request",
            body=(
                f"Someone asked Book N Meet for the {kind.lower()} of data about this address "
                f"(request {request.id}). If it was you, confirm with this code: {token}\n"
                f"or open {mail_runtime.base_url()}/privacy#code={token}\n"
                "If not, ignore this message: nothing happens without it."
            ),
        )


async def confirm(token: str) -> PrivacyRequest:
    request = await PrivacyRequest.get_or_none(
        confirm_token_hash=token_hash(token), confirmed_at=None
    )
    if request is None or utcnow() - request.created_at > CONFIRMATION_VALIDITY:
        raise NotFound("Privacy request")
    request.confirmed_at = utcnow()
    request.confirm_token_hash = None
    await request.save(update_fields=["confirmed_at", "confirm_token_hash"])
    return request


async def mine(user: User) -> list[PrivacyRequest]:
    return await PrivacyRequest.filter(user=user).order_by("-id")


async def for_admin(status: str | None) -> list[PrivacyRequest]:
    """Confirmed requests, overdue first, then by due date."""
    query = PrivacyRequest.exclude(confirmed_at=None)
    if status:
        query = query.filter(status=status)
    rows = await query.order_by("due_at", "id")
    now = utcnow()
    return sorted(rows, key=lambda r: (not request_overdue(r.status, r.due_at, now), r.due_at))


async def transition(request_id: int, status: str, reason: str | None) -> PrivacyRequest:
    request = await PrivacyRequest.get_or_none(id=request_id).exclude(confirmed_at=None)
    if request is None:
        raise NotFound("Privacy request")
    if status not in TRANSITIONS.get(request.status, ()):
        raise Conflict(f"A {request.status} request cannot become {status}.", field="status")
    if status in ("COMPLETED", "REJECTED") and not (reason and reason.strip()):
        raise BadUserInput("reason", "say why the request was completed or rejected")
    async with in_transaction():
        request.status = status
        request.resolution = _details(reason)
        if status in ("COMPLETED", "REJECTED"):
            request.resolved_at = utcnow()
        await request.save(update_fields=["status", "resolution", "resolved_at"])
        if status == "COMPLETED":
            await _carry_out(request)
        message = f"Your {request.kind.lower()} request is now {status.lower().replace('_', ' ')}"
        if request.user_id:
            await changes.notify(
                [request.user_id], "PRIVACY_REQUEST", message, {"requestId": request.id}
            )
        elif request.email:
            await mail.notice(
                to=request.email, kind="PRIVACY_REQUEST", subject=message, body=message
            )
    if status == "COMPLETED" and request.kind == "ERASURE":
        await db.checkpoint_wal()  # the erasure ran inside the transaction above
    return request


async def _carry_out(request: PrivacyRequest) -> None:
    """What completing a request does by itself (the rest is the operator's reply)."""
    if request.kind == "RESTRICTION" and request.user_id:
        await User.filter(id=request.user_id).update(restricted=True)
    if request.email and request.kind == "CORRECTION" and request.correction:
        await accounts.correct_attendee(request.email, dict(request.correction))
    if request.email and request.kind == "ERASURE":
        await personal_data.erase_invitee(request.email, request_id=request.id)
        request.email = None  # erased with the rest: nobody left to tell
    if request.email and request.kind == "ACCESS":
        rows = await Booking.filter(attendee_email=request.email).select_related("event_type")
        lines = [
            f"- {b.event_type.title} on {b.start.isoformat()} as {b.attendee_name} "
            f"({b.status}); notes: {b.notes or '-'}"
            for b in rows
        ]
        disclosed = await Disclosure.filter(
            Q(hold_until__isnull=True) | Q(hold_until__lte=utcnow()), email=request.email
        ).order_by("disclosed_at")
        lines += [
            f"- Disclosed on {d.disclosed_at.isoformat()} to {d.recipient} "
            f"({d.legal_basis}): {d.data}"
            for d in disclosed
        ]
        await mail.notice(
            to=request.email,
            kind="PRIVACY_REPORT",
            subject="The data Book N Meet holds about this address",
            body="\n".join(lines) or "We hold no bookings for this address.",
        )


async def lift_restriction(admin: User, user_id: int, why: str | None) -> User:
    """Art. 18(3): staff lift a restriction for a stated reason (audited); the person is told,
    in the app and by e-mail, as it happens."""
    reason = audit.reason(why)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("User")
    async with in_transaction():
        if not await User.filter(id=user_id, restricted=True).update(restricted=False):
            raise Conflict("Processing of this person's data is not restricted.", field="userId")
        message = "The restriction of processing of your data has been lifted: " + reason
        await changes.notify([user_id], "RESTRICTION_LIFTED", message, {})
        await mail.notice(
            to=user.email,
            user_id=user_id,
            kind="RESTRICTION_LIFTED",
            subject="The restriction of processing of your data is lifted",
            body=message,
        )
        await audit.record(admin, user_id, "LIFT_RESTRICTION", reason)
    user.restricted = False
    return user
