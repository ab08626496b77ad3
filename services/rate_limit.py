"""Rate limits (the `limits` library): per client address for anonymous mutations, per account
and address for log-in attempts. In-process by default; in Redis when REDIS_URL is set, so the
limits hold across every worker and host."""

import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from config import Settings
from domain.errors import RateLimited

LOGIN_ATTEMPTS_PER_MINUTE = 10


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_per_minute > 0
        self.storage: Storage = (
            RedisStorage(
                f"async+{settings.redis_url}", implementation="redispy", key_prefix="bnm-limits"
            )
            if settings.redis_url
            else MemoryStorage()
        )
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.anonymous = RateLimitItemPerMinute(max(settings.rate_limit_per_minute, 1))
        self.login = RateLimitItemPerMinute(
            min(LOGIN_ATTEMPTS_PER_MINUTE, max(settings.rate_limit_per_minute, 1))
        )

    async def _hit(self, item: RateLimitItemPerMinute, *key: str) -> None:
        if not self.enabled:
            return
        if not await self.strategy.hit(item, *key):
            reset, _ = await self.strategy.get_window_stats(item, *key)
            raise RateLimited(retry_after=max(1, math.ceil(reset - time.time())))

    async def anonymous_mutation(self, address: str) -> None:
        await self._hit(self.anonymous, "anon", address)

    async def login_attempt(self, email: str, address: str) -> None:
        await self._hit(self.login, "login", email.strip().lower(), address)
