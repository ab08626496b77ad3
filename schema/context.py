"""The one typed context every resolver receives (`Info[Context, None]`)."""

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from config import Settings
from domain.errors import Forbidden, Unauthenticated
from events.bus import EventBus, MemoryBus
from events.outbox import Outbox
from models.user import User
from observability import new_request_id
from schema.loaders import Loaders
from services.rate_limit import RateLimiter


@dataclass
class Context:
    settings: Settings
    bus: EventBus = field(default_factory=MemoryBus)
    request: Any = None
    response: Any = None
    user: User | None = None
    token: str | None = None
    session_id: int | None = None  # the token's `Session.id`
    # Filled by strawberry on WebSocket connections from the connection_init payload.
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(default_factory=Loaders)
    request_id: str = field(default_factory=new_request_id)
    limiter: RateLimiter | None = None
    # Publishes what the operation wrote to the outbox once it is over (schema/pipeline.py).
    outbox: Outbox = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.outbox is None:
            self.outbox = Outbox(self.bus)

    def require_user(self) -> User:
        if self.user is None:
            raise Unauthenticated()
        return self.user

    @property
    def user_id(self) -> int | None:
        """Who asks (None: anonymous), e.g. for what only a host sees of its own event types."""
        return self.user.id if self.user is not None else None

    @property
    def client_address(self) -> str:
        client = getattr(self.request, "client", None)
        return client.host if client else "unknown"

    async def limit_anonymous_mutation(self) -> None:
        if self.limiter is not None and self.user is None:
            await self.limiter.anonymous_mutation(self.client_address)

    async def limit_login(self, email: str) -> None:
        if self.limiter is not None:
            await self.limiter.login_attempt(email, self.client_address)

    async def limit_password_check(self, user: User) -> None:
        if self.limiter is not None:
            await self.limiter.password_check(user.id, self.client_address)

    async def limit_mail_to(self, recipient: str) -> None:
        """Signed in or not: each operation that e-mails an address the caller chose."""
        if self.limiter is not None:
            await self.limiter.mail_to(recipient, self.client_address)

    def require_admin(self) -> User:
        user = self.require_user()
        if user.role != "admin":
            raise Forbidden("Staff only.")
        return user


Info = StrawberryInfo[Context, None]


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
