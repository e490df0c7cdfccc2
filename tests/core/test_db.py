"""Connections and transactions (app/core/db.py): what a pooled connection carries between
requests, and how many statements the hottest read costs."""

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import World
from tests.test_statement_counts import statements


async def test_open_transaction_is_rolled_back_when_the_connection_returns(
    world: World, db_kind: str
) -> None:
    """The pool resets a connection only if it is still in a transaction (SQLite: a check
    that costs no round trip); a committed one goes back as it is."""
    if db_kind != "sqlite":
        pytest.skip("PostgreSQL keeps SQLAlchemy's default reset (rollback on return)")
    db = world.app.state.cohesion.db
    conn = await db.engine.connect()
    await conn.execute(
        text("UPDATE networks SET name = 'Uncommitted' WHERE id = :id"), {"id": world.network_a}
    )
    await conn.close()  # returned mid-transaction: the write lock must not stay held
    async with db.transaction() as session:  # BEGIN IMMEDIATE: would wait on a held lock
        name = await session.scalar(
            text("SELECT name FROM networks WHERE id = :id"), {"id": world.network_a}
        )
    assert name == "Network of Networks"
    async with db.engine.connect() as again:
        raw = await again.get_raw_connection()
        assert raw.driver_connection is not None
        assert not raw.driver_connection.in_transaction


async def test_get_network_is_one_statement(client: httpx.AsyncClient, world: World) -> None:
    """Principal, current roles and the path's network in one round trip (issue #10)."""
    url = f"/api/v1/networks/{world.network_a}"
    with statements(world) as seen:
        response = await client.get(url, headers=world.headers("chair"))
    assert response.status_code == 200, response.text
    assert response.json()["id"] == world.network_a
    assert len(seen) == 1, seen


async def test_path_network_of_another_network_is_still_authorised(
    client: httpx.AsyncClient, world: World
) -> None:
    """The network loaded with the principal is the path's, and the policy still decides."""
    response = await client.get(
        f"/api/v1/networks/{world.network_b}/roles", headers=world.headers("chair")
    )
    assert response.status_code == 404, response.text
