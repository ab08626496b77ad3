"""Sessions: an account's bearer tokens, their expiry, and word to every worker when one ends.

A token is live while it is not revoked, younger than `max_age` and used within `idle`. When a
token is revoked or its account suspended or erased, `announce_ended` tells every process through
the outbox and the event bus, after the commit, so that WebSockets signed in with it close
(subscriptions/sessions.py). The message is only a hint: each process asks the database which
tokens still live.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from config import Settings
from domain.errors import NotFound
from events import outbox
from events.messages import SessionsEnded
from models.user import AuthToken, User
from services.clock import utcnow

log = logging.getLogger(__name__)

# `in` lists of ids are sent in chunks of this size.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class SessionLimits:
    idle: timedelta = timedelta(days=30)
    max_age: timedelta = timedelta(days=90)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SessionLimits":
        return cls(
            idle=timedelta(days=settings.session_idle_days),
            max_age=timedelta(days=settings.session_max_days),
        )

    def expired(self, token: AuthToken, now: datetime) -> bool:
        last_used = token.last_used_at or token.created_at
        return now - token.created_at > self.max_age or now - last_used > self.idle

    def live(self, now: datetime) -> Q:
        """The filter of live tokens, as `expired` decides."""
        used_recently = Q(last_used_at__gt=now - self.idle) | Q(
            last_used_at=None, created_at__gt=now - self.idle
        )
        return Q(revoked_at=None, created_at__gt=now - self.max_age) & used_recently


async def live_sessions(user: User, limits: SessionLimits) -> list[AuthToken]:
    """The account's live tokens, newest first."""
    return await AuthToken.filter(limits.live(utcnow()), user_id=user.id).order_by("-id")


async def revoke(user: User, session_id: int, limits: SessionLimits) -> None:
    """Ends one of the account's live tokens; anyone else's, or a dead one, is not found."""
    revoked = await AuthToken.filter(limits.live(utcnow()), id=session_id, user_id=user.id).update(
        revoked_at=utcnow()
    )
    if not revoked:
        raise NotFound("Session")


async def still_live(session_ids: Iterable[int], limits: SessionLimits) -> set[int]:
    """Those of the tokens that are live, of an account that is not suspended."""
    ids = sorted(set(session_ids))
    live: set[int] = set()
    now = utcnow()
    for start in range(0, len(ids), CHUNK):
        rows = await AuthToken.filter(
            limits.live(now), id__in=ids[start : start + CHUNK], user__suspended_at=None
        ).values_list("id", flat=True)
        live.update(rows)
    return live


async def touch(session_ids: Iterable[int], limits: SessionLimits, resolution: timedelta) -> None:
    """An open WebSocket uses its token: it does not fall idle while the socket stays. A token
    that expired already stays expired."""
    ids = sorted(set(session_ids))
    now = utcnow()
    stale = Q(last_used_at=None) | Q(last_used_at__lt=now - resolution)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        await AuthToken.filter(limits.live(now), stale, id__in=chunk).update(last_used_at=now)


async def announce_ended(*, sessions: Iterable[int] = (), users: Iterable[int] = ()) -> None:
    """Tokens by id, or every token of these accounts, ended: published after the operation's
    commit by the outbox (events/outbox.py). When the bus is down the sockets still close at
    their worker's next periodic check."""
    await outbox.write(
        SessionsEnded(
            sessions=tuple(sorted(sessions)), users=tuple(sorted(users)), occurred_at=utcnow()
        )
    )
