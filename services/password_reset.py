"""Passwords: a reset link by e-mail, the reset itself, and a change by the signed-in holder.

A reset token is random, stored only as its SHA-256, valid for RESET_VALIDITY and spent by one
conditional UPDATE (of two racing uses exactly one wins). Asking for a reset answers the same for
every well-formed address, known or not, and sends at most RESETS_PER_HOUR links an account an
hour. A reset revokes every token of the account and every other reset link; a change revokes
every token but the caller's."""

import asyncio
from datetime import timedelta

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput, Conflict, Forbidden
from models.user import PasswordReset, User
from services import accounts, sessions
from services.clock import utcnow
from services.mail import outbox as mail
from services.mail import runtime
from services.passwords import hash_password, verify_password
from services.tokens import new_token, token_hash

RESET_VALIDITY = timedelta(minutes=30)
RESETS_PER_HOUR = 3
INVALID = "This reset link is invalid, used or expired; ask for a new one."


async def request_reset(email: str) -> None:
    try:
        address = validation.email_address(email)
    except BadUserInput:
        return  # the contract answers true whatever was typed; no account has such an address
    user = await User.get_or_none(email=address)
    if user is None or user.suspended_at is not None:
        return  # the same answer: no enumeration of accounts
    now = utcnow()
    recent = await PasswordReset.filter(
        user_id=user.id, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= RESETS_PER_HOUR:
        return  # a mailbox is not flooded; the answer stays the same
    token = new_token("bnm_r")
    url = f"{runtime.base_url()}/reset-password?token={token}"
    async with in_transaction():
        await PasswordReset.create(
            user_id=user.id, token_hash=token_hash(token), expires_at=now + RESET_VALIDITY
        )
        await mail.notice(
            to=user.email,
            user_id=user.id,
            kind="PASSWORD_RESET",
            subject="Reset your Book N Meet password",
            body=(
                "Someone asked to reset the password of your Book N Meet account. If it was "
                "you, choose a new one with the link below; it works once, for 30 minutes.\n"
                "If it was not you, ignore this message: your password stays as it is."
            ),
            link=mail.Link("Choose a new password", url),
        )


async def reset(token: str, new_password: str) -> accounts.Session:
    password = await asyncio.to_thread(validation.password, new_password, field="newPassword")
    password_hash = await hash_password(password)
    digest = token_hash(token.strip())
    async with in_transaction():
        now = utcnow()
        spent = await PasswordReset.filter(
            token_hash=digest, used_at=None, expires_at__gt=now
        ).update(used_at=now)
        if not spent:
            raise BadUserInput("token", INVALID)
        user = (await PasswordReset.get(token_hash=digest).select_related("user")).user
        if user.suspended_at is not None:
            raise Forbidden("This account is suspended.")
        await User.filter(id=user.id).update(password_hash=password_hash)
        await PasswordReset.filter(user_id=user.id, used_at=None).update(used_at=now)
        await accounts.revoke_other_tokens(user, keep_token_hash=None)
        await sessions.announce_ended(users=[user.id])  # their WebSockets close (4401)
        session_token = await accounts.issue_token(user)
    user.password_hash = password_hash
    return accounts.Session(session_token, user)


async def change(user: User, current_token: str | None, current: str, new_password: str) -> None:
    """`current_token`: the caller's token, which stays live (None over a WebSocket: all go)."""
    if not await verify_password(user.password_hash, current):
        raise BadUserInput("currentPassword", "Wrong password.")
    password = await asyncio.to_thread(
        validation.password, new_password, field="newPassword", personal=(user.email, user.name)
    )
    password_hash = await hash_password(password)
    async with in_transaction():
        # Conditional on the hash the caller proved: of two racing changes one wins.
        changed = await User.filter(id=user.id, password_hash=user.password_hash).update(
            password_hash=password_hash
        )
        if not changed:
            raise Conflict("The password was changed meanwhile.", field="currentPassword")
        keep = token_hash(current_token) if current_token else None
        await accounts.revoke_other_tokens(user, keep_token_hash=keep)
        await sessions.announce_ended(users=[user.id])  # their other WebSockets close (4401)
        await PasswordReset.filter(user_id=user.id, used_at=None).update(used_at=utcnow())
    user.password_hash = password_hash
