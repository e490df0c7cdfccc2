"""Secrets stay secret: logs never hold a token, a password, a client secret or a webhook
secret, and responses never hold a password hash, a secret after the response that created it,
a private key, or a stack trace.

The first test runs a representative flow (log-ins good and bad, a new user, validation errors
around passwords, service account create/rotate/use, webhook create/rotate-secret) while
capturing every log record at INFO (DEBUG for the app's own loggers), then searches the records
and every response for each secret it saw. The second walks every list and object of the full
demo data set as its admin and checks each answer."""

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.auth.models import User
from app.main import create_app
from tests.conftest import TEST_PASSWORD, World, make_settings
from tests.test_isolation import demo, everything, network_lists, object_routes  # noqa: F401

API = "/api/v1"
# Keys that must never appear in a JSON answer, except where listed (the creating response).
SECRET_KEYS = {
    "password",
    "password_hash",
    "secret_hash",
    "client_secret",
    "secret",
    "access_token",
}
SHOWN_ONCE = frozenset({"client_secret", "secret", "access_token"})
NEVER_IN_A_RESPONSE = ("$argon2", "PRIVATE KEY", "Traceback (most recent call last)", 'File "/')


@dataclass
class Seen:
    """Every response, and the secrets met so far with where they may legitimately appear."""

    responses: list[httpx.Response] = field(default_factory=list)
    secrets: dict[str, httpx.Response | None] = field(default_factory=dict)

    def secret(self, value: str, shown_in: httpx.Response | None = None) -> str:
        assert len(value) >= 8, value
        self.secrets[value] = shown_in
        return value


@pytest.fixture
async def leak_app(database_url: str) -> AsyncIterator[FastAPI]:
    """Webhooks to 127.0.0.1 allowed (nothing is sent: no worker runs)."""
    application = create_app(
        make_settings(
            database_url, webhooks_worker_enabled=False, webhooks_allow_private_targets=True
        )
    )
    yield application
    await application.state.cohesion.db.dispose()


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def check_response(response: httpx.Response, allowed_keys: frozenset[str] = frozenset()) -> None:
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    assert response.status_code < 500, (where, response.text)
    for marker in NEVER_IN_A_RESPONSE:
        assert marker not in response.text, (where, marker)
    if response.headers.get("content-type", "").endswith("json") and response.content:
        found = keys_in(response.json()) & SECRET_KEYS
        assert found <= allowed_keys, (where, found)


def log_text(record: logging.LogRecord) -> str:
    """The message, its arguments, extras and any traceback: what any formatter could print."""
    return logging.Formatter().format(record) + " " + json.dumps(vars(record), default=str)


async def test_no_secret_reaches_a_log_or_a_later_response(
    leak_app: FastAPI, db: None, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="cohesion")
    seen = Seen()
    seen.secret(TEST_PASSWORD)
    admin, chair = world.headers("admin"), world.headers("chair")
    for headers in (admin, chair, world.headers("member")):
        seen.secret(headers["Authorization"].removeprefix("Bearer "))

    transport = httpx.ASGITransport(app=leak_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

        async def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
            response = await http.request(method, API + path, **kwargs)
            seen.responses.append(response)
            return response

        async def login(username: str, password: str) -> httpx.Response:
            form = {"grant_type": "password", "username": username, "password": password}
            return await call("POST", "/auth/token", data=form)

        # Log-ins: good, wrong password, unknown account, an over-long password.
        ok = await login(world["chair"].email, TEST_PASSWORD)
        assert ok.status_code == 200
        seen.secret(ok.json()["access_token"], ok)
        wrong = seen.secret("Wrong-Canary-Password-1")
        assert (await login(world["chair"].email, wrong)).status_code == 401
        unknown = seen.secret("Unknown-Canary-Password-2")
        assert (await login("nobody@test.example", unknown)).status_code == 401
        too_long = seen.secret("Long-Canary-Password-3" * 6)
        assert (await login(world["chair"].email, too_long)).status_code == 422

        # A new user, and validation errors with a password in the body.
        new_password = seen.secret("New-Canary-Password-4")
        user = {"email": "newbie@test.example", "name": "Newbie", "password": new_password}
        assert (await call("POST", "/users", json=user, headers=admin)).status_code == 201
        fresh = await login("newbie@test.example", new_password)
        assert fresh.status_code == 200
        seen.secret(fresh.json()["access_token"], fresh)
        bad_bodies = [
            {**user, "email": "not-an-email", "password": seen.secret("Bad-Email-Canary-5")},
            {**user, "email": "x@test.example", "password": seen.secret("Long-Canary-6" * 12)},
            {**user, "email": "y@test.example", "passwd": seen.secret("Extra-Field-Canary-7")},
            {**user, "email": "z@test.example", "password": [seen.secret("List-Canary-8")]},
        ]
        for body in bad_bodies:
            response = await call("POST", "/users", json=body, headers=admin)
            assert response.status_code == 422, response.text
        canary = seen.secret("Json-Canary-9")
        broken = f'{{"email": "a@test.example", "password": "{canary}",'
        response = await call(
            "POST",
            "/users",
            content=broken,
            headers={**admin, "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        change = {
            "current_password": seen.secret("Current-Canary-10"),
            "new_password": seen.secret("Next-Canary-11"),
        }
        assert (
            await call("POST", "/users/me/password", json=change, headers=chair)
        ).status_code == 422

        # Service accounts: create, rotate, use; the old and a wrong secret fail.
        created = await call(
            "POST",
            f"/networks/{world.network_a}/service-accounts",
            json={"name": "Nightly sync", "scopes": ["mobility:write"]},
            headers=chair,
        )
        assert created.status_code == 201, created.text
        account = created.json()
        first = seen.secret(account["client_secret"], created)
        rotated = await call("POST", f"/service-accounts/{account['id']}/rotate", headers=chair)
        assert rotated.status_code == 200, rotated.text
        second = seen.secret(rotated.json()["client_secret"], rotated)
        for secret, status in [(first, 401), (seen.secret("Wrong-Client-Canary-12"), 401)]:
            form = {
                "grant_type": "client_credentials",
                "client_id": account["client_id"],
                "client_secret": secret,
            }
            assert (await call("POST", "/auth/token", data=form)).status_code == status
        form = {
            "grant_type": "client_credentials",
            "client_id": account["client_id"],
            "client_secret": second,
        }
        script = await call("POST", "/auth/token", data=form)
        assert script.status_code == 200, script.text
        seen.secret(script.json()["access_token"], script)

        # Webhooks: create and rotate the signing secret.
        hook = await call(
            "POST",
            f"/networks/{world.network_a}/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "event_types": ["role.*"]},
            headers=chair,
        )
        assert hook.status_code == 201, hook.text
        seen.secret(hook.json()["secret"], hook)
        hook_id = hook.json()["id"]
        again = await call("POST", f"/webhooks/{hook_id}/rotate-secret", headers=chair)
        assert again.status_code == 200, again.text
        seen.secret(again.json()["secret"], again)

        # Everything readable about them afterwards.
        for path, headers in [
            ("/me", chair),
            ("/users", admin),
            (f"/users/{world['chair'].id}", admin),
            (f"/networks/{world.network_a}/service-accounts", chair),
            (f"/service-accounts/{account['id']}", chair),
            (f"/networks/{world.network_a}/webhooks", chair),
            (f"/webhooks/{hook_id}", chair),
            (f"/webhooks/{hook_id}/deliveries", chair),
            (f"/audit-events?network_id={world.network_a}", chair),
            ("/audit-events", admin),
        ]:
            assert (await call("GET", path, headers=headers)).status_code == 200, path

    async with leak_app.state.cohesion.db.transaction() as session:
        hashes = [h for h in await session.scalars(select(User.password_hash)) if h]
    assert hashes
    for value in hashes:
        seen.secret(value)

    shown = {id(r) for r in seen.secrets.values() if r}
    for response in seen.responses:
        check_response(response, SHOWN_ONCE if id(response) in shown else frozenset())
        for secret, shown_in in seen.secrets.items():
            if shown_in is not response:
                assert secret not in response.text, (response.request.url.path, secret[:12])

    records = [log_text(r) for r in caplog.records]
    assert any("request" in r for r in records), "no access log captured: is this test looking?"
    assert any(r.name == "cohesion.access" for r in caplog.records)
    for secret in seen.secrets:
        leaked = [r[:200] for r in records if secret in r]
        assert leaked == [], f"a secret ({secret[:6]}…) was logged"


async def test_the_demo_data_shows_no_secret_anywhere(
    app: FastAPI,
    client: httpx.AsyncClient,
    demo: dict[str, Any],  # noqa: F811
) -> None:
    """Every network list (with every page) and every object of every demo network, as the
    admin, who sees everything."""
    admin = demo["admin"]
    networks = await everything(client, "/networks", admin)
    assert len(networks) >= 3
    lists = network_lists(app)
    objects = object_routes(app)
    checked = 0

    async def get(path: str) -> Any:
        nonlocal checked
        response = await client.get(API + path, params={"limit": 200}, headers=admin)
        assert response.status_code == 200, (path, response.text)
        check_response(response)
        checked += 1
        return response

    for network in networks:
        for path in lists:
            url = path.replace("{network_id}", str(network["id"]))
            rows = await everything(client, url, admin)
            await get(url)
            source = path.removeprefix("/networks/{network_id}/")
            for object_path, collection in objects.items():
                if collection != source:
                    continue
                for row in rows[:5]:
                    if isinstance(row, dict) and "id" in row:
                        await get(object_path[: object_path.index("{")] + str(row["id"]))
    for path in ("/users", "/audit-events", "/me"):
        await get(path)
    assert checked >= 100, checked
