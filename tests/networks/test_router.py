"""Networks: the directory, the hierarchy and filters."""

from tests.conftest import World


async def test_child_networks_carry_their_ancestry(client, world: World) -> None:
    child = await client.post(
        "/api/v1/networks",
        json={"name": "Tknika cluster", "kind": "thematic", "parent_id": world.child_a},
        headers=world.headers("admin"),
    )
    assert child.status_code == 201, child.text
    body = child.json()
    assert body["parent_id"] == world.child_a
    assert body["ancestor_ids"] == [world.network_a, world.child_a]
    assert body["version"] == 1
    assert child.headers["etag"] == '"1"'
    assert child.headers["location"] == f"/api/v1/networks/{body['id']}"
    children = await client.get(
        f"/api/v1/networks/{world.child_a}/children", headers=world.headers("outsider")
    )
    assert [n["id"] for n in children.json()["items"]] == [body["id"]]


async def test_profile_is_a_directory_for_every_signed_in_user(client, world: World) -> None:
    await client.patch(
        f"/api/v1/networks/{world.network_a}",
        json={"territory": "Europe", "membership_criteria": "VET colleges in a regional network"},
        headers={**world.headers("chair"), "If-Match": "*"},
    )
    profile = await client.get(
        f"/api/v1/networks/{world.network_a}", headers=world.headers("other_chair")
    )
    assert profile.status_code == 200
    assert profile.json()["territory"] == "Europe"
    assert profile.json()["membership_criteria"].startswith("VET colleges")
    assert (await client.get(f"/api/v1/networks/{world.network_a}")).status_code == 401


async def test_filters(client, world: World) -> None:
    headers = world.headers("member")
    by_kind = await client.get("/api/v1/networks?kind=partnership", headers=headers)
    assert [n["name"] for n in by_kind.json()["items"]] == ["West Partnership"]
    by_parent = await client.get(f"/api/v1/networks?parent_id={world.network_a}", headers=headers)
    assert [n["id"] for n in by_parent.json()["items"]] == [world.child_a]
    by_text = await client.get("/api/v1/networks?q=basque", headers=headers)
    assert [n["id"] for n in by_text.json()["items"]] == [world.child_a]
    wildcard = await client.get("/api/v1/networks?q=%25", headers=headers)
    assert wildcard.json()["items"] == []


async def test_parent_and_rights_cannot_be_patched(client, world: World) -> None:
    for field, value in [
        ("parent_id", world.network_b),
        ("path", "/9/"),
        ("version", 7),
        ("id", 5),
        ("deleted_at", None),
    ]:
        response = await client.patch(
            f"/api/v1/networks/{world.child_a}",
            json={field: value},
            headers={**world.headers("admin"), "If-Match": "*"},
        )
        assert response.status_code == 422, field
    null_name = await client.patch(
        f"/api/v1/networks/{world.child_a}",
        json={"name": None},
        headers={**world.headers("admin"), "If-Match": "*"},
    )
    assert null_name.status_code == 422
    assert null_name.json()["errors"][0]["loc"] == ["body", "name"]


async def test_chair_of_parent_deletes_child_and_restores_it(client, world: World) -> None:
    url = f"/api/v1/networks/{world.child_a}"
    own_chair = await client.post(
        "/api/v1/networks",
        json={"name": "x", "kind": "regional", "parent_id": world.network_b},
        headers=world.headers("chair"),
    )
    assert own_chair.status_code == 403
    deleted = await client.delete(url, headers={**world.headers("chair"), "If-Match": "*"})
    assert deleted.status_code == 204
    children = await client.get(
        f"/api/v1/networks/{world.network_a}/children", headers=world.headers("chair")
    )
    assert children.json()["items"] == []
    restored = await client.post(f"{url}/restore", headers=world.headers("chair"))
    assert restored.status_code == 200
    assert restored.json()["version"] == 3


async def test_roles_on_a_deleted_network_grant_nothing(client, world: World) -> None:
    from app.auth.policy import Principal, Role
    from tests.conftest import appoint, make_user

    person = await make_user(world.app, "regional.chair@test.example")
    await appoint(
        world.app,
        Principal(kind="user", id=world.admin.id, is_admin=True),
        world.child_a,
        person.id,
        Role.chair,
    )
    roles_url = f"/api/v1/networks/{world.child_a}/roles"
    assert (await client.get(roles_url, headers=person.headers)).status_code == 200
    await client.delete(
        f"/api/v1/networks/{world.child_a}", headers={**world.headers("chair"), "If-Match": "*"}
    )
    me = await client.get("/api/v1/me", headers=person.headers)
    assert me.json()["roles"] == []
    assert (await client.get(roles_url, headers=person.headers)).status_code == 404
