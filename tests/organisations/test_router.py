"""Organisations and their memberships of networks."""

from tests.conftest import World

COLLEGE = {
    "name": "Glasgow Kelvin College",
    "kind": "vet_college",
    "country": "GB",
    "erasmus_oid": "E10208620",
}


async def create_org(client, world: World, who: str = "chair", **extra) -> dict:
    response = await client.post(
        "/api/v1/organisations", json={**COLLEGE, **extra}, headers=world.headers(who)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_chair_creates_organisation_kept_by_its_network(client, world: World) -> None:
    org = await create_org(client, world)
    assert org["owner_network_id"] == world.network_a
    fetched = await client.get(
        f"/api/v1/organisations/{org['id']}", headers=world.headers("outsider")
    )
    assert fetched.status_code == 200
    assert fetched.json()["erasmus_oid"] == "E10208620"


async def test_codes_are_unique(client, world: World) -> None:
    await create_org(client, world)
    duplicate = await client.post(
        "/api/v1/organisations",
        json={**COLLEGE, "name": "Another college"},
        headers=world.headers("chair"),
    )
    assert duplicate.status_code == 409


async def test_bad_organisation_bodies(client, world: World) -> None:
    for body in [
        {**COLLEGE, "country": "gb"},
        {**COLLEGE, "kind": "castle"},
        {**COLLEGE, "website": "javascript:alert(1)"},
        {"name": "x"},
        {**COLLEGE, "owner_network_id": 999_999},
    ]:
        response = await client.post(
            "/api/v1/organisations", json=body, headers=world.headers("chair")
        )
        assert response.status_code == 422, body
    listed = await client.get("/api/v1/organisations", headers=world.headers("chair"))
    assert listed.json()["items"] == []


async def test_only_keepers_edit(client, world: World) -> None:
    org = await create_org(client, world)
    url = f"/api/v1/organisations/{org['id']}"
    for who, status in [
        ("other_chair", 403),
        ("member", 403),
        ("facilitator", 403),
        ("executive", 200),
        ("admin", 200),
    ]:
        response = await client.patch(
            url, json={"region": who}, headers={**world.headers(who), "If-Match": "*"}
        )
        assert response.status_code == status, who
    deleted = await client.delete(url, headers={**world.headers("chair"), "If-Match": "*"})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=world.headers("chair"))).status_code == 404
    restored = await client.post(f"{url}/restore", headers=world.headers("chair"))
    assert restored.status_code == 200


async def test_filters(client, world: World) -> None:
    await create_org(client, world)
    await create_org(
        client,
        world,
        name="Paisley Grammar School",
        kind="school",
        erasmus_oid=None,
        local_authority="Renfrewshire",
    )
    headers = world.headers("member")
    schools = await client.get("/api/v1/organisations?kind=school", headers=headers)
    assert [o["name"] for o in schools.json()["items"]] == ["Paisley Grammar School"]
    by_la = await client.get("/api/v1/organisations?local_authority=Renfrewshire", headers=headers)
    assert len(by_la.json()["items"]) == 1
    by_code = await client.get("/api/v1/organisations?q=E10208620", headers=headers)
    assert [o["name"] for o in by_code.json()["items"]] == ["Glasgow Kelvin College"]
    by_name = await client.get("/api/v1/organisations?q=KELVIN&sort=-name", headers=headers)
    assert len(by_name.json()["items"]) == 1


async def test_memberships_keep_history(client, world: World) -> None:
    org = await create_org(client, world)
    url = f"/api/v1/networks/{world.network_a}/members"
    joined = await client.post(
        url,
        json={"organisation_id": org["id"], "joined_on": "2021-09-01"},
        headers=world.headers("executive"),
    )
    assert joined.status_code == 201, joined.text
    again = await client.post(
        url, json={"organisation_id": org["id"]}, headers=world.headers("chair")
    )
    assert again.status_code == 409
    membership = joined.json()
    too_early = await client.post(
        f"/api/v1/memberships/{membership['id']}/end",
        json={"left_on": "2020-01-01"},
        headers=world.headers("chair"),
    )
    assert too_early.status_code == 422
    ended = await client.post(
        f"/api/v1/memberships/{membership['id']}/end",
        json={"left_on": "2022-08-31"},
        headers=world.headers("chair"),
    )
    assert ended.status_code == 200
    assert ended.json()["left_on"] == "2022-08-31"
    current = await client.get(url, headers=world.headers("member"))
    assert current.json()["items"] == []
    history = await client.get(f"{url}?include_ended=true", headers=world.headers("member"))
    assert [m["id"] for m in history.json()["items"]] == [membership["id"]]
    rejoined = await client.post(
        url, json={"organisation_id": org["id"]}, headers=world.headers("chair")
    )
    assert rejoined.status_code == 201
    unknown = await client.post(
        url, json={"organisation_id": 987_654}, headers=world.headers("chair")
    )
    assert unknown.status_code == 422
