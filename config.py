"""All configuration, read from the environment in one place (see README: Configuration).

Each setting is a field with its environment variable and meaning attached, so that parsing
(`Settings.from_env`) and the listing (`python server.py settings`) cannot drift apart.
"""

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

DEFAULT_DATABASE_URL = "sqlite://booknmeet.sqlite3"
LOG_FORMATS = ("text", "json")


class ConfigError(Exception):
    """A setting that cannot work; the message starts with the variable's name."""


_PASSWORD_IN_URL = re.compile(r"^([a-z0-9+.-]+://[^/@:]*):[^/]*@", re.IGNORECASE)


def mask_url(url: str) -> str:
    """The URL with its password, if any, replaced by an ellipsis: safe to print."""
    return _PASSWORD_IN_URL.sub(r"\1:…@", url)


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def _positive_days(value: str) -> float:
    """A number of days greater than 0 (fractions allowed)."""
    days = float(value)
    if not days > 0:  # also refuses NaN
        raise ValueError("must be a number of days greater than 0")
    return days


def normalize_database_url(url: str) -> str:
    """tortoise wants `postgres://`; people also write `postgresql://`."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


def _database_url(value: str) -> str:
    url = normalize_database_url(value)
    if not url.startswith(("sqlite://", "postgres://")):
        raise ValueError("must start with sqlite:// or postgres://")
    return url


def _redis_url(value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    return value


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("not a whole number") from None


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError("not a number") from None


def _port(value: str) -> int:
    port = _int(value)
    if not 0 < port < 65536:
        raise ValueError("must be between 1 and 65535")
    return port


def _log_format(value: str) -> str:
    if value not in LOG_FORMATS:
        raise ValueError(f"must be one of {', '.join(LOG_FORMATS)}")
    return value


def _at_least_one(value: str) -> int:
    number = _int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def setting(env: str, default: Any, meaning: str, parse: Callable[[str], Any] | None = None) -> Any:
    """A field read from `env`; an unset or empty variable keeps the default."""
    return field(default=default, metadata={"env": env, "meaning": meaning, "parse": parse})


def _parser(default: Any) -> Callable[[str], Any]:
    if isinstance(default, bool):
        return _flag
    if isinstance(default, int):
        return _int
    if isinstance(default, float):
        return _float
    if isinstance(default, tuple):
        return _csv
    return str


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = setting("HOST", "127.0.0.1", "where `python server.py` listens")
    port: int = setting("PORT", 8000, "its port", _port)
    workers: int = setting(
        "WORKERS", 1, "worker processes of `python server.py serve`", _at_least_one
    )
    database_url: str = setting(
        "DATABASE_URL",
        DEFAULT_DATABASE_URL,
        "sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB; migrated on start",
        _database_url,
    )
    redis_url: str | None = setting(
        "REDIS_URL", None, "redis://HOST:PORT/N: events fan out across processes", _redis_url
    )
    calendar_allowed_hosts: tuple[str, ...] = setting(
        "CALENDAR_ALLOWED_HOSTS", (), "hosts calendar feeds may use despite private addresses"
    )
    rate_limit_per_minute: int = setting(
        "RATE_LIMIT_PER_MINUTE", 60, "anonymous mutations and log-ins per client; 0 = off"
    )
    allowed_origins: tuple[str, ...] = setting(
        "ALLOWED_ORIGINS", (), "browser origins allowed over CORS and WebSocket"
    )
    ssl_certfile: str | None = setting("SSL_CERTFILE", None, "with SSL_KEYFILE: serve HTTPS")
    ssl_keyfile: str | None = setting("SSL_KEYFILE", None, "with SSL_CERTFILE: serve HTTPS")
    introspection: bool = setting("INTROSPECTION", True, "0 turns introspection off")
    controller_name: str = setting("PRIVACY_CONTROLLER", "Book N Meet", "shown by privacyInfo")
    contact_email: str = setting(
        "PRIVACY_CONTACT_EMAIL", "privacy@booknmeet.example", "shown by privacyInfo"
    )
    contact_phone: str = setting(
        "PRIVACY_CONTACT_PHONE", "+1 (345) 517 2377", "shown by privacyInfo (empty: none)"
    )
    max_query_depth: int = setting("MAX_QUERY_DEPTH", 12, "GraphQL depth limit")
    max_aliases: int = setting("MAX_ALIASES", 30, "GraphQL alias limit")
    max_tokens: int = setting("MAX_TOKENS", 2000, "GraphQL token limit")
    max_query_cost: int = setting(
        "MAX_QUERY_COST", 5000, "GraphQL cost limit (each field 1, lists times first/last)"
    )
    max_body_bytes: int = setting(
        "MAX_BODY_BYTES",
        256 * 1024,
        "larger request bodies get 413; larger WebSocket messages 1009",
    )
    max_slots: int = setting(
        "MAX_SLOTS",
        6000,  # 62 days of 15-minute slots around the clock: 5,952
        "slots one request may return in all (availableSlots); a window that could hold more "
        "is BAD_USER_INPUT",
    )
    max_response_bytes: int = setting(
        "MAX_RESPONSE_BYTES", 8 * 1024 * 1024, "a larger answer becomes a BAD_USER_INPUT error"
    )
    metrics_token: str | None = setting(
        "METRICS_TOKEN",
        None,
        "set: /metrics wants Authorization: Bearer <it>; unset: loopback clients only",
    )
    reminder_poll_seconds: float = setting(
        "REMINDER_POLL_SECONDS", 30.0, "how often due reminders are claimed"
    )
    webhook_poll_seconds: float = setting(
        "WEBHOOK_POLL_SECONDS", 2.0, "how often due webhook deliveries are claimed and sent"
    )
    outbox_poll_seconds: float = setting(
        "OUTBOX_POLL_SECONDS", 2.0, "how often committed, unpublished events are published"
    )
    calendar_sync_minutes: float = setting(
        "CALENDAR_SYNC_MINUTES", 15.0, "how often each linked calendar is synced"
    )
    bus_prefix: str = setting("EVENT_BUS_PREFIX", "bnm:", "Redis channel prefix")
    calendar_tick_seconds: float = setting(
        "CALENDAR_TICK_SECONDS", 60.0, "how often a worker looks for calendars due a sync"
    )
    retention_purge_seconds: float = setting(
        "RETENTION_PURGE_SECONDS", 600.0, "how often a worker tries to claim the hourly purge"
    )
    encryption_key: str | None = setting(
        "ENCRYPTION_KEY", None, "Fernet key for secrets at rest (else a key file)"
    )
    # Answers to anonymous public queries (web/public_cache.py). Invalidated after each commit
    # that changes what they read; the TTL bounds what a lost invalidation could leave stale.
    public_cache: bool = setting("PUBLIC_CACHE", True, "0 turns the public answer cache off")
    public_cache_entries: int = setting("PUBLIC_CACHE_ENTRIES", 1024, "public cache size")
    public_cache_ttl_seconds: float = setting(
        "PUBLIC_CACHE_TTL_SECONDS", 10.0, "longest life of a public cache entry"
    )
    # permessage-deflate costs a zlib context per connection (tens of KiB) and CPU per frame, for
    # frames of a few hundred bytes: off unless asked for.
    ws_compression: bool = setting("WS_COMPRESSION", False, "1 offers permessage-deflate")
    # Full garbage collections run on this schedule instead of whenever CPython decides
    # (gc_policy.py).
    gc_full_seconds: float = setting("GC_FULL_SECONDS", 600.0, "full GC schedule")
    ws_init_timeout_seconds: float = setting(
        "WS_INIT_TIMEOUT_SECONDS", 30.0, "a WebSocket without connection_init is closed (4408)"
    )
    ws_max_subscriptions: int = setting(
        "WS_MAX_SUBSCRIPTIONS", 50, "operations one WebSocket connection may run at once"
    )
    slot_hold_minutes: float = setting(
        "SLOT_HOLD_MINUTES", 5.0, "how long holdSlot keeps a slot (fractions allowed)"
    )
    hold_sweep_seconds: float = setting(
        "HOLD_SWEEP_SECONDS",
        5.0,
        "how often a worker deletes expired holds and announces their slots free again",
    )
    video_link_template: str = setting(
        "VIDEO_LINK_TEMPLATE",
        "https://meet.jit.si/booknmeet-{token}",
        "the per-booking meeting link of VIDEO event types without a fixed location",
    )
    session_idle_days: float = setting(
        "SESSION_IDLE_DAYS", 30.0, "a token unused this many days is refused", _positive_days
    )
    session_max_days: float = setting(
        "SESSION_MAX_DAYS", 90.0, "a token older than this many days is refused", _positive_days
    )
    session_check_seconds: float = setting(
        "SESSION_CHECK_SECONDS",
        15.0,
        "how often each worker re-checks its open WebSockets' tokens (expiry, lost messages)",
    )
    # None: text on a terminal, JSON otherwise (log collectors read JSON).
    log_format: str | None = setting(
        "LOG_FORMAT", None, "text or json (unset: text on a terminal, else json)", _log_format
    )
    log_level: str = setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR")
    otel_endpoint: str | None = setting(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        None,
        "set: OpenTelemetry traces are exported there over OTLP/HTTP (unset: no tracing)",
    )
    otel_service_name: str = setting(
        "OTEL_SERVICE_NAME", "booknmeet", "service.name of the exported spans"
    )
    backup_dir: str = setting("BACKUP_DIR", "./backups", "where `python server.py backup` writes")
    backup_retention_days: float = setting(
        "BACKUP_RETENTION_DAYS", 30.0, "older snapshot files there are deleted by `backup`"
    )
    public_url: str = setting(
        "PUBLIC_URL",
        "",
        "base of every link the server writes (e-mails, calendar entries, the OAuth redirect URI); "
        "unset: http://HOST:PORT",
    )
    mail_url: str | None = setting(
        "MAIL_URL",
        None,
        "smtp://[USER:PASSWORD@]HOST:PORT (STARTTLS when offered) or smtps://...; unset: nothing "
        "leaves the machine, messages are listed at /dev/mailbox (loopback clients only)",
    )
    mail_from: str = setting(
        "MAIL_FROM", "Book N Meet <no-reply@localhost>", "the From of every message"
    )
    mail_poll_seconds: float = setting(
        "MAIL_POLL_SECONDS", 1.0, "how often a worker looks for mail to send"
    )
    mail_retry_seconds: float = setting(
        "MAIL_RETRY_SECONDS",
        5.0,
        "first pause after a failed attempt; it doubles (with jitter) up to 10 minutes",
    )
    mail_give_up_hours: float = setting(
        "MAIL_GIVE_UP_HOURS", 48.0, "an undelivered message is given up (FAILED) after this"
    )
    mail_connections: int = setting(
        "MAIL_CONNECTIONS", 8, "SMTP connections one worker opens at once"
    )
    calendar_write_seconds: float = setting(
        "CALENDAR_WRITE_SECONDS", 5.0, "how often a worker writes bookings into linked calendars"
    )
    google_client_id: str | None = setting(
        "GOOGLE_CLIENT_ID", None, "OAuth client of Google Calendar (unset: Google not offered)"
    )
    google_client_secret: str | None = setting("GOOGLE_CLIENT_SECRET", None, "its secret")
    google_auth_url: str = setting(
        "GOOGLE_AUTH_URL",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "Google's authorization endpoint",
    )
    google_token_url: str = setting(
        "GOOGLE_TOKEN_URL",
        "https://oauth2.googleapis.com/token",
        "Google's token endpoint",
    )
    google_api_url: str = setting(
        "GOOGLE_API_URL", "https://www.googleapis.com/calendar/v3", "Google Calendar API base"
    )
    microsoft_client_id: str | None = setting(
        "MICROSOFT_CLIENT_ID", None, "OAuth client of Microsoft 365 (unset: Microsoft not offered)"
    )
    microsoft_client_secret: str | None = setting("MICROSOFT_CLIENT_SECRET", None, "its secret")
    microsoft_auth_url: str = setting(
        "MICROSOFT_AUTH_URL",
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "Microsoft's authorization endpoint",
    )
    microsoft_token_url: str = setting(
        "MICROSOFT_TOKEN_URL",
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        "Microsoft's token endpoint",
    )
    microsoft_api_url: str = setting(
        "MICROSOFT_API_URL", "https://graph.microsoft.com/v1.0", "Microsoft Graph API base"
    )

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Raises ConfigError, naming the variable, for a value that cannot be used."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = env.get(spec.metadata["env"], "")
            if raw == "":
                continue
            parse = spec.metadata["parse"] or _parser(spec.default)
            try:
                values[spec.name] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{spec.metadata['env']}: {mask_url(raw)!r}: {exc}") from None
        return cls(**values)


@dataclass(frozen=True, slots=True)
class SettingDoc:
    env: str
    default: str
    meaning: str


def documented() -> Iterator[SettingDoc]:
    """Every setting: its variable, its default as written in the environment, its meaning."""
    for spec in fields(Settings):
        default = spec.default
        if default is None or default == "":
            shown = "(unset)"
        elif isinstance(default, bool):
            shown = "1" if default else "0"
        elif isinstance(default, tuple):
            shown = ",".join(default) or "(empty)"
        else:
            shown = f"{default:g}" if isinstance(default, float) else str(default)
        yield SettingDoc(spec.metadata["env"], shown, spec.metadata["meaning"])
