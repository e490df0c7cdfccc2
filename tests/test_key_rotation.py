"""Keys for data at rest rotate: encrypted with key A, the ring [B, A] re-encrypts everything
under B, after which B alone opens it and credentials still sign and verify. Data written
under the old JWT-derived key moves onto the new keys with ``--legacy-jwt-secret``."""

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlmodel import col

from app.badges import keys
from app.badges.models import IssuerKey
from app.core.config import Settings, get_settings
from app.core.errors import ServiceUnavailable
from app.core.keyrotation import Outcome, rotate
from app.core.secrets import hmac_hex, legacy_data_key
from app.main import create_app
from app.programmes.evaluation_service import respondent_key
from app.programmes.models import EvaluationResponse
from tests.badges.helpers import approved_network
from tests.badges.test_awards import _award, _badge
from tests.conftest import TEST_DATA_KEY, World, make_settings
from tests.partnerships.helpers import PartnerBuilder

# The JWT secret every development install used before secrets had no default.
OLD_PUBLIC_DEFAULT = "change-me-this-is-the-local-development-secret"


def outcome(outcomes: list[Outcome], what: str) -> Outcome:
    return next(o for o in outcomes if o.what == what)


@pytest.fixture
async def app_with(settings: Settings) -> AsyncIterator[Any]:
    """``app_with(data_keys=...)``: an app on the same database with other settings."""
    made: list[FastAPI] = []

    def build(**overrides: object) -> FastAPI:
        application = create_app(make_settings(settings.database_url, **overrides))
        made.append(application)
        return application

    yield build
    for application in made:
        await application.state.cohesion.db.dispose()


async def stored_keys(app: FastAPI) -> list[IssuerKey]:
    async with app.state.cohesion.db.transaction(write=False) as session:
        return list((await session.scalars(select(IssuerKey))).all())


async def test_rotation_moves_issuer_keys_to_the_newest_key(
    client: httpx.AsyncClient, world: World, app_with: Any
) -> None:
    network_id = await approved_network(client, world)
    badge = await _badge(client, world, network_id)
    first = await _award(client, world, badge["id"])  # the issuer key is made under key A
    new_key = Fernet.generate_key().decode()
    ring = app_with(data_keys=f"{new_key},{TEST_DATA_KEY}")
    only_new = app_with(data_keys=new_key)
    [issuer_key] = await stored_keys(world.app)
    with pytest.raises(ServiceUnavailable):  # B alone cannot open what A encrypted
        keys.private_pem(issuer_key, only_new.state.cohesion.settings)

    done = await rotate(ring.state.cohesion.db, ring.state.cohesion.settings)
    assert outcome(done, "badge_issuer_keys.private_encrypted").line() == (
        "badge_issuer_keys.private_encrypted: 1 re-keyed, 0 already current"
    )
    again = await rotate(ring.state.cohesion.db, ring.state.cohesion.settings)
    assert outcome(again, "badge_issuer_keys.private_encrypted").current == 1

    [rotated] = await stored_keys(world.app)
    assert rotated.private_encrypted != issuer_key.private_encrypted
    assert keys.private_pem(rotated, only_new.state.cohesion.settings) == keys.private_pem(
        issuer_key, world.app.state.cohesion.settings
    )
    # With B only: the earlier credential still verifies, and a new one is signed and verifies.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=only_new), base_url="http://test"
    ) as b_client:
        second = await _award(b_client, world, badge["id"])
        for award in (first, second):
            r = await b_client.get(f"/api/v1/credentials/{award['credential_uuid']}/verify")
            assert r.status_code == 200, r.text
            assert r.json()["valid"] is True, r.text
    # ... and A alone (dropped from the ring) no longer opens it: the rotation really happened.
    with pytest.raises(ServiceUnavailable):
        keys.private_pem(rotated, world.app.state.cohesion.settings)


async def test_an_issuer_key_no_configured_key_opens_is_a_503_not_a_500(
    client: httpx.AsyncClient, world: World, app_with: Any
) -> None:
    network_id = await approved_network(client, world)
    badge = await _badge(client, world, network_id)
    await _award(client, world, badge["id"])
    stranger = app_with(data_keys=Fernet.generate_key().decode())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stranger), base_url="http://test"
    ) as s_client:
        r = await s_client.post(
            f"/api/v1/badges/{badge['id']}/awards",
            json={"recipient_name": "B", "recipient_email": "b@example.org"},
            headers=world.headers("outsider"),
        )
    assert r.status_code == 503, r.text
    assert "rotate-keys" in r.json()["detail"]


async def test_legacy_data_moves_to_the_new_keys_with_the_cli(
    client: httpx.AsyncClient,
    world: World,
    settings: Settings,
    app_with: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Data as the old code wrote it: the issuer key under SHA-256("…" + JWT secret), and a
    # respondent key HMAC'd with the JWT secret itself (the old public default here).
    legacy = app_with(data_keys=legacy_data_key(OLD_PUBLIC_DEFAULT))
    network_id = await approved_network(client, world)
    badge = await _badge(client, world, network_id)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=legacy), base_url="http://test"
    ) as l_client:
        first = await _award(l_client, world, badge["id"])
    b = PartnerBuilder(client, world)
    evaluation = await b.evaluation((await b.programme())["id"])
    url = f"/evaluations/{evaluation['id']}/responses"
    body = {"answers": {"confidence": 4}, "anonymous": True}
    await b.call("POST", url, "member", body, expect=201)
    old_hmac = hmac_hex(
        OLD_PUBLIC_DEFAULT, f"evaluation-response:{world['member'].id}:{evaluation['id']}"
    )
    async with world.app.state.cohesion.db.transaction() as session:
        await session.execute(update(EvaluationResponse).values(respondent_key=old_hmac))
    # Under the new respondent key that old row is not recognised: a second answer would pass.

    new_key = Fernet.generate_key().decode()
    environment = {
        "COHESION_ENVIRONMENT": "test",
        "COHESION_DATABASE_URL": settings.database_url,
        "COHESION_JWT_SECRET": "cli-secret-that-is-long-enough-for-hs256!",
        # Rotating as documented: the new key first, the app's current key kept after it
        # (values it wrote, e.g. queued mail, must move too).
        "COHESION_DATA_KEYS": f"{new_key},{settings.data_keys.get_secret_value()}",  # type: ignore[union-attr]
        "COHESION_RESPONDENT_HMAC_KEY": settings.respondent_hmac_key.get_secret_value(),  # type: ignore[union-attr]
        "COHESION_LEGACY_JWT_SECRET": OLD_PUBLIC_DEFAULT,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    from app.cli import _rotate_keys

    get_settings.cache_clear()
    try:
        assert await _rotate_keys(legacy=False) == 1  # without the old secret: unreadable
        assert "1 UNREADABLE" in capsys.readouterr().out
        assert await _rotate_keys(legacy=True) == 0
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr().out
    assert "badge_issuer_keys.private_encrypted: 1 re-keyed, 0 already current" in printed
    assert "evaluation_responses.respondent_key: 1 re-keyed, 0 already current" in printed
    assert "UNREADABLE" not in printed

    async with world.app.state.cohesion.db.transaction(write=False) as session:
        stored = await session.scalar(select(col(EvaluationResponse.respondent_key)))
    assert stored == respondent_key(
        world.app.state.cohesion.settings, world["member"].id, evaluation["id"]
    )
    await b.call("POST", url, "member", body, expect=409)  # answer-once survives the migration
    only_new = app_with(data_keys=new_key)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=only_new), base_url="http://test"
    ) as n_client:
        r = await n_client.get(f"/api/v1/credentials/{first['credential_uuid']}/verify")
        assert r.json()["valid"] is True, r.text
        await _award(n_client, world, badge["id"])  # signs with the migrated key


def test_cli_legacy_flag_needs_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import main

    monkeypatch.delenv("COHESION_LEGACY_JWT_SECRET", raising=False)
    with pytest.raises(SystemExit, match="COHESION_LEGACY_JWT_SECRET"):
        main(["rotate-keys", "--legacy-jwt-secret"])
    assert "COHESION_LEGACY_JWT_SECRET" not in os.environ
