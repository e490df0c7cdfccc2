"""Tokens and password hashes. The only module that imports python-jose.

python-jose's defaults are unsafe: without ``algorithms`` it lets a token choose its own
algorithm (an HS256 token "signed" with our RSA public key verifies), and it does not insist
on ``exp``, ``aud`` and friends. Every decode here names the one configured algorithm and
requires every registered claim we rely on.
"""

import secrets
import time
import uuid
from datetime import timedelta
from typing import Any

from anyio import to_thread
from cachetools import TLRUCache
from jose import JWTError, jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import Settings
from app.core.db import utcnow

TOKEN_TYPE = "at+jwt"  # noqa: S105 - RFC 9068 access-token "typ", not a secret
VERIFIED_TOKENS = 10_000  # how many verified tokens are remembered until they expire


class InvalidToken(Exception):
    """The token is not one we issued, or no longer valid."""


class TokenService:
    """Issues and verifies access tokens with the configured key and algorithm."""

    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.lifetime = timedelta(minutes=settings.access_token_minutes)
        self.leeway = settings.jwt_leeway_seconds
        if self.algorithm == "RS256":
            assert settings.jwt_private_key is not None and settings.jwt_public_key is not None
            self._signing_key: str = settings.jwt_private_key.get_secret_value()
            self._verifying_key: str = settings.jwt_public_key
        else:
            assert settings.jwt_secret is not None, "Settings fills it in or refuses to start"
            self._signing_key = self._verifying_key = settings.jwt_secret.get_secret_value()
        # A portal sends the same token on every call: its signature and claims are checked
        # once, and its claims remembered until it expires (then it fails as any other).
        self._verified: TLRUCache[str, dict[str, Any]] = TLRUCache(
            maxsize=VERIFIED_TOKENS,
            ttu=lambda _token, claims, _now: float(claims["exp"]) + self.leeway,
            timer=time.time,
        )

    def issue(self, subject: str, extra: dict[str, Any] | None = None) -> tuple[str, int]:
        """A signed access token for ``subject`` and its lifetime in seconds."""
        now = utcnow()
        claims: dict[str, Any] = {
            **(extra or {}),
            "sub": subject,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + self.lifetime).timestamp()),
            "iss": self.issuer,
            "aud": self.audience,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            claims, self._signing_key, algorithm=self.algorithm, headers={"typ": TOKEN_TYPE}
        )
        return token, int(self.lifetime.total_seconds())

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; raises InvalidToken otherwise."""
        remembered = self._verified.get(token)
        if remembered is not None:
            return remembered
        claims = self._decode(token)
        self._verified[token] = claims
        return claims

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("typ") != TOKEN_TYPE or header.get("alg") != self.algorithm:
                raise InvalidToken("unexpected token type or algorithm")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_aud": True,
                    "require_iss": True,
                    "require_sub": True,
                    "verify_exp": True,
                    "verify_aud": True,
                    "verify_iss": True,
                    "verify_sub": True,
                    "leeway": self.leeway,
                },
            )
        except JWTError as exc:
            raise InvalidToken(str(exc)) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidToken("malformed token") from exc
        if not isinstance(claims.get("sub"), str):
            raise InvalidToken("subject must be a string")
        return claims


class PasswordHasher:
    """Argon2id hashing, run in a worker thread so it never blocks the event loop."""

    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.password_hash_time_cost,
                    memory_cost=settings.password_hash_memory_kib,
                ),
            )
        )
        # Verifying against this when the account does not exist keeps timing uniform.
        self._dummy = self._hash.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await to_thread.run_sync(self._hash.hash, password)

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Whether ``password`` matches; with no hash it still spends the same time."""
        ok: bool = await to_thread.run_sync(self._hash.verify, password, hashed or self._dummy)
        return ok and hashed is not None


def new_secret(nbytes: int = 32) -> str:
    """A random URL-safe secret (client secrets, webhook secrets)."""
    return secrets.token_urlsafe(nbytes)


# --- Verifiable Credentials (Open Badges 3.0 VC-JWT), signed with an issuer network's key ---

VC_ALGORITHMS = frozenset({"ES256", "RS256"})


def sign_vc_jwt(claims: dict[str, Any], private_key_pem: str, *, kid: str, algorithm: str) -> str:
    """A compact JWS of ``claims`` signed with an issuer's private key (PEM), naming ``kid``."""
    if algorithm not in VC_ALGORITHMS:
        raise ValueError(f"unsupported credential algorithm {algorithm!r}")
    return jwt.encode(
        claims, private_key_pem, algorithm=algorithm, headers={"kid": kid, "typ": "JWT"}
    )


def vc_jwt_header(token: str) -> dict[str, Any]:
    """The unverified header of a compact JWS (to find its ``kid``); InvalidToken if malformed."""
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except (JWTError, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken("malformed token") from exc
    return header


def verify_vc_jwt(
    token: str, public_key_pem: str, *, algorithm: str, leeway: int = 0
) -> dict[str, Any]:
    """The claims of a VC-JWT whose signature verifies with ``public_key_pem`` under exactly
    ``algorithm``, and which is not expired or not yet valid (``exp``/``nbf`` when present)."""
    if algorithm not in VC_ALGORITHMS:
        raise InvalidToken("unsupported algorithm")
    try:
        if jwt.get_unverified_header(token).get("alg") != algorithm:
            raise InvalidToken("unexpected algorithm")
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key_pem,
            algorithms=[algorithm],
            options={"verify_aud": False, "verify_exp": True, "verify_nbf": True, "leeway": leeway},
        )
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidToken("malformed token") from exc
    return claims
