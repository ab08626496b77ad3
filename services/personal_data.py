"""The rights of access, portability and erasure, driven by the personal-data registry.

Every model's rows about a person are found through `OWNERS`, and their fields are exported or
erased as `REGISTRY` declares them: a field added to a model without a declaration fails the
registry test, and once declared it is exported and erased here with no further code.
"""

from datetime import date, datetime
from typing import Any

from tortoise import Tortoise, fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

import db
from domain import rights, validation
from domain.privacy import CATEGORIES
from events import outbox
from events.messages import booking_channel, calendar_channel, notification_channel
from models.booking import CANCELLED, Booking
from models.governance import BreachContact, Disclosure
from models.personal_data import (
    COPIES,
    OWNERS,
    REGISTRY,
    SECRET_PLACEHOLDERS,
    Owner,
    personal_fields,
)
from models.privacy import MailMessage, PrivacyRequest
from models.user import User
from services import (
    bookings,
    changes,
    email_verification,
    erased_copies,
    erasure_ledger,
    teams,
)
from services.clock import utcnow
from services.retry import retrying

ERASED = "[erased]"


def _models() -> dict[str, type[Model]]:
    return dict(Tortoise.apps["models"])


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _rows(model: type[Model], owner: Owner, user: User, *, erasing: bool = False) -> QuerySet[Any]:
    verified = user.email_verified_at is not None  # see services/email_verification.py
    if owner.by_email:
        rows = model.filter(**{owner.field: user.email} if verified else {"pk__in": []})
    elif owner.verified_only and not (verified or erasing):
        rows = model.filter(pk__in=[])
    else:
        rows = model.filter(**{owner.field: user.id})
    if owner.hidden_until and not erasing:
        field = owner.hidden_until
        rows = rows.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": utcnow()}))
    return rows


async def export(user: User) -> dict[str, Any]:
    """Everything held about `user`, by section, with the categories each section holds."""
    sections: dict[str, list[dict[str, Any]]] = {}
    categories: dict[str, set[str]] = {c.category.value: set() for c in CATEGORIES}
    seen: dict[str, set[int]] = {}
    for name, model in _models().items():
        for owner in OWNERS.get(name, ()):
            exported = personal_fields(model)
            placeholders = {
                key: word for (model_name, _), (key, word) in SECRET_PLACEHOLDERS.items()
                if model_name == name
            }  # fmt: skip
            for row in await _rows(model, owner, user).order_by("id"):
                if row.pk in seen.setdefault(owner.section, set()):
                    continue  # e.g. a booking made both by account and by e-mail
                seen[owner.section].add(row.pk)
                item: dict[str, Any] = {"id": row.pk}
                item.update({field: _json(getattr(row, field)) for field in owner.context})
                for field, policy in exported.items():
                    item[field] = _json(getattr(row, field))
                    if item[field] not in (None, "", [], {}):  # an empty field holds nothing
                        categories[policy.category.value].add(owner.section)
                item.update(placeholders)
                sections.setdefault(owner.section, []).append(item)
    sections["clients"] = [
        {
            "name": c.name,
            "email": c.email,
            "bookingCount": c.booking_count,
            "lastBookingAt": c.last_booking_at.isoformat(),
        }
        for c in await bookings.clients(user)
    ]
    if sections["clients"]:
        categories["clients"].add("clients")
    return {
        "generatedAt": utcnow().isoformat(),
        "subject": {"id": user.id, "email": user.email},
        "categories": {key: sorted(value) for key, value in categories.items()},
        "categoriesHeld": _held(categories),
        "processing": _processing(user),
        "data": sections,
    }


def _held(categories: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Art. 15(1): for each category held, beside the data, what it is for and who gets it."""
    return [
        {
            "category": c.category.value,
            "name": c.name,
            "purposes": c.purpose,
            "legalBasis": c.legal_basis,
            "recipients": list(c.recipients),
            "retention": rights.retention_text(c),
            "retentionDays": c.retention_days,
            "source": c.source,
            "sections": sorted(categories[c.category.value]),
        }
        for c in CATEGORIES
        if categories[c.category.value]
    ]


def _processing(user: User) -> dict[str, Any]:
    """Whether processing of their data is restricted or objected to, and what that stops."""
    objections = [
        key
        for key, objected in (
            ("ANALYTICS", user.objects_to_analytics),
            ("MARKETING", user.objects_to_marketing),
        )
        if objected
    ]
    return {
        "restricted": user.restricted,
        "restrictionStops": list(rights.RESTRICTION_STOPS) if user.restricted else [],
        "objections": objections,
        "objectionStops": [rights.OBJECTION_STOPS[key] for key in objections],
    }


def _anonymised(model: type[Model], field: str) -> Any:
    column = model._meta.fields_map[field]
    if column.null:
        return None
    if isinstance(column, fields.JSONField):
        return {}
    if isinstance(column, fields.CharField | fields.TextField):
        return ERASED
    return ...  # not text: kept (a time or a flag identifies nobody without the rest)


def _erased_values(model: type[Model]) -> dict[str, Any]:
    values = {
        field: _anonymised(model, field)
        for field, policy in REGISTRY[model.__name__].items()
        if policy is not None
    }
    return {k: v for k, v in values.items() if v is not ...}


async def _redact_copies(model: type[Model], rows: QuerySet[Any]) -> None:
    """Copies of `rows` in stored payloads get the values the rows are erased with."""
    name = model.__name__
    if name in COPIES:
        found = await rows.values("id", *erased_copies.found_by(name))
        await erased_copies.redact(name, found, _erased_values(model))
        if name == "Booking":  # every message about the booking names its person
            await MailMessage.filter(booking_id__in=[row["id"] for row in found]).delete()


async def anonymise(model: type[Model], rows: QuerySet[Any]) -> int:
    """Overwrites every declared personal field of `rows` (text erased, nullable emptied), and
    of their copies in stored payloads."""
    await _redact_copies(model, rows)
    return await rows.update(**_erased_values(model))


async def erase_client(host: User, email: str) -> int:
    """A host erases one client's data on that client's request: their bookings with this host
    keep only anonymised busy time."""
    address = validation.email_address(email)
    async with in_transaction():
        erased = await anonymise(Booking, Booking.filter(host_id=host.id, attendee_email=address))
        await erasure_ledger.record_client(host, address)
    await db.checkpoint_wal()
    return erased


async def erase_invitee(email: str, *, request_id: int) -> None:
    """Erasure for someone without an account, by e-mail (after they confirmed the request).
    The request being carried out stays on the staff record, without the address."""
    async with in_transaction():
        await anonymise(Booking, Booking.filter(attendee_email=email))
        await MailMessage.filter(to=email).delete()
        await anonymise(BreachContact, BreachContact.filter(email=email))
        await anonymise(Disclosure, Disclosure.filter(email=email))
        others = PrivacyRequest.filter(email=email).exclude(id=request_id)
        await anonymise(PrivacyRequest, others)
        await PrivacyRequest.filter(id=request_id).update(email=None)
        await erasure_ledger.record_address(email)
    await db.checkpoint_wal()


async def erase(user: User) -> None:
    """Erases `user` everywhere: their future bookings with others are cancelled (the hosts are
    told), past ones stay with the hosts only as anonymised busy time; every row owned by them is
    deleted, every personal field of rows they share with others is overwritten."""
    # First out of their teams: team bookings handed on or cancelled with notice, a team they
    # alone owned passed on (its event types with it) or ended.
    await teams.leave_all(user.id)
    await retrying(lambda: _erase(user))
    await db.checkpoint_wal()


async def _erase(user: User) -> None:
    now = utcnow()
    async with in_transaction():
        made_by_them = email_verification.made_by(user)
        upcoming_with_hosts = await Booking.filter(
            made_by_them, start__gt=now, status__not=CANCELLED
        ).values_list("id", "host_id")
        # The hosts first, as every booking transaction takes them: no deadlock with a change
        # of one of these bookings racing the erasure.
        await bookings.lock_hosts(host_id for _, host_id in upcoming_with_hosts)
        upcoming = [booking_id for booking_id, _ in upcoming_with_hosts]
        models = _models()
        for name, owners in OWNERS.items():
            for owner in owners:
                if owner.erase == "anonymise":
                    await anonymise(models[name], _rows(models[name], owner, user, erasing=True))
        # Cancelled after anonymising, so what the hosts are told names nobody.
        for booking in await Booking.filter(id__in=list(upcoming)).select_related(
            "event_type__host"
        ):
            await bookings.cancel(booking, None)
        for name, owners in OWNERS.items():
            for owner in owners:
                if owner.erase == "delete" and name != "User":
                    rows = _rows(models[name], owner, user, erasing=True)
                    await _redact_copies(models[name], rows)
                    await rows.delete()
        await User.filter(id=user.id).delete()
        await erasure_ledger.record_account(user, now)
        # Unpublished events addressed to the erased account: nobody is left to receive them.
        await outbox.discard(
            booking_channel(user.id), notification_channel(user.id), calendar_channel(user.id)
        )
        await changes.public_data_changed()  # their event types are gone
