"""A network in several alliances: links to parents as a DAG, each network counted once."""

import httpx

from tests.conftest import World
from tests.mobility.helpers import make_orgs, post_counts, record
from tests.networks.helpers import call

API = "/api/v1"


async def network(client: httpx.AsyncClient, world: World, name: str, parent: int | None) -> int:
    body = {"name": name, "kind": "regional", "parent_id": parent}
    return int((await call(client, world, "POST", "/networks", json=body, expect=201))["id"])


async def diamond(client: httpx.AsyncClient, world: World) -> dict[str, int]:
    """A above Left and Right; Down below both (a network in two alliances)."""
    left = await network(client, world, "Left alliance", world.network_a)
    right = await network(client, world, "Right alliance", world.network_a)
    down = await network(client, world, "Tampere Region Vocational Network", left)
    link = await call(
        client, world, "POST", f"/networks/{down}/parents", json={"parent_id": right}, expect=201
    )
    assert (link["parent_name"], link["child_name"]) == (
        "Right alliance",
        "Tampere Region Vocational Network",
    )
    return {"left": left, "right": right, "down": down, "link": link["id"]}


async def test_a_network_in_two_alliances_is_counted_once(
    client: httpx.AsyncClient, world: World
) -> None:
    d = await diamond(client, world)
    parents = await call(client, world, "GET", f"/networks/{d['down']}/parents", "outsider")
    assert sorted(p["parent_name"] for p in parents["items"]) == ["Left alliance", "Right alliance"]
    profile = await call(client, world, "GET", f"/networks/{d['down']}", "outsider")
    assert profile["parent_id"] == d["left"]  # the primary parent: the first link
    children = await call(client, world, "GET", f"/networks/{d['right']}/children", "outsider")
    assert [n["id"] for n in children["items"]] == [d["down"]]

    plan = {
        "title": "Action Plan 2021-22",
        "period_start": "2021-09-01",
        "period_end": "2030-08-31",
        "status": "active",
    }
    await call(client, world, "POST", f"/networks/{d['down']}/plans", json=plan, expect=201)
    rollup = await call(client, world, "GET", f"/networks/{world.network_a}/progress", "chair")
    ids = [n["network_id"] for n in rollup["networks"]]
    assert ids.count(d["down"]) == 1, ids
    assert len(ids) == len(set(ids)) == rollup["totals"]["networks"] == 5
    assert rollup["totals"]["plans"] == 1
    shown = next(n for n in rollup["networks"] if n["network_id"] == d["down"])
    assert (shown["parent_id"], shown["depth"]) == (d["left"], 2)  # under the first by name
    # Each alliance's own roll-up holds it once too.
    for alliance in ("left", "right"):
        one = await call(client, world, "GET", f"/networks/{d[alliance]}/progress", "chair")
        assert [n["network_id"] for n in one["networks"]] == [d[alliance], d["down"]]
        assert one["totals"]["plans"] == 1

    orgs = await make_orgs(client, world)
    await post_counts(client, d["down"], [record(orgs[0], orgs[2], 7)], world.headers("admin"))
    summary = await call(
        client,
        world,
        "GET",
        f"/networks/{world.network_a}/mobility-counts/summary?include_descendants=true",
        "chair",
    )
    assert summary["total"] == 7  # not 14: two paths, one network


async def test_a_cycle_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    d = await diamond(client, world)
    for child, parent in [
        (world.network_a, d["down"]),
        (d["left"], d["down"]),
        (d["down"], d["down"]),
    ]:
        response = await client.post(
            f"{API}/networks/{child}/parents",
            json={"parent_id": parent},
            headers=world.headers("admin"),
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["type"] == "cycle"
    parents = await call(client, world, "GET", f"/networks/{world.network_a}/parents")
    assert parents["items"] == []
    # A link planned for later closes a cycle just the same.
    later = {"parent_id": d["down"], "since": "2099-01-01T00:00:00Z"}
    refused = await client.post(
        f"{API}/networks/{d['right']}/parents", json=later, headers=world.headers("admin")
    )
    assert refused.status_code == 422, refused.text
    twice = await client.post(
        f"{API}/networks/{d['down']}/parents",
        json={"parent_id": d["right"]},
        headers=world.headers("admin"),
    )
    assert twice.status_code == 409, twice.text
    unknown = await client.post(
        f"{API}/networks/{d['down']}/parents",
        json={"parent_id": 999_999},
        headers=world.headers("admin"),
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["type"] == "unknown_network"


async def test_a_second_alliance_reads_while_linked_and_not_after(
    client: httpx.AsyncClient, world: World
) -> None:
    """B's chair reads a network of A's once it joins B too; ending the link ends that."""
    x = await network(client, world, "Basque-Nordic VET Network", world.network_a)
    roles = f"/networks/{x}/roles"
    await call(client, world, "GET", roles, "other_chair", expect=404)
    link = await call(
        client,
        world,
        "POST",
        f"/networks/{x}/parents",
        "other_chair",
        json={"parent_id": world.network_b},
        expect=201,
    )
    await call(client, world, "GET", roles, "other_chair")
    await call(client, world, "GET", roles, "chair")  # A's chair still reads it
    # Only reads are passed down: B's chair may not write in X.
    await call(
        client, world, "PATCH", f"/networks/{x}", "other_chair", json={"territory": "X"}, expect=403
    )
    ended = await call(client, world, "POST", f"/network-links/{link['id']}/end", "other_chair")
    assert ended["until"] is not None and ended["ended_by_user_id"] == world["other_chair"].id
    await call(client, world, "GET", roles, "other_chair", expect=404)
    again = await client.post(
        f"{API}/network-links/{link['id']}/end", headers=world.headers("admin")
    )
    assert again.status_code == 409
    history = await call(client, world, "GET", f"/networks/{x}/parents?include_ended=true")
    assert len(history["items"]) == 2
    assert len((await call(client, world, "GET", f"/networks/{x}/parents"))["items"]) == 1


async def test_parent_id_follows_the_primary_link(client: httpx.AsyncClient, world: World) -> None:
    x = await network(client, world, "Emilia-Romagna VET Network", world.network_a)
    grandchild = await network(client, world, "Bologna cluster", x)
    await call(
        client,
        world,
        "POST",
        f"/networks/{x}/parents",
        json={"parent_id": world.network_b},
        expect=201,
    )
    first = (await call(client, world, "GET", f"/networks/{x}/parents"))["items"]
    to_a = next(link for link in first if link["parent_id"] == world.network_a)
    await call(client, world, "POST", f"/network-links/{to_a['id']}/end")
    profile = await call(client, world, "GET", f"/networks/{x}")
    assert profile["parent_id"] == world.network_b
    assert profile["ancestor_ids"] == [world.network_b]
    below = await call(client, world, "GET", f"/networks/{grandchild}")
    assert below["ancestor_ids"] == [world.network_b, x]
    # A's chair no longer reads X; B's chair does.
    await call(client, world, "GET", f"/networks/{x}/roles", "chair", expect=404)
    await call(client, world, "GET", f"/networks/{grandchild}/roles", "other_chair")
