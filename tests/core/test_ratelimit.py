"""Rate limiting (app/core/ratelimit.py): per principal, per IP for anonymous calls, stricter on
the token endpoint (per IP; log-in attempts per account and address, and per address, counted
before the password is verified), 429 problem+json with Retry-After and the IETF RateLimit
headers; in memory always, and through Redis when TEST_REDIS_URL is set (two app
instances sharing one budget). Limits are per day so that no window ends during a test."""

import asyncio
import logging
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from app.cli import uvicorn_options
from app.core.config import Settings
from app.core.ratelimit import MemoryCounters
from app.core.security import PasswordHasher
from app.main import create_app
from app.openapi_snapshot import SNAPSHOT
from tests.conftest import TEST_PASSWORD, World, make_settings

API = "/api/v1"
REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])
GENEROUS = "1000/day"
PEOPLE = ["admin", "chair", "executive", "facilitator", "member", "other_chair"]

Factory = Callable[..., Awaitable[FastAPI]]


@pytest.fixture(params=BACKENDS)
async def limited_app(
    request: pytest.FixtureRequest, database_url: str, db: None
) -> AsyncIterator[Factory]:
    """Builds apps with small limits. With Redis, every app of one test shares a fresh key
    prefix (the budget); the test's keys, and only those, are deleted afterwards."""
    apps: list[FastAPI] = []
    prefix = f"cohesion-test-{uuid.uuid4().hex}"

    async def build(**limits: object) -> FastAPI:
        overrides: dict[str, object] = {
            "ratelimit_principal": GENEROUS,
            "ratelimit_anonymous": GENEROUS,
            "ratelimit_token_ip": GENEROUS,
            "ratelimit_login": GENEROUS,
            "ratelimit_login_address": GENEROUS,
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


class CountingHasher(PasswordHasher):
    """The app's own hasher (``app.state.cohesion.passwords``, which the token route uses),
    counting the verifications of each password it is given."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.verified: Counter[str] = Counter()

    async def verify(self, password: str, hashed: str | None) -> bool:
        self.verified[password] += 1
        return await super().verify(password, hashed)


def count_verifications(application: FastAPI) -> CountingHasher:
    hasher = CountingHasher(application.state.cohesion.settings)
    application.state.cohesion.passwords = hasher
    return hasher


def day_start() -> float:
    """The start of tomorrow (UTC): every window of a test's clock starts there."""
    return (time.time() // 86_400 + 1) * 86_400


async def test_concurrent_guesses_are_verified_at_most_the_limit_and_lock_nobody_out(
    limited_app: Factory, world: World
) -> None:
    """Before: the limit was checked before and counted after the password, so 50 concurrent
    wrong passwords were all verified against a limit of 10, and then the owner was refused.
    Now each attempt takes its slot before verifying."""
    # A slow Redis (50 requests at once on a busy test machine) must not count as a down one:
    # then the attempts would be counted in the database instead (see reserve_login).
    application = await limited_app(ratelimit_login="10/day", ratelimit_redis_timeout_seconds=5)
    hasher = count_verifications(application)
    email = world["chair"].email
    async with http(application) as attacker, http(application, ip="192.0.2.77") as owner:
        guesses = [login(attacker, email, f"guess {n}") for n in range(50)]
        *answers, mine = await asyncio.gather(*guesses, login(owner, email, TEST_PASSWORD))
        assert mine.status_code == 200, mine.text  # meanwhile, from another address
        statuses = Counter(r.status_code for r in answers)
        assert statuses == {401: 10, 429: 40}
        assert sum(n for p, n in hasher.verified.items() if p != TEST_PASSWORD) == 10
        for response in answers:
            if response.status_code == 429:
                assert_too_many(response, "login", 10)
                assert "access_token" not in response.text
        # Afterwards: still the owner logs in from elsewhere; the guesser's address waits even
        # with the right password, and its refused attempts were never verified.
        assert (await login(owner, email, TEST_PASSWORD)).status_code == 200
        assert_too_many(await login(attacker, email, TEST_PASSWORD), "login", 10)
        assert hasher.verified[TEST_PASSWORD] == 2
        # Other accounts from the guesser's address are not affected.
        assert (await login(attacker, world["member"].email, TEST_PASSWORD)).status_code == 200


async def test_a_burst_of_log_ins_does_not_wait_on_the_connection_pool(
    limited_app: Factory, world: World
) -> None:
    """A success gives its counts back after the response, when the request's connection is
    back in the pool: done inside the request, each log-in held two connections and 30 at once
    waited on each other until the pool timed out."""
    application = await limited_app(
        database_pool_size=2, database_pool_timeout_seconds=3, sqlite_busy_timeout_ms=3000
    )
    async with http(application) as client:
        burst = [login(client, world[name].email, TEST_PASSWORD) for name in PEOPLE * 5]
        answers = await asyncio.gather(*burst)
    assert [r.status_code for r in answers] == [200] * len(burst)


async def test_repeated_failures_wait_longer_and_longer(limited_app: Factory, world: World) -> None:
    application = await limited_app(ratelimit_login="2/minute;4/hour;6/day")
    hasher = count_verifications(application)
    limiter = application.state.ratelimiter
    start = day_start() + 10
    email = world["chair"].email
    waits = []
    async with http(application) as client:
        for offset in (0, 60, 3600):  # the clock moves to the end of each wait
            limiter.clock = lambda offset=offset: start + offset
            for _ in range(2):
                assert (await login(client, email, "guess")).status_code == 401
            for _ in range(3):  # refused attempts do not count: no more waiting for them
                response = await login(client, email, "guess")
                assert response.status_code == 429
            waits.append((response.headers["RateLimit-Policy"], response.headers["Retry-After"]))
        assert waits == [
            ('"login";q=2;w=60', "50"),
            ('"login";q=4;w=3600', str(3600 - 70)),
            ('"login";q=6;w=86400', str(86_400 - 3610)),
        ]
        assert hasher.verified["guess"] == 6
    async with http(application, ip="192.0.2.77") as owner:
        assert (await login(owner, email, TEST_PASSWORD)).status_code == 200


async def test_a_success_forgives_the_failures_from_its_address(
    limited_app: Factory, world: World
) -> None:
    application = await limited_app(ratelimit_login="2/day")
    email = world["chair"].email
    async with http(application) as client:
        for _ in range(3):
            assert (await login(client, email, "guess")).status_code == 401
            assert (await login(client, email, TEST_PASSWORD)).status_code == 200
        for _ in range(2):
            assert (await login(client, email, "guess")).status_code == 401
        assert_too_many(await login(client, email, TEST_PASSWORD), "login", 2)


async def test_guessing_many_accounts_from_one_address_is_limited(
    limited_app: Factory, world: World
) -> None:
    application = await limited_app(ratelimit_login_address="3/day")
    async with http(application) as sprayer:
        assert (await login(sprayer, world["chair"].email, "guess")).status_code == 401
        assert (await login(sprayer, world["member"].email, "guess")).status_code == 401
        # Logging in to one's own account spends nothing (and forgives no other guesses).
        assert (await login(sprayer, world["admin"].email, TEST_PASSWORD)).status_code == 200
        assert (await login(sprayer, world["outsider"].email, "guess")).status_code == 401
        response = await login(sprayer, world["executive"].email, "guess")
        assert_too_many(response, "login-address", 3)
        assert "this address" in response.json()["detail"]
        assert (await login(sprayer, world["admin"].email, TEST_PASSWORD)).status_code == 429
    async with http(application, ip="192.0.2.78") as other:
        for name in ("executive", "chair"):
            assert (await login(other, world[name].email, TEST_PASSWORD)).status_code == 200
        # Successes do not spend the address's budget.
        for _ in range(4):
            assert (await login(other, world["member"].email, TEST_PASSWORD)).status_code == 200


async def test_service_account_secrets_are_limited_per_client_id(
    limited_app: Factory, world: World
) -> None:
    application = await limited_app(ratelimit_login="1/day")
    form = {"grant_type": "client_credentials", "client_id": "sa_nobody", "client_secret": "x"}
    async with http(application) as client:
        assert (await client.post(f"{API}/auth/token", data=form)).status_code == 401
        assert_too_many(await client.post(f"{API}/auth/token", data=form), "login", 1)


def behind_uvicorn(application: FastAPI, settings: Settings, peer: str) -> httpx.AsyncClient:
    """The app as ``cohesion serve`` has uvicorn wrap it, called from ``peer``."""
    config = uvicorn.Config(application, **uvicorn_options(settings))
    config.load()
    transport = httpx.ASGITransport(app=config.loaded_app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_forwarded_for_is_believed_only_from_trusted_proxies(
    limited_app: Factory, world: World
) -> None:
    application = await limited_app(ratelimit_login="1/day")
    settings = make_settings("sqlite+aiosqlite://", forwarded_allow_ips="10.0.0.0/8")
    email = world["chair"].email

    def from_(client: str) -> dict[str, str]:
        return {"X-Forwarded-For": client}

    async with behind_uvicorn(application, settings, "203.0.113.7") as direct:
        # An untrusted peer cannot pose as a new client for each guess.
        form = {"grant_type": "password", "username": email, "password": "guess"}
        url = f"{API}/auth/token"
        assert (await direct.post(url, data=form, headers=from_("198.51.100.1"))).status_code == 401
        refused = await direct.post(url, data=form, headers=from_("198.51.100.2"))
        assert_too_many(refused, "login", 1)
    async with behind_uvicorn(application, settings, "10.1.2.3") as proxy:
        # Through the trusted proxy, each client is counted as itself.
        for client in ("198.51.100.3", "198.51.100.4"):
            response = await proxy.post(url, data=form, headers=from_(client))
            assert response.status_code == 401
        assert_too_many(await proxy.post(url, data=form, headers=from_("198.51.100.3")), "login", 1)
        # The guessed-at owner, elsewhere, is not refused.
        ok = {**form, "password": TEST_PASSWORD}
        assert (await proxy.post(url, data=ok, headers=from_("198.51.100.9"))).status_code == 200


def test_trusted_proxies_are_a_setting_for_uvicorn() -> None:
    default = uvicorn_options(make_settings("sqlite+aiosqlite://"))
    assert default["proxy_headers"] is True and default["forwarded_allow_ips"] == "127.0.0.1"
    none = uvicorn_options(make_settings("sqlite+aiosqlite://", forwarded_allow_ips=""))
    assert none["proxy_headers"] is False
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        make_settings("sqlite+aiosqlite://", forwarded_allow_ips="10.0.0.1, the proxy")
    dockerfile = (Path(__file__).parents[2] / "Dockerfile").read_text()
    assert '--forwarded-allow-ips \\"$COHESION_FORWARDED_ALLOW_IPS\\"' in dockerfile


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
        ratelimit_login="1/day",
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
            # A failed log-in through one process counts in the other (same address).
            assert (await login(one, world["chair"].email, "guess")).status_code == 401
            async with http(second) as same_address:
                response = await login(same_address, world["chair"].email, TEST_PASSWORD)
                assert_too_many(response, "login", 1)
            assert (await login(two, world["chair"].email, TEST_PASSWORD)).status_code == 200
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
            ratelimit_login="1/day",
        )
    )
    try:
        with caplog.at_level(logging.WARNING, logger="cohesion.ratelimit"):
            async with http(application) as client:
                for _ in range(3):
                    response = await client.get(f"{API}/me", headers=world.headers("chair"))
                    assert response.status_code == 200, response.text
                    assert "RateLimit" not in response.headers
                # Log-in attempts are not unlimited: they are counted in the database instead.
                assert (await login(client, world["chair"].email, "guess")).status_code == 401
                response = await login(client, world["chair"].email, TEST_PASSWORD)
                assert_too_many(response, "login", 1)
            async with http(application, ip="192.0.2.80") as owner:
                assert (await login(owner, world["chair"].email, TEST_PASSWORD)).status_code == 200
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
