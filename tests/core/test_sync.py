"""Incremental sync: every list takes ``updated_since`` and returns what changed since then,
tombstones included, in (updated_at, id) order with a cursor of its own, so that a partner
portal applying the items in order ends up with exactly the server's state."""

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import ROOT, World, rolled_back
from tests.plans.helpers import PlanBuilder

PROBLEM = "application/problem+json"
EPOCH = "1970-01-01T00:00:00Z"
# Lists over append-only tables: their items never change, so their own time is the change time.
APPEND_ONLY = {
    "StatusChangeRead",
    "ReadingRead",
    "EvidenceRead",
    "AuditEventRead",
    "CheckInRead",
}


def _list_operations(app: FastAPI) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(path, operation, item schema) of every GET that answers a page of items."""
    doc = app.openapi()
    schemas = doc["components"]["schemas"]
    found = []
    for path, operations in doc["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        body = operation["responses"].get("200", {}).get("content", {})
        ref = body.get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None:
            continue
        schema = schemas[ref.rsplit("/", 1)[-1]]
        properties = schema.get("properties", {})
        if "items" in properties and "next_cursor" in properties:
            item = schemas[properties["items"]["items"]["$ref"].rsplit("/", 1)[-1]]
            found.append((path, operation, item))
    return found


def test_every_list_accepts_updated_since_and_its_items_carry_their_change_time(
    app: FastAPI,
) -> None:
    lists = _list_operations(app)
    assert len(lists) >= 38, f"the walk found too few lists: {[p for p, _, _ in lists]}"
    for path, operation, item in lists:
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        assert "updated_since" in params, f"{path} does not accept updated_since"
        types = params["updated_since"]["schema"]["anyOf"]
        assert {"type": "string", "format": "date-time"} in types, path
        fields = set(item["properties"])
        if item["title"] not in APPEND_ONLY:
            assert "updated_at" in fields, f"{path}: {item['title']} has no updated_at"


async def _sync(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], since: str, limit: int = 2
) -> list[dict[str, Any]]:
    """Every item changed since ``since``, page by page, following the cursors."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"updated_since": since, "limit": limit}
    while True:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        if page["next_cursor"] is None:
            assert "Link" not in response.headers
            return items
        assert 'rel="next"' in response.headers["Link"]
        params = {**params, "cursor": page["next_cursor"]}


def _apply(mirror: dict[int, dict[str, Any]], items: list[dict[str, Any]]) -> str:
    """Apply items in order (idempotent by id) and return the newest updated_at seen."""
    for item in items:
        mirror[item["id"]] = item
    return max(item["updated_at"] for item in mirror.values())


async def _live(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> dict[int, Any]:
    response = await client.get(url, params={"limit": 200}, headers=headers)
    assert response.status_code == 200
    return {item["id"]: item for item in response.json()["items"]}


async def test_a_mirror_follows_changes_and_tombstones_across_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    build = PlanBuilder(client, world)
    chair = world.headers("chair")
    plan = await build.plan()
    url = f"/api/v1/plans/{plan['id']}/objectives"
    made = [await build.objective(plan["id"], f"O{i}") for i in range(5)]

    first = await _sync(client, url, chair, EPOCH)
    assert [o["id"] for o in first] == [o["id"] for o in made]  # (updated_at, id) order
    assert all(o["deleted_at"] is None for o in first)
    mirror: dict[int, dict[str, Any]] = {}
    watermark = _apply(mirror, first)

    # Between syncs: one edited, one deleted, one created.
    edited, deleted = made[1], made[3]
    response = await client.patch(
        f"/api/v1/objectives/{edited['id']}",
        json={"title": "Renamed"},
        headers={**chair, "If-Match": "*"},
    )
    assert response.status_code == 200
    response = await client.delete(
        f"/api/v1/objectives/{deleted['id']}", headers={**chair, "If-Match": "*"}
    )
    assert response.status_code == 204
    created = await build.objective(plan["id"], "O9")

    second = await _sync(client, url, chair, watermark, limit=1)
    ids = [o["id"] for o in second]
    assert len(ids) == len(set(ids)), "an item came twice in one sync"
    assert {edited["id"], deleted["id"], created["id"]} <= set(ids)
    # ``>=``: only the item sharing the watermark itself may come again; nothing older does.
    assert set(ids) - {edited["id"], deleted["id"], created["id"]} <= {made[4]["id"]}
    by_id = {o["id"]: o for o in second}
    assert by_id[edited["id"]]["title"] == "Renamed"
    tombstone = by_id[deleted["id"]]
    assert tombstone["deleted_at"] is not None
    assert tombstone["updated_at"] > deleted["updated_at"], "soft delete must bump updated_at"
    assert [(o["updated_at"], o["id"]) for o in second] == sorted(
        (o["updated_at"], o["id"]) for o in second
    )
    _apply(mirror, second)

    # Without updated_since the list is what it always was: no tombstones.
    live = await _live(client, url, chair)
    assert deleted["id"] not in live
    assert {i: o for i, o in mirror.items() if o["deleted_at"] is None} == live


async def test_changes_made_while_a_sync_walks_its_pages_are_not_lost(
    client: httpx.AsyncClient, world: World
) -> None:
    build = PlanBuilder(client, world)
    chair = world.headers("chair")
    plan = await build.plan()
    url = f"/api/v1/plans/{plan['id']}/objectives"
    made = [await build.objective(plan["id"], f"O{i}") for i in range(6)]

    response = await client.get(url, params={"updated_since": EPOCH, "limit": 2}, headers=chair)
    page = response.json()
    seen = page["items"]
    assert [o["id"] for o in seen] == [made[0]["id"], made[1]["id"]]
    # Mid-walk: an item already sent is deleted, one not yet sent is edited.
    assert (
        await client.delete(
            f"/api/v1/objectives/{made[0]['id']}", headers={**chair, "If-Match": "*"}
        )
    ).status_code == 204
    assert (
        await client.patch(
            f"/api/v1/objectives/{made[3]['id']}",
            json={"title": "Edited mid-walk"},
            headers={**chair, "If-Match": "*"},
        )
    ).status_code == 200
    cursor = page["next_cursor"]
    while cursor:
        response = await client.get(
            url, params={"updated_since": EPOCH, "limit": 2, "cursor": cursor}, headers=chair
        )
        assert response.status_code == 200
        page = response.json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]

    ids = [o["id"] for o in seen]
    # Unchanged items exactly once; the edited one once, in its new state; the deleted one
    # again at the end, as a tombstone (it changed after it was sent).
    assert ids == [o["id"] for o in made[:3]] + [made[4]["id"], made[5]["id"]] + [
        made[0]["id"],
        made[3]["id"],
    ]
    assert ids.count(made[3]["id"]) == 1
    mirror: dict[int, dict[str, Any]] = {}
    _apply(mirror, seen)
    assert mirror[made[0]["id"]]["deleted_at"] is not None
    assert mirror[made[3]["id"]]["title"] == "Edited mid-walk"
    live = await _live(client, url, chair)
    assert {i: o for i, o in mirror.items() if o["deleted_at"] is None} == live


async def test_lists_without_soft_delete_return_changed_rows_and_endings(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers("admin")
    url = f"/api/v1/networks/{world.network_a}/roles"
    everything = await _sync(client, url, admin, EPOCH)
    member_role = next(r for r in everything if r["user_id"] == world["member"].id)
    watermark = max(r["updated_at"] for r in everything)

    response = await client.post(f"/api/v1/roles/{member_role['id']}/end", headers=admin)
    assert response.status_code == 200, response.text
    changed = await _sync(client, url, admin, watermark)
    ended = [r for r in changed if r["id"] == member_role["id"]]
    assert len(ended) == 1 and ended[0]["until"] is not None
    # The plain list still hides ended roles by default.
    live = await _live(client, url, admin)
    assert member_role["id"] not in live


async def test_append_only_lists_sync_on_their_own_time(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers("admin")
    url = "/api/v1/audit-events"
    before = await _sync(client, url, admin, EPOCH, limit=50)
    assert before, "the world fixture is audited"
    watermark = max(e["occurred_at"] for e in before)
    build = PlanBuilder(client, world)
    plan = await build.plan()
    after = await _sync(client, url, admin, watermark)
    assert any(e["object_type"] == "plans" and e["object_id"] == plan["id"] for e in after)
    assert all(e["occurred_at"] >= watermark for e in after)


async def test_naive_times_are_utc(client: httpx.AsyncClient, world: World) -> None:
    chair = world.headers("chair")
    url = f"/api/v1/networks/{world.network_a}/plans"
    build = PlanBuilder(client, world)
    plans = [await build.plan(title=f"P{i}") for i in range(3)]
    since = plans[1]["updated_at"]  # "…Z"
    naive = since.removesuffix("Z").removesuffix("+00:00")
    shifted = naive + "+02:00"  # the same wall time two hours east is two hours earlier
    aware = [p["id"] for p in await _sync(client, url, chair, since)]
    assert aware == [plans[1]["id"], plans[2]["id"]]
    assert [p["id"] for p in await _sync(client, url, chair, naive)] == aware
    assert [p["id"] for p in await _sync(client, url, chair, shifted)] == [p["id"] for p in plans]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-11-29",
        "1700000000",
        "2026-13-01T00:00:00Z",
        "2026-11-29T25:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "",
    ],
)
async def test_bad_updated_since_is_a_422(
    client: httpx.AsyncClient, world: World, value: str
) -> None:
    response = await client.get(
        f"/api/v1/networks/{world.network_a}/plans",
        params={"updated_since": value},
        headers=world.headers("chair"),
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["loc"] == ["query", "updated_since"]


async def test_sync_cursors_and_sorts_do_not_mix(client: httpx.AsyncClient, world: World) -> None:
    chair = world.headers("chair")
    url = f"/api/v1/networks/{world.network_a}/plans"
    build = PlanBuilder(client, world)
    for i in range(3):
        await build.plan(title=f"P{i}")

    both = await client.get(url, params={"updated_since": EPOCH, "sort": "title"}, headers=chair)
    assert both.status_code == 400
    assert both.headers["content-type"].startswith(PROBLEM)

    sorted_page = await client.get(url, params={"sort": "updated_at", "limit": 1}, headers=chair)
    sorted_cursor = sorted_page.json()["next_cursor"]
    sync_page = await client.get(url, params={"updated_since": EPOCH, "limit": 1}, headers=chair)
    sync_cursor = sync_page.json()["next_cursor"]
    assert sorted_cursor and sync_cursor
    for params in (
        {"updated_since": EPOCH, "cursor": sorted_cursor},
        {"sort": "updated_at", "cursor": sync_cursor},
        {"cursor": sync_cursor},
    ):
        response = await client.get(url, params=params, headers=chair)
        assert response.status_code == 400, params
        assert response.json()["errors"][0]["type"] == "cursor_invalid"


async def test_counts_changed_by_an_upsert_come_back_and_unchanged_ones_do_not(
    client: httpx.AsyncClient, world: World
) -> None:
    """ON CONFLICT DO UPDATE runs no onupdate: the upsert must stamp updated_at itself."""
    from tests.mobility.helpers import counts_url, make_orgs, post_counts, record

    orgs = await make_orgs(client, world)
    chair = world.headers("chair")
    first = [record(orgs[0], orgs[1], 5), record(orgs[0], orgs[2], 5), record(orgs[1], orgs[2], 5)]
    await post_counts(client, world.network_a, first, chair)
    url = counts_url(world.network_a)
    everything = await _sync(client, url, chair, EPOCH)
    assert len(everything) == 3
    watermark = max(c["updated_at"] for c in everything)

    second = [record(orgs[0], orgs[1], 5), record(orgs[0], orgs[2], 7), record(orgs[1], orgs[2], 5)]
    result = await post_counts(client, world.network_a, second, chair)
    assert result == {"inserted": 0, "updated": 1, "unchanged": 2}
    changed = await _sync(client, url, chair, watermark)
    boundary = {c["id"] for c in everything if c["updated_at"] == watermark}
    updated = [c for c in changed if c["count"] == 7]
    assert len(updated) == 1 and updated[0]["receiving_org_id"] == orgs[2]
    assert updated[0]["updated_at"] > watermark
    assert {c["id"] for c in changed} - {updated[0]["id"]} <= boundary


async def test_sorting_by_a_timestamp_pages_through(
    client: httpx.AsyncClient, world: World
) -> None:
    """A cursor holding a timestamp decodes back into one (UTCDateTime is a TypeDecorator)."""
    chair = world.headers("chair")
    build = PlanBuilder(client, world)
    made = [await build.plan(title=f"P{i}") for i in range(3)]
    url = f"/api/v1/networks/{world.network_a}/plans"
    seen: list[int] = []
    params: dict[str, Any] = {"sort": "-updated_at", "limit": 1}
    while True:
        response = await client.get(url, params=params, headers=chair)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [p["id"] for p in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [p["id"] for p in reversed(made)]


async def test_actions_deleted_with_their_objective_reach_a_community_sync(
    client: httpx.AsyncClient, world: World
) -> None:
    from tests.communities.helpers import Builder

    group = await Builder(client, world).community(title="Working group")
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "1", responsible_community_id=group["id"])
    action = await plans.action(objective["id"], description="Mobility register")
    url = f"/api/v1/communities/{group['id']}/actions"
    member = world.headers("member")
    first = await _sync(client, url, member, EPOCH)
    assert [a["id"] for a in first] == [action["id"]]

    response = await client.delete(
        f"/api/v1/objectives/{objective['id']}",
        headers={**world.headers("chair"), "If-Match": "*"},
    )
    assert response.status_code == 204
    second = await _sync(client, url, member, first[0]["updated_at"])
    assert [a["id"] for a in second] == [action["id"]]
    assert second[0]["deleted_at"] is not None
    assert await _live(client, url, member) == {}


# --- every list, called for real ----------------------------------------------------------

FUTURE = "9999-01-01T00:00:00Z"


def _walk_rows() -> list[Any]:
    """Every GET row of the authorization table (tests/test_authz_matrix.py ``TABLE``, the
    domains' rows folded in) that names a list: each comes with a setup that builds the state in
    which the route answers 200 for some caller."""
    from tests import test_authz_matrix as core

    lists = _committed_lists()
    return [
        pytest.param(row, id=row.name)
        for row in core.TABLE
        if row.method == "GET" and "/api/v1" + row.path.split("?")[0] in lists
    ]


def _committed_lists() -> set[str]:
    """List paths of the committed OpenAPI document (tests/test_openapi.py keeps it current)."""
    doc = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    schemas = doc["components"]["schemas"]
    found = set()
    for path, operations in doc["paths"].items():
        ref = (
            operations.get("get", {})
            .get("responses", {})
            .get("200", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema", {})
            .get("$ref")
        )
        if ref and "next_cursor" in schemas[ref.rsplit("/", 1)[-1]].get("properties", {}):
            found.add(path)
    return found


def test_the_walk_below_calls_every_list(app: FastAPI) -> None:
    walked = {"/api/v1" + p.values[0].path.split("?")[0] for p in _walk_rows()}
    assert walked == {path for path, _, _ in _list_operations(app)}


async def _matrix_call(
    client: httpx.AsyncClient, sender: httpx.AsyncClient, world: World, row: Any
) -> tuple[str, httpx.Response] | None:
    """Build the row's state with ``client`` and call it with ``sender`` as a caller it lets
    in; None when no caller of the plain world gets a 200."""
    from tests import test_authz_matrix as core

    who = next((p for p in row.callers() if p in world.people and row.expected(p) == 200), None)
    if who is None:
        return None
    async with rolled_back(world.app):  # each call on the world as built, as in the table
        ctx = core.Ctx(client, world, who)
        params = await row.setup(ctx)
        return who, await core.call(sender, row, await core.caller_headers(ctx), params)


@pytest.mark.parametrize("row", _walk_rows())
async def test_every_list_filters_on_updated_since(
    app: FastAPI, client: httpx.AsyncClient, world: World, row: Any
) -> None:
    """Each list route, set up as its authorization row sets it up: with ``updated_since``
    from the epoch it answers a page, from the far future an empty one (so the value reaches
    the query), and a malformed value is a 422."""
    since = {"value": EPOCH}

    async def add_since(request: httpx.Request) -> None:
        request.url = request.url.copy_merge_params({"updated_since": since["value"]})

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", event_hooks={"request": [add_since]}
    ) as sender:
        answered = await _matrix_call(client, sender, world, row)
        assert answered is not None, "no caller of the world may read this list"
        who, response = answered
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"items", "next_cursor"}
        since["value"] = FUTURE
        again = await _matrix_call(client, sender, world, row)
        assert again is not None
        assert again[1].status_code == 200, again[1].text
        assert again[1].json() == {"items": [], "next_cursor": None}
        since["value"] = "not-a-time"
        bad = await _matrix_call(client, sender, world, row)
        assert bad is not None
        assert bad[1].status_code == 422, (who, bad[1].text)
