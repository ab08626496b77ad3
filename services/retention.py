"""Retention: each person may keep a purgeable category for less than its default; the purge
deletes what is past its time — past bookings, notifications, technical activity, closed
inquiries — and records every run. Several workers may call `purge`: the run for a time slot is
claimed by inserting its unique PurgeRun row, so exactly one of them carries it out."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from domain.errors import BadUserInput
from domain.privacy import BY_CATEGORY, Category
from models.booking import Booking
from models.governance import Inquiry, PurgeRun, RetentionSetting
from models.notification import Notification
from models.privacy import Activity
from models.user import User
from services import breaches, disclosures
from services.clock import utcnow

MIN_DAYS = 1
PURGE_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Target:
    """Rows of `model` belonging to the person in `owner`, timed by `at`, when `when` holds."""

    model: type[Model]
    owner: str
    at: str
    when: Q


TARGETS: dict[Category, Target] = {
    Category.BOOKING: Target(Booking, "host_id", "end", Q()),
    Category.NOTIFICATION: Target(Notification, "user_id", "created_at", Q()),
    Category.TECHNICAL: Target(Activity, "user_id", "created_at", Q()),
    Category.INQUIRY: Target(Inquiry, "user_id", "closed_at", Q(status="CLOSED")),
}


def default_days(category: Category) -> int:
    return BY_CATEGORY[category].retention_days or 0  # every target has a default


@dataclass(frozen=True, slots=True)
class Retention:
    category: Category
    days: int
    default_days: int

    @property
    def custom(self) -> bool:
        return self.days != self.default_days


async def for_user(user: User) -> list[Retention]:
    chosen = dict(await RetentionSetting.filter(user_id=user.id).values_list("category", "days"))
    return [Retention(c, chosen.get(c.value, default_days(c)), default_days(c)) for c in TARGETS]


async def set_retention(user: User, category: str, days: int) -> Retention:
    key = next((c for c in TARGETS if c.value == category), None)
    if key is None:
        raise BadUserInput("category", f"one of {', '.join(c.value for c in TARGETS)}")
    limit = default_days(key)
    if not MIN_DAYS <= days <= limit:
        raise BadUserInput("days", f"between {MIN_DAYS} and {limit}")
    await RetentionSetting.update_or_create(
        defaults={"days": days}, user_id=user.id, category=key.value
    )
    return Retention(key, days, limit)


async def _purge(category: Category, target: Target, now: datetime) -> int:
    """Deletes rows older than their owner's retention (strictly: a row exactly `days` old
    stays); owners with their own setting first, then everyone else at the default."""
    chosen = await RetentionSetting.filter(category=category.value).values_list("user_id", "days")
    rows = target.model.filter(target.when)
    deleted = 0
    by_days: dict[int, list[int]] = {}
    for user_id, days in chosen:
        by_days.setdefault(days, []).append(user_id)
    for days, user_ids in by_days.items():
        deleted += await rows.filter(
            **{f"{target.owner}__in": user_ids, f"{target.at}__lt": now - timedelta(days=days)}
        ).delete()
    others = rows.filter(**{f"{target.at}__lt": now - timedelta(days=default_days(category))})
    if chosen:
        custom = [user_id for user_id, _ in chosen]
        others = others.filter(
            Q(**{f"{target.owner}__isnull": True}) | ~Q(**{f"{target.owner}__in": custom})
        )
    return deleted + await others.delete()


async def purge_target(category: Category, target: Target, now: datetime) -> int:
    """Deletes `target`'s rows past `category`'s retention (for rows purged by their own job)."""
    return await _purge(category, target, now)


def slot(now: datetime, interval: timedelta = PURGE_INTERVAL) -> str:
    seconds = int(interval.total_seconds())
    return f"{seconds}:{int(now.timestamp()) // seconds}"


async def purge(
    now: datetime | None = None, interval: timedelta = PURGE_INTERVAL
) -> PurgeRun | None:
    """One purge per `interval`, whichever worker claims it; None when another one has."""
    now = now or utcnow()
    try:
        run = await PurgeRun.create(slot=slot(now, interval), started_at=now)
    except IntegrityError:
        return None
    counts: dict[str, Any] = {}
    async with in_transaction():
        for category, target in TARGETS.items():
            counts[category.value] = await _purge(category, target, now)
        # Records kept for everyone alike, with no per-person choice.
        counts["disclosure"] = await disclosures.purge(now)
        counts["breachAddresses"] = await breaches.forget_addresses(now)
        run.counts = counts
        run.finished_at = utcnow()
        await run.save(update_fields=["counts", "finished_at"])
    return run


async def runs(limit: int = 50) -> list[PurgeRun]:
    return await PurgeRun.all().order_by("-started_at", "-id").limit(max(1, min(limit, 500)))
