"""Acceptable-use enforcement by staff: warn, suspend, reinstate, delete. Each is audited."""

from tortoise.transactions import in_transaction

import db
from domain.errors import BadUserInput, Conflict, NotFound
from models.user import User
from services import accounts, audit, changes, personal_data
from services.clock import utcnow


async def _target(admin: User, user_id: int) -> User:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("User")
    if user.id == admin.id:
        raise BadUserInput("id", "not your own account")
    return user


async def read_data(admin: User, user_id: int, reason: str | None) -> dict:
    """An admin reads everything held about a person: audited."""
    why = audit.reason(reason)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("User")
    await audit.record(admin, user.id, "READ_PERSONAL_DATA", why)
    return await personal_data.export(user)


async def warn(admin: User, user_id: int, reason: str | None) -> None:
    why = audit.reason(reason)
    user = await _target(admin, user_id)
    async with in_transaction():
        await changes.notify(
            [user.id], "ACCOUNT_WARNING", f"A warning about acceptable use: {why}", {}
        )
        await audit.record(admin, user.id, "WARN_USER", why)


async def suspend(admin: User, user_id: int, reason: str | None) -> User:
    """Log-in refused, every token revoked, public booking pages closed."""
    why = audit.reason(reason)
    user = await _target(admin, user_id)
    if user.suspended_at is not None:
        raise Conflict("The account is already suspended.", field="id")
    async with in_transaction():
        user.suspended_at = utcnow()
        await user.save(update_fields=["suspended_at"])
        await accounts.revoke_all(user)
        await changes.availability_changed(user.id)
        await changes.public_data_changed()
        await audit.record(admin, user.id, "SUSPEND_USER", why)
    return user


async def reinstate(admin: User, user_id: int, reason: str | None) -> User:
    why = audit.reason(reason)
    user = await _target(admin, user_id)
    if user.suspended_at is None:
        raise Conflict("The account is not suspended.", field="id")
    async with in_transaction():
        user.suspended_at = None
        await user.save(update_fields=["suspended_at"])
        await changes.availability_changed(user.id)
        await changes.public_data_changed()
        await changes.notify([user.id], "ACCOUNT_REINSTATED", "Your account is active again.", {})
        await audit.record(admin, user.id, "REINSTATE_USER", why)
    return user


async def delete(admin: User, user_id: int, reason: str | None) -> None:
    """The same erasure as `deleteAccount`; the staff record keeps only the account number."""
    why = audit.reason(reason)
    user = await _target(admin, user_id)
    async with in_transaction():
        await personal_data.erase(user)
        await audit.record(admin, None, "DELETE_USER", f"account {user_id}: {why}")
    await db.checkpoint_wal()  # the erasure ran inside the transaction above
