"""Rate limiting (app/core/ratelimit.py): per principal, per IP for anonymous calls, stricter on
the token endpoint (per IP and per account), 429 problem+json with Retry-After and the IETF
RateLimit headers; in memory always, and through Redis when TEST_REDIS_URL is set (two app
instances sharing one budget). Limits are per day so that no window ends during a test."""

import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from app.core.ratelimit import MemoryCounters
from app.main import create_app
from app.openapi_snapshot import SNAPSHOT
from tests.conftest import TEST_PASSWORD, World, make_settings

API = "/api/v1"
REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])
GENEROUS = "1000/day"

Factory = Callable[..., Awaitable[FastAPI]]


@pytest.fixture(params=BACKENDS)
async def limited_app(
    request: pytest.FixtureRequest, database_url: str, db: None
) -> AsyncIterator[Factory]:
    """Builds apps with small limits. With Redis, every app of one test shares a fresh key
    prefix (the budget); the test's keys, and only those, are deleted afterwards."""
    apps: list[FastAPI] = []
    prefix = f"cohesion-test-{uuid.uuid4().hex}"

    async def build(**limits: str) -> FastAPI:
        overrides: dict[str, object] = {
            "ratelimit_principal": GENEROUS,
            "ratelimit_anonymous": GENEROUS,
            "ratelimit_token_ip": GENEROUS,
            "ratelimit_login_failures": GENEROUS,
            **limits,
        }
        if request.param == "redis":
            overrides |= {"redis_url": REDIS_URL, "ratelimit_key_prefix": prefix}
        application = create_app(make_settings(database_url, **overrides))
        apps.append(application)
        return application

    yield build
    for application in apps:
        if application.state.ratelimiter is not None:
            await application.state.ratelimiter.reset()
        await application.state.cohesion.db.dispose()


def http(application: FastAPI, ip: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def rate_header(response: httpx.Response) -> dict[str, str]:
    """`"name";r=1;t=2` as {"name": ..., "r": "1", "t": "2"}."""
    name, *params = response.headers["RateLimit"].split(";")
    return {"name": name.strip('"'), **dict(p.split("=") for p in params)}


def assert_too_many(response: httpx.Response, policy: str, amount: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 429 and body["type"].endswith("/too-many-requests")
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 86_400
    assert response.headers["RateLimit-Policy"] == f'"{policy}";q={amount};w=86400'
    assert rate_header(response) == {"name": policy, "r": "0", "t": str(retry_after)}


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )


async def test_a_principal_has_its_own_budget(limited_app: Factory, world: World) -> None:
    application = await limited_app(ratelimit_principal="3/day")
    async with http(application) as client:
        seen = []
        for _ in range(3):
            response = await client.get(f"{API}/me", headers=world.headers("chair"))
            assert response.status_code == 200, response.text
            assert response.headers["RateLimit-Policy"] == '"principal";q=3;w=86400'
            seen.append(rate_header(response)["r"])
        assert seen == ["2", "1", "0"]
        assert_too_many(
            await client.get(f"{API}/me", headers=world.headers("chair")), "principal", 3
        )
        # The same address with another person's token, and an anonymous call, are unaffected.
        member = await client.get(f"{API}/me", headers=world.headers("member"))
        assert member.status_code == 200 and rate_header(member)["r"] == "2"
        assert (await client.get(f"{API}/me")).status_code == 401
    # The chair is limited from any address: the budget follows the token's subject.
    async with http(application, ip="198.51.100.9") as elsewhere:
        response = await elsewhere.get(f"{API}/networks", headers=world.headers("chair"))
        assert_too_many(response, "principal", 3)


async def test_anonymous_calls_are_limited_per_address(limited_app: Factory, world: World) -> None:
    application = await limited_app(ratelimit_anonymous="2/day")
    async with http(application) as client:
        assert (await client.get(f"{API}/networks")).status_code == 401
        # A token that does not verify is counted against the address too.
        forged = {"Authorization": "Bearer not.a.token"}
        assert (await client.get(f"{API}/networks", headers=forged)).status_code == 401
        assert_too_many(await client.get(f"{API}/networks"), "anonymous", 2)
        # Signed-in callers from the same address have their own budgets.
        response = await client.get(f"{API}/networks", headers=world.headers("member"))
        assert response.status_code == 200
        # Probes and docs are never limited.
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
    async with http(application, ip="192.0.2.55") as other:
        response = await other.get(f"{API}/networks")
        assert response.status_code == 401 and rate_header(response)["r"] == "1"


async def test_token_endpoint_is_limited_per_address(limited_app: Factory, world: World) -> None:
    application = await limited_app(ratelimit_token_ip="3/day")
    async with http(application) as client:
        assert (await login(client, world["chair"].email, TEST_PASSWORD)).status_code == 200
        for _ in range(2):
            assert (await login(client, world["chair"].email, "guess")).status_code == 401
        # Over budget: refused before the password is even looked at, right or wrong.
        assert_too_many(await login(client, world["chair"].email, TEST_PASSWORD), "token-ip", 3)
        assert_too_many(await login(client, world["member"].email, "guess"), "token-ip", 3)
    async with http(application, ip="192.0.2.56") as other:
        assert (await login(other, world["member"].email, TEST_PASSWORD)).status_code == 200


async def test_failed_logins_lock_the_account_from_every_address(
    limited_app: Factory, world: World
) -> None:
    application = await limited_app(ratelimit_login_failures="2/day")
    email = world["chair"].email
    async with http(application) as client:
        # Successful log-ins spend nothing.
        for _ in range(3):
            assert (await login(client, email, TEST_PASSWORD)).status_code == 200
        assert (await login(client, email, "guess one")).status_code == 401
        assert (await login(client, email.upper(), "guess two")).status_code == 401
    async with http(application, ip="192.0.2.77") as other:
        # Spread over many addresses, guessing still stops: even the right password waits.
        response = await login(other, email, TEST_PASSWORD)
        assert_too_many(response, "login", 2)
        assert "access_token" not in response.text
        assert (await login(other, world["member"].email, TEST_PASSWORD)).status_code == 200


async def test_service_account_secrets_are_limited_per_client_id(
    limited_app: Factory, world: World
) -> None:
    application = await limited_app(ratelimit_login_failures="1/day")
    form = {"grant_type": "client_credentials", "client_id": "sa_nobody", "client_secret": "x"}
    async with http(application) as client:
        assert (await client.post(f"{API}/auth/token", data=form)).status_code == 401
        assert_too_many(await client.post(f"{API}/auth/token", data=form), "login", 1)


@pytest.mark.skipif(REDIS_URL is None, reason="TEST_REDIS_URL is not set")
async def test_two_processes_share_one_budget_in_redis(
    database_url: str, db: None, world: World
) -> None:
    prefix = f"cohesion-test-{uuid.uuid4().hex}"
    settings = make_settings(
        database_url,
        redis_url=REDIS_URL,
        ratelimit_key_prefix=prefix,
        ratelimit_principal="4/day",
        ratelimit_login_failures="1/day",
    )
    first, second = create_app(settings), create_app(settings)
    try:
        async with http(first) as one, http(second, ip="192.0.2.1") as two:
            remaining = []
            for client in (one, two, one, two):
                response = await client.get(f"{API}/me", headers=world.headers("member"))
                assert response.status_code == 200
                remaining.append(rate_header(response)["r"])
            assert remaining == ["3", "2", "1", "0"]
            assert_too_many(
                await one.get(f"{API}/me", headers=world.headers("member")), "principal", 4
            )
            assert_too_many(
                await two.get(f"{API}/me", headers=world.headers("member")), "principal", 4
            )
            # A failed log-in through one process locks the account in the other.
            assert (await login(one, world["chair"].email, "guess")).status_code == 401
            assert_too_many(await login(two, world["chair"].email, TEST_PASSWORD), "login", 1)
    finally:
        await first.state.ratelimiter.reset()
        for application in (first, second):
            await application.state.cohesion.db.dispose()


async def test_an_unreachable_redis_fails_open_with_a_warning(
    database_url: str, db: None, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing listens on port 1: requests are served (not 500, not refused), unlimited,
    and the outage is logged once, not per request."""
    application = create_app(
        make_settings(
            database_url,
            redis_url="redis://127.0.0.1:1/0",
            ratelimit_principal="1/day",
            ratelimit_login_failures="1/day",
        )
    )
    try:
        with caplog.at_level(logging.WARNING, logger="cohesion.ratelimit"):
            async with http(application) as client:
                for _ in range(3):
                    response = await client.get(f"{API}/me", headers=world.headers("chair"))
                    assert response.status_code == 200, response.text
                    assert "RateLimit" not in response.headers
                for _ in range(2):
                    assert (await login(client, world["chair"].email, "guess")).status_code == 401
                assert (await login(client, world["chair"].email, TEST_PASSWORD)).status_code == 200
    finally:
        await application.state.cohesion.db.dispose()
    warnings = [r for r in caplog.records if r.name == "cohesion.ratelimit"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


async def test_disabled_rate_limiting_adds_nothing(
    database_url: str, db: None, world: World
) -> None:
    application = create_app(
        make_settings(database_url, ratelimit_enabled=False, ratelimit_principal="1/day")
    )
    try:
        async with http(application) as client:
            for _ in range(2):
                response = await client.get(f"{API}/me", headers=world.headers("chair"))
                assert response.status_code == 200 and "RateLimit" not in response.headers
        assert "429" not in application.openapi()["paths"]["/api/v1/me"]["get"]["responses"]
    finally:
        await application.state.cohesion.db.dispose()


def test_a_malformed_rate_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="ratelimit_principal"):
        make_settings("sqlite+aiosqlite://", ratelimit_principal="lots")


def test_every_api_operation_documents_429_with_its_headers() -> None:
    import json

    document = json.loads(SNAPSHOT.read_text())
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    api = [(p, m, o) for p, m, o in operations if p.startswith(API + "/")]
    assert len(api) > 50
    for path, method, operation in api:
        response = operation["responses"].get("429")
        assert response is not None, (method, path)
        assert set(response["headers"]) == {"Retry-After", "RateLimit", "RateLimit-Policy"}
    for path, _, operation in operations:
        if not path.startswith(API + "/"):
            assert "429" not in operation["responses"], path
    assert re.search(
        r"q=\d+;w=\d+", document["components"]["headers"]["RateLimit-Policy"]["description"]
    )


async def test_memory_counters_expire_and_are_swept() -> None:
    counters = MemoryCounters()
    assert await counters.incr("a", 60) == 1
    assert await counters.incr("a", 60, amount=2) == 3
    assert await counters.get("a") == 3
    assert await counters.incr("b", 0) == 1  # expires at once
    assert await counters.get("b") == 0
    assert await counters.incr("b", 0) == 1  # a new window, not 2
    counters._next_sweep = 0  # the next increment sweeps
    await counters.incr("c", 60)
    assert set(counters._counts) == {"a", "c"}
    await counters.reset()
    assert await counters.get("a") == 0
