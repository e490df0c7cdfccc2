"""Issuer signing keys: one ES256 (P-256) key per issuer network (or endorsing organisation),
made on first use; ``sign`` signs a credential's VC-JWT with it (awards and endorsements alike).

The private key is stored encrypted under the data key ring (``COHESION_DATA_KEYS``, see
``app/core/secrets.py``); the public key is published as a JWKS. ``cohesion rotate-keys``
re-encrypts the stored keys under the ring's newest key (``rotate_all``).
"""

import base64
import logging
import secrets
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.badges import credentials
from app.badges.models import IssuerKey
from app.core.config import Settings
from app.core.errors import ServiceUnavailable
from app.core.keyrotation import register_encrypted
from app.core.secrets import InvalidToken, data_ring
from app.core.security import sign_vc_jwt

ALGORITHM = "ES256"
log = logging.getLogger(__name__)

register_encrypted(IssuerKey.private_encrypted)  # type: ignore[arg-type]


def _b64(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()


def new_key(
    network_id: int | None, settings: Settings, *, organisation_id: int | None = None
) -> IssuerKey:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    owner = f"net{network_id}" if network_id is not None else f"org{organisation_id}"
    kid = f"{owner}-{secrets.token_hex(8)}"
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x),
        "y": _b64(numbers.y),
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
    }
    return IssuerKey(
        network_id=network_id,
        organisation_id=organisation_id,
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk=jwk,
        public_pem=public_pem,
        private_encrypted=data_ring(settings).encrypt(private_pem),
    )


def private_pem(key: IssuerKey, settings: Settings) -> str:
    try:
        return data_ring(settings).decrypt(key.private_encrypted).decode()
    except InvalidToken:
        log.error("issuer key %s opens with no key of COHESION_DATA_KEYS", key.kid)
        raise ServiceUnavailable(
            "the issuer's signing key cannot be decrypted with the configured data keys; "
            "an operator must restore the old key or run `cohesion rotate-keys`"
        ) from None


async def signing_key(
    session: AsyncSession,
    network_id: int | None,
    settings: Settings,
    *,
    organisation_id: int | None = None,
) -> IssuerKey:
    """The network's (or, without one, the organisation's) current key, made on first use."""
    owner = (
        col(IssuerKey.network_id) == network_id
        if network_id is not None
        else col(IssuerKey.organisation_id) == organisation_id
    )
    key = await session.scalar(
        select(IssuerKey).where(owner).order_by(col(IssuerKey.id).desc()).limit(1)
    )
    if key is None:
        key = new_key(network_id, settings, organisation_id=organisation_id)
        session.add(key)
        await session.flush()
    return key


async def sign(
    session: AsyncSession,
    settings: Settings,
    credential: dict[str, Any],
    issued_at: datetime,
    expires_at: datetime | None = None,
    *,
    network_id: int | None = None,
    organisation_id: int | None = None,
) -> tuple[str, IssuerKey]:
    """The credential's compact VC-JWT, signed with its issuer's current key (and the key)."""
    key = await signing_key(session, network_id, settings, organisation_id=organisation_id)
    token = sign_vc_jwt(
        credentials.jwt_claims(credential, issued_at, expires_at),
        private_pem(key, settings),
        kid=key.kid,
        algorithm=key.algorithm,
    )
    return token, key


def owner_url(base: str, key: IssuerKey) -> str:
    """The issuer id the key signs for."""
    return credentials.key_owner_url(base, key.network_id, key.organisation_id)


async def network_keys(
    session: AsyncSession, network_id: int | None, *, organisation_id: int | None = None
) -> list[IssuerKey]:
    """The network's (or, without one, the organisation's) keys, oldest first."""
    owner = (
        col(IssuerKey.network_id) == network_id
        if network_id is not None
        else col(IssuerKey.organisation_id) == organisation_id
    )
    rows = await session.scalars(select(IssuerKey).where(owner).order_by(col(IssuerKey.id)))
    return list(rows.all())


async def by_kid(session: AsyncSession, kid: str) -> IssuerKey | None:
    key: IssuerKey | None = await session.scalar(select(IssuerKey).where(col(IssuerKey.kid) == kid))
    return key
