"""Settings, read from the environment (prefix ``COHESION_``) and ``.env``."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from limits import parse, parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-this-is-the-local-development-secret"  # noqa: S105


class Settings(BaseSettings):
    """Everything configurable about a Cohesion process."""

    model_config = SettingsConfigDict(env_prefix="COHESION_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./var/cohesion.db"
    database_pool_size: int = 10
    # Bounds on waiting for the database, so an outage is a quick 503, never a hung request:
    # for a free connection in the pool, and for a new connection to be established.
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    sqlite_busy_timeout_ms: int = 30_000

    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr = SecretStr(DEFAULT_SECRET)
    jwt_private_key: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "https://cohesion.local"
    jwt_audience: str = "cohesion-api"
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=300)

    cors_origins: list[str] = []
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # File uploads (plan imports) may be larger than JSON bodies.
    max_upload_bytes: int = Field(default=10 * 1_048_576, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True
    # Argon2 cost; tests lower it so that creating users stays fast.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65_536, ge=8)

    admin_password: SecretStr | None = None

    # Webhooks: the delivery worker runs inside the app unless disabled (then `cohesion worker`).
    webhooks_worker_enabled: bool = True
    # Allow targets on loopback/private/link-local addresses (tests and local development only).
    webhooks_allow_private_targets: bool = False
    webhooks_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhooks_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    webhooks_batch_size: int = Field(default=50, ge=1, le=1000)
    # A claimed delivery whose worker died is sent again once its lease has passed.
    webhooks_lease_seconds: int = Field(default=300, ge=10, le=3600)

    # Rate limits (app/core/ratelimit.py), in the `limits` notation ("600/minute",
    # "10 per 5 minutes"). Generous: they stop floods and guessing, not ordinary use.
    ratelimit_enabled: bool = True
    ratelimit_principal: str = "10000/minute"  # per token subject (user or service account)
    ratelimit_anonymous: str = "3000/minute"  # per client IP, without a valid token
    ratelimit_token_ip: str = "300/minute"  # noqa: S105 - POST /auth/token, per client IP
    # Log-in attempts (POST /auth/token), counted before the password is verified; see
    # app/core/ratelimit.py. Several windows, separated by ";": once one is full, attempts wait
    # for its end, so repeated failures are slowed down more and more (never a lock-out: these
    # count per account *and* client address, and a success clears the account's count).
    ratelimit_login: str = "5/minute;20/hour;100/day"  # per username/client id and address
    ratelimit_login_address: str = "30/minute;300/hour;1000/day"  # per address, all accounts
    # Shared counters for several processes; in-process memory when unset.
    redis_url: str | None = None
    ratelimit_key_prefix: str = "cohesion-ratelimit"
    ratelimit_redis_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    # After a Redis failure, requests skip rate limiting (fail open) for this long.
    ratelimit_redis_retry_seconds: float = Field(default=5.0, ge=0, le=300)
    # Reverse proxies trusted to say who the client is (X-Forwarded-For, X-Forwarded-Proto):
    # comma-separated addresses or networks, or "*" (any peer: only when nothing but the proxy
    # can reach the server). Passed to uvicorn by `cohesion serve` and the Dockerfile; from any
    # other peer the forwarded headers are ignored and the peer's address is the client's.
    forwarded_allow_ips: str = "127.0.0.1"

    @field_validator(
        "ratelimit_principal",
        "ratelimit_anonymous",
        "ratelimit_token_ip",
    )
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        parse(value)  # ValueError on a malformed rate
        return value

    @field_validator("ratelimit_login", "ratelimit_login_address")
    @classmethod
    def _valid_rates(cls, value: str) -> str:
        parse_many(value)  # ValueError on a malformed rate
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            if item != "*":
                ip_network(item, strict=False)  # ValueError on what is not an address/network
        return ",".join(items)

    @model_validator(mode="after")
    def _load_key_files(self) -> "Settings":
        if self.jwt_private_key is None and self.jwt_private_key_file is not None:
            self.jwt_private_key = SecretStr(self.jwt_private_key_file.read_text())
        if self.jwt_public_key is None and self.jwt_public_key_file is not None:
            self.jwt_public_key = self.jwt_public_key_file.read_text()
        if self.jwt_algorithm == "RS256" and not (self.jwt_private_key and self.jwt_public_key):
            raise ValueError("RS256 needs COHESION_JWT_PRIVATE_KEY and COHESION_JWT_PUBLIC_KEY")
        if self.environment == "production" and self.jwt_algorithm == "HS256":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEFAULT_SECRET:
                raise ValueError("refusing to start in production with the default JWT secret")
            if len(secret.encode()) < 32:
                raise ValueError(
                    "refusing to start in production with an HS256 secret under 32 bytes"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
