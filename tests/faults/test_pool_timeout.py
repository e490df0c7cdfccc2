"""No free database connection within the pool's timeout: a 503 problem+json, never a 500 and
never a request that waits forever (the bounds are in ``app/core/db.py``)."""

import httpx
import pytest

from app.core.db import WRITE_OPTION
from app.main import create_app
from tests.conftest import make_settings, token_headers

pytestmark = pytest.mark.faults


async def test_an_exhausted_pool_is_a_503(database_url: str) -> None:
    settings = make_settings(
        database_url,
        database_pool_size=1,
        database_pool_timeout_seconds=0.2,
        sqlite_busy_timeout_ms=200,
    )
    app = create_app(settings)
    engine = app.state.cohesion.db.engine
    # Pool of one plus one overflow: both taken by someone else.
    held = [await engine.connect() for _ in range(2)]
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for method, path in [("GET", "/api/v1/me"), ("POST", "/api/v1/networks")]:
                body = {"name": "Starved", "kind": "thematic"} if method == "POST" else None
                response = await client.request(
                    method, path, json=body, headers=token_headers(app, "user:1")
                )
                assert response.status_code == 503, response.text
                assert response.headers["content-type"].startswith("application/problem+json")
                assert response.headers["retry-after"] == "1"
            ready = await client.get("/readyz")
            assert ready.status_code == 503, ready.text
        for conn in held:
            await conn.close()
        held = []
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/readyz")).status_code == 200
    finally:
        for conn in held:
            await conn.close()
        await app.state.cohesion.db.dispose()


async def test_a_write_lock_not_granted_in_time_is_a_503(
    database_url: str, db_kind: str, db: None
) -> None:
    """SQLite: another writer holds the lock past the busy timeout. BEGIN IMMEDIATE fails in
    the driver (``app/core/db.py`` sends it straight to aiosqlite); that must still be the
    database-busy 503, not an unhandled 500."""
    if db_kind != "sqlite":
        pytest.skip("BEGIN IMMEDIATE and the busy timeout are SQLite's")
    app = create_app(make_settings(database_url, sqlite_busy_timeout_ms=200))
    writer = app.state.cohesion.db.engine.execution_options(**{WRITE_OPTION: True})
    blocker = await writer.connect()
    try:
        await blocker.exec_driver_sql("SELECT 1")  # begins IMMEDIATE: the write lock, held
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                "/api/v1/networks",
                json={"name": "Locked out", "kind": "thematic"},
                headers=token_headers(app, "user:1"),
            )
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    finally:
        await blocker.rollback()
        await blocker.close()
        await app.state.cohesion.db.dispose()
