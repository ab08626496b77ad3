"""Proof that an account holder receives mail at the account's address.

Anyone can book under any address, and an account sees, corrects and erases the bookings made
under its address (myData, the export, updateProfile, deleteAccount). Without proof, whoever
signed up with someone else's address could read and change that person's bookings. So sign-up
and every change of address mail a code (services/mail); until it comes back through
`verifyEmail`, the account holds only the bookings made while signed in to it.
"""

from datetime import timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain.errors import BadUserInput, RateLimited
from models.user import User
from services.clock import utcnow
from services.mail import outbox as mail
from services.tokens import new_token, token_hash

CODE_VALIDITY = timedelta(days=2)
RESEND_INTERVAL = timedelta(minutes=1)


async def send_code(user: User) -> None:
    """A new code to the account's current address; earlier codes stop working. Call inside
    the transaction that created the account or changed its address."""
    code = new_token("bnm_v")
    now = utcnow()
    await User.filter(id=user.id).update(email_code_hash=token_hash(code), email_code_sent_at=now)
    user.email_code_hash, user.email_code_sent_at = token_hash(code), now
    await mail.notice(
        to=user.email,
        user_id=user.id,
        kind="VERIFY_EMAIL",
        subject="Confirm your e-mail address",
        body=(
            f"Confirm that this address is yours with this code: {code}\nIt is valid for two "
            "days. Until then, bookings made under this address without signing in do not show "
            "in your account. If you did not sign up for Book N Meet, ignore this message."
        ),
    )


async def verify(code: str) -> None:
    now = utcnow()
    verified = await User.filter(
        email_code_hash=token_hash(code.strip()), email_code_sent_at__gt=now - CODE_VALIDITY
    ).update(email_verified_at=now, email_code_hash=None)
    if not verified:
        raise BadUserInput("code", "Invalid or expired code.")


async def resend(user: User) -> bool:
    """False when there is nothing to confirm."""
    if user.email_verified_at is not None:
        return False
    sent = user.email_code_sent_at
    if sent is not None and utcnow() - sent < RESEND_INTERVAL:
        raise RateLimited(int((RESEND_INTERVAL - (utcnow() - sent)).total_seconds()) + 1)
    async with in_transaction():
        await send_code(user)
    return True


def made_by(user: User) -> Q:
    """The bookings that are the account's as a booker: made while signed in to it, and made
    under its address once that is verified."""
    if user.email_verified_at is None:
        return Q(booker_id=user.id)
    return Q(booker_id=user.id) | Q(attendee_email=user.email)
