"""Start-up checks that turn a wrong setting into one line naming it, before anything runs.

`python server.py` checks the port, the database and Redis before it migrates or binds; each
failure is a ConfigError whose message starts with the variable (exit status 2 in cli.py).
"""

import asyncio
import errno
import socket
import sqlite3
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from config import ConfigError, Settings, mask_url

CONNECT_TIMEOUT = 5.0


def _reason(exc: BaseException) -> str:
    """What went wrong, in a few words: the innermost OS error when there is one."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:  # a chain can loop back on itself
        visited.add(id(seen))
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "unknown host"
        if isinstance(seen, TimeoutError | asyncio.TimeoutError):
            return f"no answer within {CONNECT_TIMEOUT:g} s"
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror.lower()
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_port(host: str, port: int) -> None:
    """Raises ConfigError when nothing could listen on host:port (taken, or not our address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"PORT: {host}:{port} is already in use") from None
            if exc.errno == errno.EACCES:
                raise ConfigError(f"PORT: {port} needs privileges on {host}") from None
            raise ConfigError(f"HOST: cannot listen on {host}:{port}: {_reason(exc)}") from None


async def check_database(url: str) -> None:
    shown = mask_url(url)
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if path == ":memory:":
            return
        if not Path(path).parent.is_dir():
            raise ConfigError(f"DATABASE_URL: cannot open {shown}: no such directory")
        try:
            sqlite3.connect(path).close()
        except sqlite3.Error as exc:
            raise ConfigError(f"DATABASE_URL: cannot open {shown}: {exc}") from None
        return
    try:
        connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise ConfigError(f"DATABASE_URL: cannot connect to {shown}: {_reason(exc)}") from None
    except (ValueError, OverflowError) as exc:  # a URL asyncpg cannot use (a bad port, ...)
        raise ConfigError(f"DATABASE_URL: {shown} is not a valid URL: {exc}") from None
    except Exception as exc:  # whatever else: still one line naming the setting
        raise ConfigError(f"DATABASE_URL: cannot connect to {shown}: {_reason(exc)}") from None
    await connection.close()


async def check_redis(url: str) -> None:
    shown = mask_url(url)
    try:
        client = aioredis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
    except (ValueError, OverflowError) as exc:
        raise ConfigError(f"REDIS_URL: {shown} is not a valid URL: {exc}") from None
    try:
        await client.ping()
    except Exception as exc:  # refused, unknown host, auth, not Redis at all: one line
        raise ConfigError(f"REDIS_URL: cannot connect to {shown}: {_reason(exc)}") from None
    finally:
        await client.aclose()


async def check_services(settings: Settings) -> None:
    await check_database(settings.database_url)
    if settings.redis_url:
        await check_redis(settings.redis_url)


def check_tls(settings: Settings) -> None:
    files = (("SSL_CERTFILE", settings.ssl_certfile), ("SSL_KEYFILE", settings.ssl_keyfile))
    for name, path in files:
        if path and not Path(path).is_file():
            raise ConfigError(f"{name}: {path}: no such file")
    if settings.ssl_certfile and not settings.ssl_keyfile:
        raise ConfigError("SSL_KEYFILE: unset, but SSL_CERTFILE is set (HTTPS needs both)")
    if settings.ssl_keyfile and not settings.ssl_certfile:
        raise ConfigError("SSL_CERTFILE: unset, but SSL_KEYFILE is set (HTTPS needs both)")
