"""Secrets at rest (mailbox passwords): Fernet tokens under keys from SIXDEGREES_ENCRYPTION_KEYS.

Several keys may be listed, comma-separated; the first encrypts and all of them decrypt, so a key
is rotated in three steps: put a new key first, run `sixdegrees mailbox rotate-keys` (re-encrypts
every stored secret with it), then drop the old key. Development without keys generates one into
the data dir, like the secret key; production refuses to store a secret without one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "encryption_key"


class CredentialError(Exception):
    """A stored secret cannot be read back (its key is gone) or cannot be stored (no key)."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _development_key() -> str:
    key_file = settings.DATA_DIR / KEY_FILE_NAME
    if not key_file.exists():
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(generate_key())
    return key_file.read_text(encoding="ascii").strip()


def configured_keys() -> tuple[str, ...]:
    keys = tuple(settings.ENCRYPTION_KEYS)
    if keys:
        return keys
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "SIXDEGREES_ENCRYPTION_KEYS must be set in production before a mailbox password can be stored "
            "(make one with `sixdegrees mailbox new-key`)."
        )
    return (_development_key(),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise ImproperlyConfigured(
                f"SIXDEGREES_ENCRYPTION_KEYS: key number {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with `sixdegrees mailbox new-key`)."
            ) from None
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(configured_keys())


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise CredentialError(
            "a stored password cannot be decrypted: the key that encrypted it is not in SIXDEGREES_ENCRYPTION_KEYS"
        ) from None


def rotate(token: str) -> str:
    """The same secret, encrypted with the current (first) key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise CredentialError("a stored password was encrypted with a key that is no longer listed") from None


def fingerprint(secret: str) -> str:
    """A short keyed digest, to notice that a password changed without keeping the password."""
    if not secret:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode("utf-8"), secret.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]
