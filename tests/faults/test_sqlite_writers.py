"""SQLite under 50 concurrent writers: every write succeeds, none meets "database is locked".

A real ``cohesion serve`` on a SQLite file; 50 clients, each with its own connection and its
own identity (an executive of the network, so no client shares a principal), released at the
same moment, each making several writes that take SQLite's single write lock: creating
users (as the admin, all at once), then an organisation, an objective in a shared plan, and
a mobility count batch on the shared register (one key in common, so their upserts collide).
No answer may be a 5xx or mention a lock; afterwards every write is there.
"""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.config import Settings
from app.core.security import TokenService
from tests.faults.harness import API, Server, prepare_database, server_env

pytestmark = pytest.mark.faults

WRITERS = 50
SECRET = "fault-tests-secret-long-enough-for-hs256!"


async def together(calls: list[Callable[[], Awaitable[httpx.Response]]]) -> list[httpx.Response]:
    """Run the calls concurrently, released at once."""
    gate = asyncio.Event()

    async def run(call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        await gate.wait()
        return await call()

    tasks = [asyncio.create_task(run(call)) for call in calls]
    await asyncio.sleep(0.05)
    gate.set()
    return await asyncio.gather(*tasks)


def assert_all_succeeded(what: str, responses: list[httpx.Response]) -> None:
    bad = [
        (r.status_code, r.text[:200])
        for r in responses
        if not r.is_success or "locked" in r.text.lower()
    ]
    assert not bad, f"{what}: {len(bad)} of {len(responses)} failed: {bad[:5]}"


async def test_fifty_concurrent_writers_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "writers.db"
    url = f"sqlite+aiosqlite:///{database}"
    env = server_env(url, COHESION_JWT_SECRET=SECRET)
    await asyncio.to_thread(prepare_database, env)
    server = Server(env, tmp_path / "server.log").start()
    settings = Settings(_env_file=None, database_url=url, jwt_secret=SECRET)  # type: ignore[call-arg]
    tokens = TokenService(settings)
    clients = [httpx.AsyncClient(base_url=server.base + API, timeout=120) for _ in range(WRITERS)]
    try:
        admin = server.token()
        network = server.call(
            "POST", "/networks", admin, 201, json={"name": "Busy", "kind": "thematic"}
        )
        n = network["id"]
        plan_body = {"title": "Busy plan", "period_start": "2025-09-01", "period_end": "2026-08-31"}
        plan = server.call("POST", f"/networks/{n}/plans", admin, 201, json=plan_body)
        shared = [
            server.call(
                "POST", "/organisations", admin, 201, json={"name": f"Hub {i}", "kind": "school"}
            )["id"]
            for i in range(2)
        ]

        # 1. Fifty people joining the network at once (the admin writing fifty times).
        def join(i: int) -> Callable[[], Awaitable[httpx.Response]]:
            body = {
                "email": f"writer{i}@test.example",
                "name": f"Writer {i}",
                "password": "a long enough password",
                "network_id": n,
                "role": "executive",
            }
            return lambda: clients[i].post("/users", json=body, headers=admin)

        joined = await together([join(i) for i in range(WRITERS)])
        assert_all_succeeded("creating users", joined)
        subjects = [f"user:{r.json()['id']}" for r in joined]
        people = [{"Authorization": f"Bearer {tokens.issue(s)[0]}"} for s in subjects]

        # 2. Each of them writes three things, all at once.
        def organisation(i: int) -> Callable[[], Awaitable[httpx.Response]]:
            body = {"name": f"Busy college {i}", "kind": "vet_college", "owner_network_id": n}
            return lambda: clients[i].post("/organisations", json=body, headers=people[i])

        def objective(i: int) -> Callable[[], Awaitable[httpx.Response]]:
            body = {"code": f"W{i}", "title": f"Objective of writer {i}"}
            path = f"/plans/{plan['id']}/objectives"
            return lambda: clients[i].post(path, json=body, headers=people[i])

        def counts(i: int) -> Callable[[], Awaitable[httpx.Response]]:
            def record(period: str, count: int) -> dict[str, Any]:
                return {
                    "period": period,
                    "sending_org": shared[0],
                    "receiving_org": shared[1],
                    "participant": "learner",
                    "mode": "physical",
                    "count": count,
                }

            own = f"{2000 + i // 12}-{1 + i % 12:02d}"
            body = {"records": [record(own, i + 1), record("2030-01", i + 1)]}
            path = f"/networks/{n}/mobility-counts"
            return lambda: clients[i].post(path, json=body, headers=people[i])

        writes = [make(i) for i in range(WRITERS) for make in (organisation, objective, counts)]
        answers = await together(writes)
        assert_all_succeeded("writing", answers)
    finally:
        for client in clients:
            await client.aclose()
        server.stop()

    log = (tmp_path / "server.log").read_text()
    assert "locked" not in log.lower(), log[-2000:]

    # Every write is there.
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            async def count(sql: str) -> int:
                return int((await conn.execute(text(sql), {"n": n})).scalar() or 0)

            roles = (
                "SELECT count(*) FROM role_assignments WHERE network_id = :n AND role = 'executive'"
            )
            assert await count(roles) == WRITERS
            orgs = (
                "SELECT count(*) FROM organisations"
                " WHERE owner_network_id = :n AND name LIKE 'Busy college %'"
            )
            assert await count(orgs) == WRITERS
            objectives = (
                "SELECT count(*) FROM objectives WHERE code LIKE 'W%' AND plan_id IN "
                "(SELECT id FROM plans WHERE network_id = :n)"
            )
            assert await count(objectives) == WRITERS
            rows = "SELECT count(*) FROM mobility_counts WHERE network_id = :n"
            assert await count(rows) == WRITERS + 1
            batches = "SELECT count(*) FROM mobility_count_batches WHERE network_id = :n"
            assert await count(batches) == WRITERS
            posted = "SELECT count(*) FROM audit_events WHERE network_id = :n AND action = :a"
            for action in ("post_counts",):
                found = (await conn.execute(text(posted), {"n": n, "a": action})).scalar()
                assert found == WRITERS, action
    finally:
        await engine.dispose()
