"""Accounts and sessions: sign-up, log-in, tokens, profile correction."""

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, Conflict, Forbidden, Unauthenticated
from models.booking import Booking
from models.user import AuthToken, User
from services import changes, email_verification, event_types, webhooks
from services.clock import utcnow
from services.passwords import hash_password, needs_rehash, verify_password
from services.prepared import Lookup
from services.sessions import SessionLimits
from services.tokens import new_token, token_hash

# last_used_at is refreshed at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEFAULT_LIMITS = SessionLimits()


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    user: User


@dataclass(frozen=True, slots=True)
class SignUp:
    email: str
    password: str
    name: str
    time_zone: str = "UTC"
    company_name: str | None = None


async def _email_taken(email: str, *, except_id: int | None = None) -> bool:
    query = User.filter(email=email)
    if except_id is not None:
        query = query.exclude(id=except_id)
    return await query.exists()


async def _issue_token(user: User) -> str:
    token = new_token("bnm")
    await AuthToken.create(user=user, token_hash=token_hash(token))
    return token


async def sign_up(data: SignUp) -> Session:
    email = validation.email_address(data.email)
    name = validation.text(data.name, field="name", max_length=200)
    password = await asyncio.to_thread(
        validation.password, data.password, personal=(email, data.email, name)
    )
    validation.time_zone(data.time_zone)
    company = None
    if data.company_name is not None:
        company = (
            validation.text(data.company_name, field="companyName", max_length=200, required=False)
            or None
        )
    if await _email_taken(email):
        raise Conflict("An account with this e-mail already exists.", field="email")
    password_hash = await hash_password(password)
    try:
        async with in_transaction():
            user = await User.create(
                email=email,
                name=name,
                password_hash=password_hash,
                time_zone=data.time_zone,
                company_name=company,
            )
            token = await _issue_token(user)
            await email_verification.send_code(user)
    except IntegrityError:  # lost a race for the same e-mail
        raise Conflict("An account with this e-mail already exists.", field="email") from None
    return Session(token, user)


async def log_in(email: str, password: str) -> Session:
    try:
        normalized = validation.email_address(email)
    except BadUserInput:
        normalized = None
    user = await User.get_or_none(email=normalized) if normalized else None
    ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not ok:
        raise Unauthenticated("Wrong e-mail or password.")
    if user.suspended_at is not None:
        raise Forbidden("This account is suspended.")
    async with in_transaction():
        if needs_rehash(user.password_hash):
            user.password_hash = await hash_password(password)
            await user.save(update_fields=["password_hash"])
        token = await _issue_token(user)
    return Session(token, user)


_live_token = Lookup(
    AuthToken,
    str,
    lambda digest: AuthToken.get_or_none(token_hash=digest, revoked_at=None).select_related("user"),
)


@dataclass(frozen=True, slots=True)
class LiveSession:
    user: User
    session_id: int  # the token's row: `Session.id`


async def authenticate_session(
    token: str | None, limits: SessionLimits = DEFAULT_LIMITS
) -> LiveSession | None:
    """The user a live token belongs to and the token's id, or None (unknown, revoked, expired,
    or the account is suspended)."""
    if not token:
        return None
    row = await _live_token(token_hash(token))
    if row is None or row.user.suspended_at is not None:
        return None
    now = utcnow()
    if limits.expired(row, now):
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await AuthToken.filter(id=row.id).update(last_used_at=now)
    return LiveSession(row.user, row.id)


async def authenticate(token: str | None, limits: SessionLimits = DEFAULT_LIMITS) -> User | None:
    """The user a live token belongs to, or None."""
    live = await authenticate_session(token, limits)
    return live.user if live else None


async def log_out(token: str) -> int | None:
    """Revokes the token; its id, or None when it was not live."""
    row = await AuthToken.get_or_none(token_hash=token_hash(token), revoked_at=None)
    if row is None:
        return None
    revoked = await AuthToken.filter(id=row.id, revoked_at=None).update(revoked_at=utcnow())
    return row.id if revoked else None


async def revoke_all(user: User) -> None:
    await AuthToken.filter(user=user, revoked_at=None).update(revoked_at=utcnow())


async def revoke_other_tokens(user: User, keep_token_hash: str | None) -> int:
    """Revokes every live token of `user` but the one hashed `keep_token_hash` (None: all of
    them), e.g. after a password change or reset; returns how many. (Closing the sockets of the
    revoked tokens is the sessions work's, through the event bus.)"""
    query = AuthToken.filter(user_id=user.id, revoked_at=None)
    if keep_token_hash is not None:
        query = query.exclude(token_hash=keep_token_hash)
    return await query.update(revoked_at=utcnow())


async def issue_token(user: User) -> str:
    """A new session token for `user`; call inside the transaction that grants it."""
    return await _issue_token(user)


@dataclass(frozen=True, slots=True)
class ProfileChange:
    name: str | None = None
    email: str | None = None
    time_zone: str | None = None
    company_name: str | None = None
    handle: str | None = None


def _handle(value: str) -> str | None:
    handle = value.strip().lower()
    if handle and not event_types.HANDLE.fullmatch(handle):
        raise BadUserInput("handle", "use 3 to 40 lower-case letters, digits and hyphens")
    return handle or None


async def update_profile(user: User, change: ProfileChange) -> User:
    updates: dict[str, object] = {}
    if change.name is not None:
        updates["name"] = validation.text(change.name, field="name", max_length=200)
    if change.email is not None:
        email = validation.email_address(change.email)
        if email != user.email:
            if await _email_taken(email, except_id=user.id):
                raise Conflict("An account with this e-mail already exists.", field="email")
            updates["email"] = email
    if change.time_zone is not None:
        validation.time_zone(change.time_zone)
        updates["time_zone"] = change.time_zone
    if change.company_name is not None:
        updates["company_name"] = (
            validation.text(
                change.company_name, field="companyName", max_length=200, required=False
            )
            or None
        )
    if change.handle is not None:
        handle = _handle(change.handle)
        if handle != user.handle:
            updates["handle"] = handle
    if not updates:
        return user
    try:
        async with in_transaction():
            if "email" in updates:  # the new address is not proven to be theirs yet
                updates["email_verified_at"] = None
            await User.filter(id=user.id).update(**updates)
            if "name" in updates or "email" in updates:
                await _correct_bookings(user, updates)
            if "email" in updates:
                await email_verification.send_code(await User.get(id=user.id))
            if "name" in updates or "time_zone" in updates:  # what booking pages show of a host
                await changes.public_data_changed()
    except IntegrityError:
        # The unique constraints decided; this only names which one.
        if "handle" in updates and await User.filter(handle=updates["handle"]).exists():
            raise Conflict("This handle is taken.", field="handle") from None
        raise Conflict("An account with this e-mail already exists.", field="email") from None
    return await User.get(id=user.id)


async def _correct_bookings(user: User, updates: dict[str, object]) -> None:
    """Right to correction: hosts holding the person's details in bookings get the corrected
    ones in their records, a notification, and a PERSON_UPDATED webhook."""
    # Only bookings under their own address, once proven theirs: a booker may have booked for
    # someone else, and an unverified address may be someone else's (email_verification.py).
    if user.email_verified_at is None:
        return
    corrected = {
        column: updates[field]
        for field, column in (("name", "attendee_name"), ("email", "attendee_email"))
        if field in updates
    }
    await correct_attendee(user.email, corrected)


async def correct_attendee(address: str, corrected: dict[str, object]) -> int:
    """The bookings made under `address` get the `corrected` columns; each host is told. Call
    inside the transaction of the correction. How many bookings changed."""
    rows = await Booking.filter(attendee_email=address).values_list("id", "host_id")
    if not rows or not corrected:
        return 0
    await Booking.filter(id__in=[booking_id for booking_id, _ in rows]).update(**corrected)
    occurred_at = utcnow().isoformat()
    for host_id in sorted({host for _, host in rows}):
        booking_ids = sorted(b for b, h in rows if h == host_id)
        await changes.notify(
            [host_id],
            "PERSON_UPDATED",
            "A client corrected their details; your bookings show the new ones.",
            {"bookingIds": booking_ids, "bookingId": booking_ids[0]},
        )
        await webhooks.enqueue(
            host_id,
            "PERSON_UPDATED",
            {"kind": "PERSON_UPDATED", "occurredAt": occurred_at, "bookingIds": booking_ids,
             "attendeeName": corrected.get("attendee_name"),
             "attendeeEmail": corrected.get("attendee_email")},
        )  # fmt: skip
    return len(rows)
