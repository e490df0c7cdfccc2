"""Settings: no secret has a default. Production refuses to start without each one (or with a
short one), whatever the algorithm; development and test generate them once under var/."""

import json
import stat
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from app.core.config import Settings, get_settings

SECRET_VARIABLES = (
    "COHESION_JWT_SECRET",
    "COHESION_DATA_KEYS",
    "COHESION_RESPONDENT_HMAC_KEY",
    "COHESION_ENVIRONMENT",
    "COHESION_SECRETS_FILE",
    "COHESION_JWT_ALGORITHM",
)
LONG = "x" * 32


@pytest.fixture(autouse=True)
def _no_secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def secrets_file(tmp_path: Path) -> Path:
    return tmp_path / "var" / "secrets.json"


def build(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def production(**values: object) -> Settings:
    complete: dict[str, object] = {
        "environment": "production",
        "jwt_secret": LONG,
        "data_keys": Fernet.generate_key().decode(),
        "respondent_hmac_key": LONG,
    }
    return build(**{**complete, **values})


@cache
def rsa_pair(bits: int) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def rs256(bits: int = 2048) -> dict[str, object]:
    private, public = rsa_pair(bits)
    return {"jwt_algorithm": "RS256", "jwt_private_key": private, "jwt_public_key": public}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jwt_secret", None, "COHESION_JWT_SECRET is not set"),
        ("jwt_secret", "", "COHESION_JWT_SECRET is not set"),
        ("jwt_secret", "x" * 31, "COHESION_JWT_SECRET is under 32 bytes"),
        ("data_keys", None, "COHESION_DATA_KEYS is not set"),
        ("data_keys", "not-a-fernet-key", "COHESION_DATA_KEYS key 1 is not a Fernet key"),
        ("respondent_hmac_key", None, "COHESION_RESPONDENT_HMAC_KEY is not set"),
        ("respondent_hmac_key", "x" * 31, "COHESION_RESPONDENT_HMAC_KEY is under 32 bytes"),
    ],
)
def test_production_hs256_refuses_each_missing_or_short_secret(
    field: str, value: object, message: str, secrets_file: Path
) -> None:
    with pytest.raises(ValidationError, match=message):
        production(**{field: value}, secrets_file=secrets_file)
    assert not secrets_file.exists()  # production never falls back to generated secrets


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"data_keys": None}, "COHESION_DATA_KEYS is not set"),
        ({"respondent_hmac_key": None}, "COHESION_RESPONDENT_HMAC_KEY is not set"),
        ({"respondent_hmac_key": "short"}, "COHESION_RESPONDENT_HMAC_KEY is under 32 bytes"),
        ({"jwt_private_key": None}, "RS256 needs"),
        ({"jwt_private_key": "not a key"}, "COHESION_JWT_PRIVATE_KEY is not an RSA private key"),
    ],
)
def test_production_rs256_refuses_each_missing_secret(
    values: dict[str, object], message: str, secrets_file: Path
) -> None:
    # The JWT secret is not needed for RS256, but the other secrets are.
    with pytest.raises(ValidationError, match=message):
        production(**{**rs256(), "jwt_secret": None, **values}, secrets_file=secrets_file)
    assert not secrets_file.exists()


def test_production_rs256_refuses_a_short_rsa_key() -> None:
    with pytest.raises(ValidationError, match="COHESION_JWT_PRIVATE_KEY is under 2048 bits"):
        production(**rs256(1024), jwt_secret=None)


def test_production_accepts_complete_secrets() -> None:
    assert production().environment == "production"
    assert production(**rs256(), jwt_secret=None).jwt_secret is None


def test_a_malformed_data_key_is_refused_in_development_too(secrets_file: Path) -> None:
    good = Fernet.generate_key().decode()
    with pytest.raises(ValidationError, match="COHESION_DATA_KEYS key 2 is not a Fernet key"):
        build(data_keys=f"{good},{good[:-4]}", secrets_file=secrets_file)


def test_development_generates_secrets_once_and_reuses_them(secrets_file: Path) -> None:
    first = build(secrets_file=secrets_file)
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    stored = json.loads(secrets_file.read_text())
    assert first.jwt_secret is not None and first.data_keys is not None
    assert first.respondent_hmac_key is not None
    assert stored == {
        "jwt_secret": first.jwt_secret.get_secret_value(),
        "data_keys": first.data_keys.get_secret_value(),
        "respondent_hmac_key": first.respondent_hmac_key.get_secret_value(),
    }
    assert len(set(stored.values())) == 3  # one secret per purpose
    assert all(len(value) >= 32 for value in stored.values())
    assert [p.name for p in secrets_file.parent.iterdir()] == ["secrets.json"]  # no temp left

    again = build(environment="test", secrets_file=secrets_file)
    assert again.jwt_secret == first.jwt_secret
    assert again.data_keys == first.data_keys
    assert again.respondent_hmac_key == first.respondent_hmac_key


def test_each_installation_gets_its_own_secrets(tmp_path: Path) -> None:
    one = build(secrets_file=tmp_path / "one.json")
    two = build(secrets_file=tmp_path / "two.json")
    assert one.jwt_secret != two.jwt_secret
    assert one.data_keys != two.data_keys


def test_configured_secrets_win_over_the_file(secrets_file: Path) -> None:
    generated = build(secrets_file=secrets_file)
    mine = build(jwt_secret="mine-" + LONG, secrets_file=secrets_file)
    assert mine.jwt_secret is not None and mine.jwt_secret.get_secret_value() == "mine-" + LONG
    assert mine.data_keys == generated.data_keys


def test_a_file_missing_a_secret_is_completed(secrets_file: Path) -> None:
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text(json.dumps({"jwt_secret": "kept-" + LONG}))
    settings = build(secrets_file=secrets_file)
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == "kept-" + LONG
    assert set(json.loads(secrets_file.read_text())) == {
        "jwt_secret",
        "data_keys",
        "respondent_hmac_key",
    }


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_production_start_fails_with_one_line_naming_the_variables(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None, secrets_file: Path
) -> None:
    monkeypatch.setenv("COHESION_ENVIRONMENT", "production")
    monkeypatch.setenv("COHESION_SECRETS_FILE", str(secrets_file))
    monkeypatch.setenv("COHESION_DATA_KEYS", Fernet.generate_key().decode())
    monkeypatch.chdir(secrets_file.parent.parent)  # no .env file here
    with pytest.raises(SystemExit) as exit_info:
        get_settings()
    message = str(exit_info.value.code)
    assert "\n" not in message
    assert message == (
        "cohesion: refusing to start in production: COHESION_JWT_SECRET is not set; "
        "COHESION_RESPONDENT_HMAC_KEY is not set"
    )


def test_rs256_needs_both_keys(secrets_file: Path) -> None:
    with pytest.raises(ValidationError, match="RS256 needs"):
        build(jwt_algorithm="RS256", secrets_file=secrets_file)


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch, secrets_file: Path) -> None:
    monkeypatch.setenv("COHESION_DATABASE_URL", "sqlite+aiosqlite:///./var/other.db")
    monkeypatch.setenv("COHESION_CORS_ORIGINS", '["https://portal.example"]')
    settings = build(secrets_file=secrets_file)
    assert settings.database_url.endswith("other.db")
    assert settings.cors_origins == ["https://portal.example"]
