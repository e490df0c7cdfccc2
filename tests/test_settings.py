"""Settings refuse unsafe production configurations."""

import pytest
from pydantic import ValidationError

from app.core.config import DEFAULT_SECRET, Settings


def build(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="default JWT secret"):
        build(environment="production", jwt_secret=DEFAULT_SECRET)


def test_production_refuses_a_short_hs256_secret() -> None:
    with pytest.raises(ValidationError, match="under 32 bytes"):
        build(environment="production", jwt_secret="x" * 31)


def test_production_accepts_a_long_secret() -> None:
    assert build(environment="production", jwt_secret="x" * 32).environment == "production"


def test_development_allows_the_default_secret() -> None:
    assert build().jwt_secret.get_secret_value() == DEFAULT_SECRET


def test_rs256_needs_both_keys() -> None:
    with pytest.raises(ValidationError, match="RS256 needs"):
        build(jwt_algorithm="RS256")


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHESION_DATABASE_URL", "sqlite+aiosqlite:///./var/other.db")
    monkeypatch.setenv("COHESION_CORS_ORIGINS", '["https://portal.example"]')
    settings = build()
    assert settings.database_url.endswith("other.db")
    assert settings.cors_origins == ["https://portal.example"]
