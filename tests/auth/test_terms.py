"""Terms of office, succession, role kinds with their duties and functions, and a network's
chairs' forum (seed 003: the Victorian communities of practice)."""

import httpx

from tests.conftest import World
from tests.networks.helpers import call

API = "/api/v1"


async def person(client: httpx.AsyncClient, world: World, name: str) -> int:
    email = name.lower().replace(" ", ".") + "@banyule.example"
    body = {"email": email, "name": name, "password": "a long enough password"}
    return int((await call(client, world, "POST", "/users", json=body, expect=201))["id"])


async def test_role_kinds_list_the_duties_and_the_seils_functions(
    client: httpx.AsyncClient, world: World
) -> None:
    kinds = {
        k["kind"]: k for k in (await call(client, world, "GET", "/role-kinds", "outsider"))["items"]
    }
    assert list(kinds) == ["chair", "executive", "improvement_leader", "facilitator", "member"]
    assert (
        "represent the network as a member of the region's Network Chair Forum"
        in kinds["chair"]["duties"]
    )
    assert any(
        "succession planning for network executive" in d for d in kinds["executive"]["duties"]
    )
    seil = kinds["improvement_leader"]
    assert [f["name"] for f in seil["functions"]] == [
        "connector",
        "integrator",
        "facilitator",
        "challenge_partner",
        "conduit",
    ]
    assert seil["functions"][0]["could"]
    assert kinds["facilitator"]["functions"] == [] and kinds["chair"]["functions"] == []
    assert "role:appoint" in kinds["chair"]["permissions"]


async def test_only_the_seil_exercises_functions(client: httpx.AsyncClient, world: World) -> None:
    helen = await person(client, world, "Helen Tran")
    url = f"/networks/{world.network_a}/roles"
    refused = await call(
        client,
        world,
        "POST",
        url,
        "chair",
        json={"user_id": helen, "role": "facilitator", "functions": ["connector"]},
        expect=422,
    )
    assert refused["errors"][0]["type"] == "functions_not_allowed"
    seil = await call(
        client,
        world,
        "POST",
        url,
        "chair",
        json={
            "user_id": helen,
            "role": "improvement_leader",
            "functions": ["connector", "conduit"],
        },
        expect=201,
    )
    assert seil["functions"] == ["connector", "conduit"]
    # The SEIL records progress like a facilitator.
    kinds = (await call(client, world, "GET", "/role-kinds"))["items"]
    perms = {k["kind"]: k["permissions"] for k in kinds}
    assert perms["improvement_leader"] == perms["facilitator"]


async def test_terms_and_succession(client: httpx.AsyncClient, world: World) -> None:
    url = f"/networks/{world.child_a}/roles"
    priya, tom, ana = [
        await person(client, world, n) for n in ("Priya Nair", "Tom Connell", "Ana Ruiz")
    ]
    first = await call(
        client,
        world,
        "POST",
        url,
        "chair",  # A's chair appoints the chair of its child
        json={
            "user_id": priya,
            "role": "chair",
            "since": "2022-01-01T00:00:00Z",
            "term_ends_on": "2023-12-31",
        },
        expect=201,
    )
    assert first["term_ends_on"] == "2023-12-31"
    early = {
        "user_id": tom,
        "role": "chair",
        "since": "2024-01-01T00:00:00Z",
        "term_ends_on": "2023-01-01",
    }
    assert (await call(client, world, "POST", url, json=early, expect=422))["errors"][0][
        "type"
    ] == "term_before_start"
    await call(
        client, world, "POST", f"/roles/{first['id']}/end", json={"until": "2023-12-31T23:00:00Z"}
    )
    second = await call(
        client,
        world,
        "POST",
        url,
        json={
            "user_id": tom,
            "role": "chair",
            "since": "2024-01-01T00:00:00Z",
            "succeeded": first["id"],
        },
        expect=201,
    )
    deputy = await call(
        client,
        world,
        "POST",
        url,
        json={
            "user_id": ana,
            "role": "executive",
            "deputy_of": second["id"],
            "term_ends_on": "2026-12-31",
        },
        expect=201,
    )
    assert deputy["deputy_of"] == second["id"]
    twice = {"user_id": ana, "role": "chair", "succeeded": first["id"]}
    await call(client, world, "POST", url, json=twice, expect=409)
    other_kind = {"user_id": ana, "role": "member", "succeeded": first["id"]}
    assert (await call(client, world, "POST", url, json=other_kind, expect=422))["errors"][0][
        "type"
    ] == "other_role"
    elsewhere = {"user_id": ana, "role": "member", "deputy_of": second["id"]}
    refused = await call(
        client, world, "POST", f"/networks/{world.network_b}/roles", json=elsewhere, expect=422
    )
    assert refused["errors"][0]["type"] == "unknown_role"
    history = await call(client, world, "GET", f"{url}?include_ended=true&sort=since", "chair")
    chairs = [(r["user_id"], r["succeeded"]) for r in history["items"] if r["role"] == "chair"]
    assert chairs == [(priya, None), (tom, first["id"])]


async def test_the_chairs_forum_follows_the_roles(client: httpx.AsyncClient, world: World) -> None:
    region = world.network_a
    forum = await call(client, world, "GET", f"/networks/{region}/chairs-forum", "member")
    assert forum["vacant"] == ["Basque VET Network"] and forum["seats"][0]["chairs"] == []
    priya = await person(client, world, "Priya Nair")
    role = await call(
        client,
        world,
        "POST",
        f"/networks/{world.child_a}/roles",
        "chair",
        json={"user_id": priya, "role": "chair", "term_ends_on": "2030-12-31"},
        expect=201,
    )
    forum = await call(client, world, "GET", f"/networks/{region}/chairs-forum", "chair")
    [seat] = forum["seats"]
    assert seat["chairs"][0]["name"] == "Priya Nair" and forum["vacant"] == []
    assert seat["chairs"][0]["term_ends_on"] == "2030-12-31"
    # A network that joins the region too takes a seat; its chair reads the forum.
    await call(
        client,
        world,
        "POST",
        f"/networks/{world.network_b}/parents",
        json={"parent_id": region},
        expect=201,
    )
    forum = await call(client, world, "GET", f"/networks/{region}/chairs-forum", "other_chair")
    assert [s["network_name"] for s in forum["seats"]] == ["Basque VET Network", "West Partnership"]
    await call(client, world, "POST", f"/roles/{role['id']}/end", "chair")
    forum = await call(client, world, "GET", f"/networks/{region}/chairs-forum", "chair")
    assert forum["vacant"] == ["Basque VET Network"]
    await call(client, world, "GET", f"/networks/{region}/chairs-forum", "outsider", expect=404)
