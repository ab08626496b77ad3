"""Rate limits (the `limits` library): per client address for anonymous mutations; per e-mail
address (as normalised for the account lookup) and client, and per e-mail address overall, for
log-in attempts; per account for operations that check a password; per recipient for operations
that mail an address the caller names. In-process by default; in Redis when REDIS_URL is set, so
the limits hold across every worker and host. While that Redis cannot be reached each process
falls back to its own limits (logged); no message to a client names the infrastructure."""

import asyncio
import logging
import math
import time
import unicodedata

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from config import Settings
from domain import validation
from domain.errors import BadUserInput, RateLimited

log = logging.getLogger(__name__)

LOGIN_ATTEMPTS_PER_MINUTE = 10
# One account, from any number of client addresses.
LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE = 30
MAILS_PER_RECIPIENT_PER_HOUR = 5
# How long a Redis call may take before the per-process limits answer instead, and how long
# those answer alone after a failure before Redis is tried again.
SHARED_TIMEOUT_SECONDS = 1.0
SHARED_RETRY_SECONDS = 5.0


def address_key(email: str) -> str:
    """One key for every spelling that reaches one account: the address as the log-in lookup
    normalises it (domain through IDNA, case folded), then NFKC (fullwidth letters)."""
    try:
        normalized = validation.email_address(email)
    except BadUserInput:
        normalized = email.strip()
    return unicodedata.normalize("NFKC", normalized).casefold()


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_per_minute > 0
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.shared = (
            MovingWindowRateLimiter(
                RedisStorage(
                    f"async+{settings.redis_url}",
                    implementation="redispy",
                    key_prefix="bnm-limits",
                    socket_connect_timeout=SHARED_TIMEOUT_SECONDS,
                )
            )
            if settings.redis_url
            else None
        )
        self._shared_retry_at = 0.0
        per_minute = max(settings.rate_limit_per_minute, 1)
        self.anonymous = RateLimitItemPerMinute(per_minute)
        self.login = RateLimitItemPerMinute(min(LOGIN_ATTEMPTS_PER_MINUTE, per_minute))
        self.login_account = RateLimitItemPerMinute(
            min(LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE, per_minute)
        )
        self.mail = RateLimitItemPerHour(MAILS_PER_RECIPIENT_PER_HOUR)

    async def _hit(self, item: RateLimitItem, *key: str) -> None:
        if not self.enabled:
            return
        strategy, allowed = await self._take(item, key)
        if not allowed:
            try:
                async with asyncio.timeout(SHARED_TIMEOUT_SECONDS):
                    reset, _ = await strategy.get_window_stats(item, *key)
            except Exception:  # Redis went away in between: an honest upper bound
                reset = time.time() + item.get_expiry()
            raise RateLimited(retry_after=max(1, math.ceil(reset - time.time())))

    async def _take(
        self, item: RateLimitItem, key: tuple[str, ...]
    ) -> tuple[MovingWindowRateLimiter, bool]:
        """One hit: in Redis when it answers, else in this process."""
        if self.shared is not None and time.monotonic() >= self._shared_retry_at:
            try:
                async with asyncio.timeout(SHARED_TIMEOUT_SECONDS):
                    return self.shared, await self.shared.hit(item, *key)
            except Exception as exc:
                self._shared_retry_at = time.monotonic() + SHARED_RETRY_SECONDS
                log.warning(
                    "rate limits: Redis unavailable (%s: %s); per-process limits for %.0f s",
                    type(exc).__name__,
                    exc,
                    SHARED_RETRY_SECONDS,
                )
        return self.local, await self.local.hit(item, *key)

    async def anonymous_mutation(self, address: str) -> None:
        await self._hit(self.anonymous, "anon", address)

    async def login_attempt(self, email: str, address: str) -> None:
        account = address_key(email)
        await self._hit(self.login, "login", account, address)
        await self._hit(self.login_account, "login-account", account)

    async def password_check(self, user_id: int, address: str) -> None:
        """An operation of a signed-in caller that verifies their password (a stolen token must
        not become an unlimited password oracle)."""
        await self._hit(self.login, "password", str(user_id))
        await self._hit(self.anonymous, "password-from", address)

    async def mail_to(self, recipient: str, address: str) -> None:
        """An operation that e-mails an address the caller names, whoever the caller is."""
        await self._hit(self.anonymous, "mail-from", address)
        await self._hit(self.mail, "mail-to", address_key(recipient))
