"""Consent per purpose, with an append-only history, and what withdrawing it stops at once."""

import ipaddress

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import BadUserInput
from models.calendar import LinkedCalendar, OAuthState
from models.privacy import Activity, Consent, ConsentEvent
from models.user import User
from services import changes

PURPOSES = ("PERFORMANCE_COOKIES", "FUNCTIONALITY_COOKIES", "MARKETING", "CALENDAR_ACCESS")
OBJECTIONS = ("ANALYTICS", "MARKETING")


async def granted(user: User, purpose: str) -> bool:
    consent = await Consent.get_or_none(user_id=user.id, purpose=purpose)
    return bool(consent and consent.granted)


async def set_consent(user: User, purpose: str, grant: bool) -> Consent:
    if purpose not in PURPOSES:
        raise BadUserInput("purpose", f"must be one of {', '.join(PURPOSES)}")
    async with in_transaction():
        consent, created = await Consent.get_or_create(
            user_id=user.id, purpose=purpose, defaults={"granted": grant}
        )
        if not created:
            consent.granted = grant
            await consent.save(update_fields=["granted", "updated_at"])
        await ConsentEvent.create(user_id=user.id, purpose=purpose, granted=grant)
        # Withdrawal unlinks every calendar; their busy times, credentials and pending writes go
        # with them (cascade). Events already written stay in the user's own calendars.
        if purpose == "CALENDAR_ACCESS" and not grant:
            await OAuthState.filter(user_id=user.id).delete()
            linked = await LinkedCalendar.filter(owner_id=user.id).select_for_update()
            if linked:
                await LinkedCalendar.filter(owner_id=user.id).delete()
                for calendar in linked:
                    await changes.calendar_changed(user.id, calendar)
                await changes.availability_changed(user.id)
        if purpose == "PERFORMANCE_COOKIES" and not grant:
            await Activity.filter(user_id=user.id).delete()
    return consent


async def current(user: User) -> list[Consent]:
    return await Consent.filter(user_id=user.id).order_by("purpose")


async def history(user: User) -> list[ConsentEvent]:
    return await ConsentEvent.filter(user_id=user.id).order_by("id")


async def object_to(user: User, processing: str) -> User:
    """Art. 21: stops that processing at once, no request needed."""
    if processing not in OBJECTIONS:
        raise BadUserInput("processing", f"must be one of {', '.join(OBJECTIONS)}")
    async with in_transaction():
        if processing == "ANALYTICS":
            await User.filter(id=user.id).update(objects_to_analytics=True)
            await Activity.filter(user_id=user.id).delete()
            user.objects_to_analytics = True
        else:
            await User.filter(id=user.id).update(objects_to_marketing=True)
            await set_consent(user, "MARKETING", False)
            user.objects_to_marketing = True
    return user


async def withdraw_objection(user: User, processing: str) -> User:
    """The objection ends; the processing may resume only as consent allows (a marketing
    consent withdrawn with the objection stays withdrawn until given again)."""
    if processing not in OBJECTIONS:
        raise BadUserInput("processing", f"must be one of {', '.join(OBJECTIONS)}")
    field = "objects_to_analytics" if processing == "ANALYTICS" else "objects_to_marketing"
    await User.filter(id=user.id).update(**{field: False})
    setattr(user, field, False)
    return user


def truncate_ip(address: str | None) -> str | None:
    """Keep the network, not the device: /24 for IPv4, /48 for IPv6."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


async def record_activity(user: User, path: str, search: str | None, address: str | None) -> bool:
    """Stored only with performance consent, never under restriction or objection."""
    path = validation.text(path, field="path", max_length=500)
    if search is not None:
        search = validation.text(search, field="search", max_length=500, required=False) or None
    if user.restricted or user.objects_to_analytics:
        return False
    if not await granted(user, "PERFORMANCE_COOKIES"):
        return False
    await Activity.create(user_id=user.id, path=path, search=search, ip_prefix=truncate_ip(address))
    return True


async def may_market(user: User) -> bool:
    """Marketing only with consent, and never under restriction or objection."""
    return (
        not user.restricted and not user.objects_to_marketing and await granted(user, "MARKETING")
    )
