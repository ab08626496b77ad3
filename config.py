"""All configuration, read from the environment in one place (see README: Configuration)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite://booknmeet.sqlite3"


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def normalize_database_url(url: str) -> str:
    """tortoise wants `postgres://`; people also write `postgresql://`."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    calendar_allowed_hosts: tuple[str, ...] = ()
    rate_limit_per_minute: int = 60
    allowed_origins: tuple[str, ...] = ()
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    introspection: bool = True
    controller_name: str = "Book N Meet"
    contact_email: str = "privacy@booknmeet.example"
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_query_cost: int = 5000
    max_body_bytes: int = 256 * 1024
    reminder_poll_seconds: float = 30.0
    outbox_poll_seconds: float = 2.0
    calendar_sync_minutes: float = 15.0
    bus_prefix: str = "bnm:"
    # How often a worker looks for calendars due a sync.
    calendar_tick_seconds: float = 60.0
    # How often a worker tries to claim the (hourly) retention purge.
    retention_purge_seconds: float = 600.0
    encryption_key: str | None = None
    # Answers to anonymous public queries (web/public_cache.py). Invalidated after each commit
    # that changes what they read; the TTL bounds what a lost invalidation could leave stale.
    public_cache: bool = True
    public_cache_entries: int = 1024
    public_cache_ttl_seconds: float = 10.0
    # permessage-deflate costs a zlib context per connection (tens of KiB) and CPU per frame, for
    # frames of a few hundred bytes: off unless asked for.
    ws_compression: bool = False
    # Full garbage collections run on this schedule instead of whenever CPython decides
    # (gc_policy.py).
    gc_full_seconds: float = 600.0
    # A WebSocket (either protocol) that sends no connection_init in time is closed (4408).
    ws_init_timeout_seconds: float = 30.0
    # Operations one WebSocket connection may run at once; one more is refused with an error.
    ws_max_subscriptions: int = 50
    # E-mail (services/mail). public_url None: http://HOST:PORT. mail_url None: the dev mailbox.
    public_url: str | None = None
    mail_url: str | None = None
    mail_from: str = "Book N Meet <no-reply@localhost>"
    # How often a worker looks for mail to send (a booking's mail leaves within about this).
    mail_poll_seconds: float = 1.0
    # First pause after a failed attempt; it doubles (with jitter) up to 10 minutes.
    mail_retry_seconds: float = 5.0
    # A message not delivered within this long after it was written is given up (FAILED).
    mail_give_up_hours: float = 48.0
    # SMTP connections one worker opens at once.
    mail_connections: int = 8

    @property
    def base_url(self) -> str:
        """PUBLIC_URL without a trailing slash: the base of links in e-mails."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        d = cls()
        return cls(
            host=env.get("HOST", d.host),
            port=int(env.get("PORT", d.port)),
            database_url=normalize_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            redis_url=env.get("REDIS_URL") or None,
            calendar_allowed_hosts=_csv(env.get("CALENDAR_ALLOWED_HOSTS", "")),
            rate_limit_per_minute=int(env.get("RATE_LIMIT_PER_MINUTE", d.rate_limit_per_minute)),
            allowed_origins=_csv(env.get("ALLOWED_ORIGINS", "")),
            ssl_certfile=env.get("SSL_CERTFILE") or None,
            ssl_keyfile=env.get("SSL_KEYFILE") or None,
            introspection=_flag(env.get("INTROSPECTION", "1")),
            controller_name=env.get("PRIVACY_CONTROLLER", d.controller_name),
            contact_email=env.get("PRIVACY_CONTACT_EMAIL", d.contact_email),
            max_query_depth=int(env.get("MAX_QUERY_DEPTH", d.max_query_depth)),
            max_aliases=int(env.get("MAX_ALIASES", d.max_aliases)),
            max_tokens=int(env.get("MAX_TOKENS", d.max_tokens)),
            max_query_cost=int(env.get("MAX_QUERY_COST", d.max_query_cost)),
            max_body_bytes=int(env.get("MAX_BODY_BYTES", d.max_body_bytes)),
            outbox_poll_seconds=float(env.get("OUTBOX_POLL_SECONDS", d.outbox_poll_seconds)),
            calendar_sync_minutes=float(env.get("CALENDAR_SYNC_MINUTES", d.calendar_sync_minutes)),
            encryption_key=env.get("ENCRYPTION_KEY") or None,
            public_cache=_flag(env.get("PUBLIC_CACHE", "1")),
            public_cache_entries=int(env.get("PUBLIC_CACHE_ENTRIES", d.public_cache_entries)),
            public_cache_ttl_seconds=float(
                env.get("PUBLIC_CACHE_TTL_SECONDS", d.public_cache_ttl_seconds)
            ),
            bus_prefix=env.get("EVENT_BUS_PREFIX", d.bus_prefix),
            retention_purge_seconds=float(
                env.get("RETENTION_PURGE_SECONDS", d.retention_purge_seconds)
            ),
            calendar_tick_seconds=float(env.get("CALENDAR_TICK_SECONDS", d.calendar_tick_seconds)),
            reminder_poll_seconds=float(env.get("REMINDER_POLL_SECONDS", d.reminder_poll_seconds)),
            ws_compression=_flag(env.get("WS_COMPRESSION", "0")),
            gc_full_seconds=float(env.get("GC_FULL_SECONDS", d.gc_full_seconds)),
            ws_init_timeout_seconds=float(
                env.get("WS_INIT_TIMEOUT_SECONDS", d.ws_init_timeout_seconds)
            ),
            ws_max_subscriptions=int(env.get("WS_MAX_SUBSCRIPTIONS", d.ws_max_subscriptions)),
            public_url=env.get("PUBLIC_URL") or None,
            mail_url=env.get("MAIL_URL") or None,
            mail_from=env.get("MAIL_FROM") or d.mail_from,
            mail_poll_seconds=float(env.get("MAIL_POLL_SECONDS", d.mail_poll_seconds)),
            mail_retry_seconds=float(env.get("MAIL_RETRY_SECONDS", d.mail_retry_seconds)),
            mail_give_up_hours=float(env.get("MAIL_GIVE_UP_HOURS", d.mail_give_up_hours)),
            mail_connections=max(1, int(env.get("MAIL_CONNECTIONS", d.mail_connections))),
        )
