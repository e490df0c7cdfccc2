"""Server secrets: one per purpose, none with a built-in default.

* ``COHESION_JWT_SECRET`` signs access tokens (HS256 only; RS256 uses its key pair).
* ``COHESION_DATA_KEYS`` encrypts data at rest (issuer private keys): a key ring of Fernet keys,
  comma-separated, newest first. New values are encrypted with the first key; any key of the
  ring decrypts. ``cohesion rotate-keys`` re-encrypts everything under the first key, after
  which the older keys can be dropped.
* ``COHESION_RESPONDENT_HMAC_KEY`` keys the HMAC that keeps anonymous evaluation responses
  anonymous (see ``app/programmes/evaluation_service.py``).

In development and test, whatever is not configured is generated once and kept in
``COHESION_SECRETS_FILE`` (``var/secrets.json``, mode 0600); production refuses to start
instead (``app/core/config.py``).

Before these settings existed, issuer keys were encrypted and respondent keys computed under
values derived from the JWT secret; ``legacy_*`` below reproduce them so that ``cohesion
rotate-keys`` can move such data onto the new keys (``COHESION_LEGACY_JWT_SECRET``).
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:
    from app.core.config import Settings

MIN_SECRET_BYTES = 32
LOCAL_SECRET_NAMES = ("jwt_secret", "data_keys", "respondent_hmac_key")

__all__ = ["InvalidToken", "KeyRing"]


def parse_data_keys(value: str) -> list[str]:
    """The keys of a ``COHESION_DATA_KEYS`` value; ValueError names what is wrong."""
    keys = [part.strip() for part in value.split(",") if part.strip()]
    if not keys:
        raise ValueError("COHESION_DATA_KEYS is empty")
    for index, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                f"COHESION_DATA_KEYS key {index} is not a Fernet key (32 url-safe base64 "
                "bytes; make one with `cohesion generate-secrets`)"
            )
    return keys


class KeyRing:
    """Encryption at rest with the configured ring: the first key encrypts, any decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._primary = Fernet(keys[0])
        self._newest = keys[0]
        self._ring = MultiFernet([Fernet(key) for key in keys])

    def signing_key(self) -> bytes:
        """Key material for a MAC (e.g. cursors), taken from the newest key."""
        return self._newest.encode()

    def encrypt(self, plaintext: bytes) -> str:
        return self._ring.encrypt(plaintext).decode()

    def decrypt(self, token: str) -> bytes:
        """The plaintext; ``InvalidToken`` when no key of the ring opens it."""
        return self._ring.decrypt(token.encode())

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is encrypted under the newest key already."""
        try:
            self._primary.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """``token`` re-encrypted under the newest key (``InvalidToken`` if unreadable)."""
        return self._ring.rotate(token.encode()).decode()


def hmac_hex(key: str, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, as 64 hex digits."""
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def legacy_data_key(jwt_secret: str) -> str:
    """The Fernet key issuer keys were encrypted with before COHESION_DATA_KEYS existed."""
    digest = hashlib.sha256(b"cohesion-badge-issuer-keys:" + jwt_secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def generate_local_secrets() -> dict[str, str]:
    return {
        "jwt_secret": secrets.token_urlsafe(48),
        "data_keys": Fernet.generate_key().decode(),
        "respondent_hmac_key": secrets.token_urlsafe(48),
    }


def _read(path: Path) -> dict[str, str]:
    values = json.loads(path.read_text())
    if not isinstance(values, dict):
        raise ValueError(f"{path} is not a JSON object")
    return {str(k): str(v) for k, v in values.items()}


def local_secrets(path: Path) -> dict[str, str]:
    """The development secrets kept in ``path``, generated on first use.

    The file is written whole to a temporary file (mode 0600) in the same directory and then
    linked into place, which fails if another process got there first: every process then
    reads the same secrets. A file missing some secret (an older one) is completed and
    replaced the same way.
    """
    if path.exists():
        values = _read(path)
        if all(values.get(name) for name in LOCAL_SECRET_NAMES):
            return values
    else:
        values = {}
    merged = {**generate_local_secrets(), **{k: v for k, v in values.items() if v}}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".secrets-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(merged, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        if values:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                return _read(path)  # another process created it first: use theirs
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return merged


def data_ring(settings: "Settings") -> KeyRing:
    """The configured key ring for data at rest."""
    assert settings.data_keys is not None, "Settings fills data_keys in or refuses to start"
    return KeyRing(parse_data_keys(settings.data_keys.get_secret_value()))


def respondent_hmac(settings: "Settings", message: str) -> str:
    """HMAC-SHA256 of ``message`` under the respondent key (never the JWT secret)."""
    assert settings.respondent_hmac_key is not None, "Settings fills it in or refuses to start"
    return hmac_hex(settings.respondent_hmac_key.get_secret_value(), message)
