"""Encryption of secrets at rest (calendar feed URLs) with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ENCRYPTION_KEY; the embedded default generates one on first use and keeps it
in a file beside the database (mode 0600). Several workers or hosts must share one key.
"""

import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from config import Settings


def _key_file(settings: Settings) -> Path:
    if settings.is_sqlite:
        database = settings.database_url.removeprefix("sqlite://")
        if database != ":memory:":
            return Path(f"{database}.key")
    return Path("booknmeet.key")


@cache
def _fernet(key: str | None, key_file: Path) -> Fernet:
    if key:
        return Fernet(key.encode())
    if not key_file.exists():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    return Fernet(key_file.read_bytes().strip())


def cipher(settings: Settings) -> Fernet:
    return _fernet(settings.encryption_key, _key_file(settings).resolve())


def encrypt(settings: Settings, secret: str) -> str:
    return cipher(settings).encrypt(secret.encode()).decode()


def decrypt(settings: Settings, token: str) -> str:
    try:
        return cipher(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong ENCRYPTION_KEY?") from None
