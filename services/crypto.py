"""Encryption of secrets at rest (calendar feed URLs) with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ENCRYPTION_KEY; the embedded default generates one on first use and keeps it
in a file beside the database (mode 0600). Several workers or hosts must share one key.
"""

import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config import Settings


def _key_file(settings: Settings) -> Path:
    if settings.is_sqlite:
        database = settings.database_url.removeprefix("sqlite://")
        if database != ":memory:":
            return Path(f"{database}.key")
    return Path("booknmeet.key")


@cache
def _key(key: str | None, key_file: Path) -> bytes:
    if key:
        return key.encode()
    if not key_file.exists():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    return key_file.read_bytes().strip()


@cache
def _fernet(key: bytes) -> Fernet:
    return Fernet(key)


def cipher(settings: Settings) -> Fernet:
    return _cipher(settings, os.getcwd())


@cache
def _cipher(settings: Settings, cwd: str) -> Fernet:
    # Resolving the key file's path costs a few system calls, and every booking encrypts its
    # manage token: once per settings and working directory (what a relative path depends on).
    return _fernet(_key(settings.encryption_key, _key_file(settings).resolve()))


def derived_key(settings: Settings, purpose: bytes) -> bytes:
    """A 32-byte key for one `purpose`, derived from the app's key (HKDF-SHA256): knowing it
    reveals neither the app's key nor the key of another purpose."""
    secret = _key(settings.encryption_key, _key_file(settings).resolve())
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(secret)


def encrypt(settings: Settings, secret: str) -> str:
    return cipher(settings).encrypt(secret.encode()).decode()


def decrypt(settings: Settings, token: str) -> str:
    try:
        return cipher(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong ENCRYPTION_KEY?") from None
