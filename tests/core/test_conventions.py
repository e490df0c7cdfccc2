"""The shared API conventions: problem+json, If-Match, Idempotency-Key, limits, pagination."""

import asyncio

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.core.audit import AuditEvent
from app.core.idempotency import _lock_id
from app.networks.models import Network
from tests.conftest import World

PROBLEM = "application/problem+json"


async def count(app, model) -> int:
    async with app.state.cohesion.db.transaction(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["instance"] == response.request.url.path
    return body


async def create_child(client, world: World, name: str, **extra) -> httpx.Response:
    return await client.post(
        "/api/v1/networks",
        json={"name": name, "kind": "regional", "parent_id": world.network_a, **extra},
        headers=world.headers("chair"),
    )


# --- problem+json for framework errors ----------------------------------------------------


async def test_unknown_route_is_problem_json(client, world: World) -> None:
    assert_problem(await client.get("/api/v1/nothing-here"), 404)


async def test_wrong_method_is_problem_json(client, world: World) -> None:
    assert_problem(await client.put("/api/v1/networks", headers=world.headers("chair")), 405)


async def test_id_beyond_bigint_is_422_not_500(client, world: World) -> None:
    body = assert_problem(
        await client.get(f"/api/v1/networks/{2**63}", headers=world.headers("chair")), 422
    )
    assert body["errors"][0]["loc"] == ["path", "network_id"]
    body = assert_problem(await create_child(client, world, "X", parent_id=2**63), 422)
    assert body["errors"][0]["loc"] == ["body", "parent_id"]


BAD_BODIES = [
    pytest.param(b"{not json", 400, id="malformed-json"),
    pytest.param(b'{"name": 5, "kind": "regional"}', 422, id="wrong-type"),
    pytest.param(b'{"name": "' + b"x" * 201 + b'", "kind": "regional"}', 422, id="too-long"),
    pytest.param(b'{"name": "X", "kind": "regional", "is_admin": true}', 422, id="unknown-field"),
    pytest.param(b'{"name": "X", "kind": "galaxy"}', 422, id="bad-enum"),
    pytest.param(b'{"name": "   ", "kind": "regional"}', 422, id="blank-name"),
    pytest.param(b"[]", 422, id="array-body"),
    pytest.param(b"", 422, id="empty-body"),
]


@pytest.mark.parametrize(("raw", "status"), BAD_BODIES)
async def test_bad_bodies_are_refused_and_write_nothing(client, world, raw, status) -> None:
    networks, events = await count(world.app, Network), await count(world.app, AuditEvent)
    response = await client.post(
        "/api/v1/networks",
        content=raw,
        headers={**world.headers("admin"), "content-type": "application/json"},
    )
    body = assert_problem(response, status)
    assert body["errors"]
    assert await count(world.app, Network) == networks
    assert await count(world.app, AuditEvent) == events


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=-1",
        "limit=201",
        "limit=abc",
        "cursor=%%%",
        "cursor=eyJ4IjogMX0",
        "sort=password",
        "kind=galaxy",
        "parent_id=0",
    ],
)
async def test_bad_list_parameters(client, world: World, query: str) -> None:
    response = await client.get(f"/api/v1/networks?{query}", headers=world.headers("chair"))
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


async def test_cursor_of_another_sort_is_refused(client, world: World) -> None:
    first = await client.get("/api/v1/networks?limit=1", headers=world.headers("chair"))
    cursor = first.json()["next_cursor"]
    response = await client.get(
        f"/api/v1/networks?limit=1&sort=name&cursor={cursor}", headers=world.headers("chair")
    )
    assert_problem(response, 400)


# --- pagination ---------------------------------------------------------------------------


async def test_cursor_pages_cover_every_item_once(client, world: World) -> None:
    for i in range(7):
        assert (await create_child(client, world, f"Regional {i}")).status_code == 201
    seen: list[int] = []
    url = "/api/v1/networks?limit=3"
    pages = 0
    while url:
        response = await client.get(url, headers=world.headers("member"))
        assert response.status_code == 200
        page = response.json()
        seen += [n["id"] for n in page["items"]]
        pages += 1
        if page["next_cursor"]:
            assert 'rel="next"' in response.headers["link"]
            url = f"/api/v1/networks?limit=3&cursor={page['next_cursor']}"
        else:
            assert "link" not in response.headers
            url = ""
    assert pages == 4
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen)


async def test_sorted_pages_descending_by_name(client, world: World) -> None:
    for name in ["Alpha", "Bravo", "Charlie", "Delta"]:
        await create_child(client, world, name)
    names: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "sort": "-name", **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/api/v1/networks", params=params, headers=world.headers("chair"))
        ).json()
        names += [n["name"] for n in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert names == sorted(names, reverse=True)
    assert len(names) == 7


# --- ETags and If-Match -------------------------------------------------------------------


async def test_patch_requires_if_match(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}"
    current = await client.get(url, headers=world.headers("chair"))
    etag = current.headers["etag"]
    assert etag == f'"{current.json()["version"]}"'
    assert_problem(
        await client.patch(url, json={"territory": "EU"}, headers=world.headers("chair")), 428
    )
    assert_problem(
        await client.patch(
            url, json={"territory": "EU"}, headers={**world.headers("chair"), "If-Match": '"999"'}
        ),
        412,
    )
    ok = await client.patch(
        url, json={"territory": "EU"}, headers={**world.headers("chair"), "If-Match": etag}
    )
    assert ok.status_code == 200
    assert ok.json()["territory"] == "EU"
    assert ok.headers["etag"] == f'"{current.json()["version"] + 1}"'
    stale = await client.patch(
        url, json={"territory": "Europe"}, headers={**world.headers("chair"), "If-Match": etag}
    )
    assert_problem(stale, 412)


async def test_concurrent_patches_one_wins_one_412(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}"
    etag = (await client.get(url, headers=world.headers("chair"))).headers["etag"]
    headers = {**world.headers("chair"), "If-Match": etag}
    first, second = await asyncio.gather(
        client.patch(url, json={"territory": "Scotland"}, headers=headers),
        client.patch(url, json={"description": "Basque"}, headers=headers),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 412], (first.text, second.text)
    winner = first if first.status_code == 200 else second
    final = (await client.get(url, headers=world.headers("chair"))).json()
    assert final["version"] == winner.json()["version"]
    assert final["territory"] == winner.json()["territory"]
    assert final["description"] == winner.json()["description"]


async def test_version_race_between_check_and_write_is_412(client, world: World) -> None:
    """The If-Match check passed on a row that another writer then changed: the UPDATE's
    version predicate (SQLAlchemy version_id_col) refuses the stale write."""
    db = world.app.state.cohesion.db
    async with db.session(write=False) as session:
        stale = await session.get(Network, world.network_a)
    assert stale is not None
    response = await client.patch(
        f"/api/v1/networks/{world.network_a}",
        json={"territory": "first"},
        headers={**world.headers("chair"), "If-Match": f'"{stale.version}"'},
    )
    assert response.status_code == 200
    async with db.session(write=True) as session:
        session.add(stale)
        stale.territory = "second"
        with pytest.raises(StaleDataError):
            await session.flush()
    final = (
        await client.get(f"/api/v1/networks/{world.network_a}", headers=world.headers("chair"))
    ).json()
    assert final["territory"] == "first"


# --- Idempotency-Key ----------------------------------------------------------------------


async def test_same_idempotency_key_creates_once(client, world: World) -> None:
    headers = {**world.headers("chair"), "Idempotency-Key": "create-basque-1"}
    body = {"name": "Basque VET Network II", "kind": "regional", "parent_id": world.network_a}
    before = await count(world.app, Network)
    first = await client.post("/api/v1/networks", json=body, headers=headers)
    second = await client.post("/api/v1/networks", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert await count(world.app, Network) == before + 1
    other = await client.post("/api/v1/networks", json={**body, "name": "Other"}, headers=headers)
    assert_problem(other, 422)
    assert await count(world.app, Network) == before + 1


async def test_idempotency_keys_are_per_principal(client, world: World) -> None:
    body = {"name": "Shared key", "kind": "thematic"}
    first = await client.post(
        "/api/v1/networks", json=body, headers={**world.headers("admin"), "Idempotency-Key": "k1"}
    )
    assert first.status_code == 201
    # The same key from someone else is a different request altogether.
    other = await client.post(
        "/api/v1/networks",
        json={**body, "parent_id": world.network_a},
        headers={**world.headers("chair"), "Idempotency-Key": "k1"},
    )
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


async def test_idempotency_key_in_flight_is_409(client, world: World, db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite serialises writers: a duplicate waits and then replays")
    engine = world.app.state.cohesion.db.engine
    principal = f"user:{world['chair'].id}"
    async with engine.connect() as conn:
        # Another request holding the key's lock is what "in flight" means.
        await conn.execute(
            text("SELECT pg_advisory_lock(:k)"), {"k": _lock_id(principal, "busy-key")}
        )
        response = await create_child(client, world, "In flight")
        assert response.status_code == 201  # no key: unaffected
        response = await client.post(
            "/api/v1/networks",
            json={"name": "In flight 2", "kind": "regional", "parent_id": world.network_a},
            headers={**world.headers("chair"), "Idempotency-Key": "busy-key"},
        )
        assert_problem(response, 409)
        await conn.execute(text("SELECT pg_advisory_unlock_all()"))
        await conn.commit()


async def test_failed_request_does_not_burn_the_key(client, world: World) -> None:
    headers = {**world.headers("chair"), "Idempotency-Key": "retry-me"}
    bad = await client.post(
        "/api/v1/networks",
        json={"name": "X", "kind": "regional", "parent_id": world.network_b},
        headers=headers,
    )
    assert bad.status_code == 403
    good = await client.post(
        "/api/v1/networks",
        json={"name": "X", "kind": "regional", "parent_id": world.network_b},
        headers={**world.headers("other_chair"), "Idempotency-Key": "retry-me"},
    )
    assert good.status_code == 201


# --- body size ----------------------------------------------------------------------------


async def test_body_too_large_with_content_length(client, world: World) -> None:
    big = b'{"name": "' + b"x" * 70_000 + b'", "kind": "regional"}'
    response = await client.post(
        "/api/v1/networks",
        content=big,
        headers={**world.headers("admin"), "content-type": "application/json"},
    )
    assert_problem(response, 413)


async def test_body_too_large_chunked(client, world: World) -> None:
    async def chunks():
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'", "kind": "regional"}'

    before = await count(world.app, Network)
    response = await client.post(
        "/api/v1/networks",
        content=chunks(),
        headers={**world.headers("admin"), "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert await count(world.app, Network) == before


# --- soft delete, audit -------------------------------------------------------------------


async def test_soft_delete_and_restore(client, world: World) -> None:
    child = (await create_child(client, world, "Temporary")).json()
    url = f"/api/v1/networks/{child['id']}"
    headers = world.headers("chair")
    assert_problem(await client.delete(url, headers=headers), 428)
    deleted = await client.delete(url, headers={**headers, "If-Match": f'"{child["version"]}"'})
    assert deleted.status_code == 204
    assert_problem(await client.get(url, headers=headers), 404)
    listed = (await client.get("/api/v1/networks?limit=200", headers=headers)).json()["items"]
    assert child["id"] not in [n["id"] for n in listed]
    restored = await client.post(f"{url}/restore", headers=headers)
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert (await client.get(url, headers=headers)).status_code == 200
    assert_problem(await client.post(f"{url}/restore", headers=headers), 404)


async def test_network_with_children_cannot_be_deleted(client, world: World) -> None:
    response = await client.delete(
        f"/api/v1/networks/{world.network_a}",
        headers={**world.headers("admin"), "If-Match": "*"},
    )
    assert_problem(response, 409)


async def test_every_write_is_audited_with_before_and_after(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}"
    response = await client.patch(
        url,
        json={"territory": "Europe"},
        headers={**world.headers("chair"), "If-Match": "*", "X-Request-ID": "req-audit-1"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-audit-1"
    events = await client.get(
        f"/api/v1/audit-events?network_id={world.network_a}&object_type=networks"
        f"&object_id={world.network_a}",
        headers=world.headers("chair"),
    )
    assert events.status_code == 200
    latest = events.json()["items"][0]
    assert latest["action"] == "update"
    assert latest["actor_id"] == world["chair"].id
    assert latest["before"]["territory"] is None
    assert latest["after"]["territory"] == "Europe"
    assert latest["request_id"] == "req-audit-1"


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
async def test_audit_table_refuses_update_and_delete(client, world: World, statement) -> None:
    engine = world.app.state.cohesion.db.engine
    assert await count(world.app, AuditEvent) > 0
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text(statement))


# --- operations ---------------------------------------------------------------------------


async def test_health_and_readiness(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.headers["x-request-id"]


async def test_docs_are_served_without_a_cdn(client) -> None:
    for page, asset in [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]:
        html = (await client.get(page)).text
        assert f"/docs-assets/{asset}" in html
        assert "cdn" not in html.lower()
        asset_response = await client.get(f"/docs-assets/{asset}")
        assert asset_response.status_code == 200
        assert len(asset_response.content) > 100_000
