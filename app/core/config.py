"""Settings, read from the environment (prefix ``COHESION_``) and ``.env``."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from limits import parse, parse_many
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.secrets import MIN_SECRET_BYTES, local_secrets, parse_data_keys

MIN_RSA_BITS = 2048


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
    # Secrets (see app/core/secrets.py): no defaults. Unset in development and test, they are
    # generated once into `secrets_file`; production refuses to start without them.
    jwt_secret: SecretStr | None = None  # HS256 signing only
    data_keys: SecretStr | None = None  # Fernet key ring for data at rest, newest first
    respondent_hmac_key: SecretStr | None = None  # keeps anonymous evaluation answers anonymous
    secrets_file: Path = Path("var/secrets.json")
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
    # What an uploaded document may expand to (app/core/uploads.py, docs/uploads.md). A file
    # over a cap is refused with 413 naming the setting; it is read in a child process that is
    # killed after upload_parse_seconds.
    upload_max_unpacked_bytes: int = Field(default=50 * 1_048_576, ge=1024)
    upload_max_rows: int = Field(default=20_000, ge=1)
    upload_max_columns: int = Field(default=64, ge=1)
    upload_max_cells: int = Field(default=600_000, ge=1)
    upload_max_shared_strings: int = Field(default=100_000, ge=0)
    upload_max_string_length: int = Field(default=32_767, ge=1)
    upload_max_json_depth: int = Field(default=64, ge=2)
    upload_max_json_items: int = Field(default=200_000, ge=1)
    upload_parse_seconds: float = Field(default=10.0, gt=0, le=300)
    # Documents read at once by one server process (each in its own child process).
    upload_parse_processes: int = Field(default=2, ge=1, le=64)
    log_level: str = "INFO"
    # JSON lines for log collectors; unset: JSON in production, readable lines otherwise.
    log_json: bool | None = None
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

    # Mail (app/mail/): SMTP when `smtp_url` is set (smtp://user:pass@host:587 uses STARTTLS,
    # required when credentials are given; smtps://host:465 is TLS from the start). Unset: each
    # message is written as an .eml file under `mail_dir` and a log line names the file.
    smtp_url: SecretStr | None = None
    mail_from: str = "Cohesion <no-reply@cohesion.local>"
    mail_dir: Path = Path("var/mail")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # The partner portal; mails link to it when set (e.g. https://portal.example.org).
    portal_url: str | None = None
    # The mail worker runs inside the app unless disabled (then `cohesion worker`).
    mail_worker_enabled: bool = True
    mail_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    mail_batch_size: int = Field(default=50, ge=1, le=1000)
    mail_lease_seconds: int = Field(default=300, ge=10, le=3600)
    # Reminders (app/notifications/reminders.py): days ahead a milestone counts as due soon
    # (a network may set its own), and the hour (UTC) the worker runs them each day.
    reminder_days_ahead: int = Field(default=14, ge=1, le=365)
    reminder_hour_utc: int = Field(default=6, ge=0, le=23)
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    invitation_days: int = Field(default=14, ge=1, le=90)

    # Rate limits (app/core/ratelimit.py), in the `limits` notation ("600/minute",
    # "10 per 5 minutes"). Generous: they stop floods and guessing, not ordinary use.
    ratelimit_enabled: bool = True
    ratelimit_principal: str = "10000/minute"  # per token subject (user or service account)
    ratelimit_anonymous: str = "3000/minute"  # per client IP, without a valid token
    ratelimit_token_ip: str = "300/minute"  # noqa: S105 - POST /auth/token, per client IP
    # POST /auth/password-reset: per client IP (429 beyond it) and per address (further
    # requests are answered 202 as always, but send nothing).
    ratelimit_password_reset_ip: str = "20/hour"  # noqa: S105 - a rate, not a secret
    ratelimit_password_reset_address: str = "3/hour"  # noqa: S105 - a rate
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
        "ratelimit_password_reset_ip",
        "ratelimit_password_reset_address",
    )
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        parse(value)  # ValueError on a malformed rate
        return value

    @field_validator("jwt_secret", "data_keys", "respondent_hmac_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
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
        if self.data_keys is not None:
            parse_data_keys(self.data_keys.get_secret_value())  # malformed: refused anywhere
        if self.environment == "production":
            problems = self._production_secret_problems()
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        else:
            self._fill_local_secrets()
        return self

    def _production_secret_problems(self) -> list[str]:
        problems = []
        required = {
            "COHESION_DATA_KEYS": self.data_keys,
            "COHESION_RESPONDENT_HMAC_KEY": self.respondent_hmac_key,
        }
        if self.jwt_algorithm == "HS256":
            required = {"COHESION_JWT_SECRET": self.jwt_secret, **required}
        for name, value in required.items():
            if value is None or not value.get_secret_value().strip():
                problems.append(f"{name} is not set")
            elif name != "COHESION_DATA_KEYS" and (
                len(value.get_secret_value().encode()) < MIN_SECRET_BYTES
            ):
                problems.append(f"{name} is under {MIN_SECRET_BYTES} bytes")
        if self.jwt_algorithm == "RS256" and self.jwt_private_key is not None:
            try:
                key = load_pem_private_key(
                    self.jwt_private_key.get_secret_value().encode(), password=None
                )
            except (ValueError, TypeError):
                key = None
            if not isinstance(key, rsa.RSAPrivateKey):
                problems.append("COHESION_JWT_PRIVATE_KEY is not an RSA private key in PEM")
            elif key.key_size < MIN_RSA_BITS:
                problems.append(f"COHESION_JWT_PRIVATE_KEY is under {MIN_RSA_BITS} bits")
        return problems

    def _fill_local_secrets(self) -> None:
        """Development and test: what is not configured comes from ``secrets_file``."""
        if self.jwt_secret and self.data_keys and self.respondent_hmac_key:
            return
        values = local_secrets(self.secrets_file)
        if self.jwt_secret is None:
            self.jwt_secret = SecretStr(values["jwt_secret"])
        if self.data_keys is None:
            self.data_keys = SecretStr(values["data_keys"])
        if self.respondent_hmac_key is None:
            self.respondent_hmac_key = SecretStr(values["respondent_hmac_key"])

    @property
    def logs_as_json(self) -> bool:
        if self.log_json is not None:
            return self.log_json
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def refusal(exc: ValidationError) -> str:
    """A configuration error as one line, naming the variables concerned."""
    messages = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] != "value_error" and error["loc"]:
            message = f"COHESION_{str(error['loc'][0]).upper()}: {message}"
        messages.append(message)
    return "cohesion: " + "; ".join(messages)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; a configuration that is refused ends the process with one
    line saying why."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SystemExit(refusal(exc)) from None
