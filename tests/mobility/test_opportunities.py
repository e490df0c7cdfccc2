"""The register of mobility opportunities: kept by chair, executives and facilitators."""

from typing import Any

from tests.conftest import World
from tests.mobility.helpers import API, Orgs


def opportunity(org_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "organisation_id": org_id,
        "title": "Job shadowing in automotive engineering",
        "eqf_level": 4,
        "participant": "staff",
        "mode": "physical",
        **extra,
    }


async def create(client, world: World, body: dict, who: str = "facilitator") -> dict:
    response = await client.post(
        f"{API}/networks/{world.network_a}/mobility-opportunities",
        json=body,
        headers=world.headers(who),
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{API}/mobility-opportunities/{response.json()['id']}"
    assert response.headers["etag"] == '"1"'
    return response.json()  # type: ignore[no-any-return]


async def test_create_read_update_delete_restore(client, world: World, orgs: Orgs):
    created = await create(
        client,
        world,
        opportunity(
            orgs[2],
            field_of_study="Engineering and manufacturing",
            places=4,
            opens_on="2021-09-01",
            closes_on="2021-11-30",
            description="Two weeks at Tknika's automotive workshops.",
        ),
    )
    assert created["network_id"] == world.network_a
    assert created["places"] == 4
    url = f"{API}/mobility-opportunities/{created['id']}"
    fetched = await client.get(url, headers=world.headers("member"))
    assert fetched.status_code == 200
    assert fetched.json() == created
    no_match = await client.patch(url, json={"places": 6}, headers=world.headers("facilitator"))
    assert no_match.status_code == 428
    stale = await client.patch(
        url, json={"places": 6}, headers={**world.headers("facilitator"), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    updated = await client.patch(
        url,
        json={"places": 6, "eqf_level": 5, "mode": "blended", "closes_on": None},
        headers={**world.headers("executive"), "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert (updated.json()["eqf_level"], updated.json()["mode"]) == (5, "blended")
    assert updated.json()["closes_on"] is None
    for body in ({"eqf_level": None}, {"title": None}, {"closes_on": "2021-01-01"}, {"id": 3}):
        bad = await client.patch(
            url, json=body, headers={**world.headers("chair"), "If-Match": "*"}
        )
        assert bad.status_code == 422, body
    deleted = await client.delete(url, headers={**world.headers("facilitator"), "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=world.headers("member"))).status_code == 404
    restored = await client.post(f"{url}/restore", headers=world.headers("facilitator"))
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    again = await client.post(f"{url}/restore", headers=world.headers("facilitator"))
    assert again.status_code == 404
    events = await client.get(
        f"{API}/audit-events?network_id={world.network_a}&object_type=mobility_opportunities",
        headers=world.headers("chair"),
    )
    assert events.status_code == 200, events.text
    actions = [e["action"] for e in events.json()["items"]]
    assert sorted(actions) == ["create", "delete", "restore", "update"]


async def test_bad_opportunities(client, world: World, orgs: Orgs):
    url = f"{API}/networks/{world.network_a}/mobility-opportunities"
    headers = world.headers("facilitator")
    for body in (
        opportunity(orgs[0], eqf_level=0),
        opportunity(orgs[0], eqf_level=9),
        opportunity(orgs[0], participant="teacher"),
        opportunity(orgs[0], mode="teleport"),
        opportunity(orgs[0], places=0),
        opportunity(orgs[0], opens_on="2021-10-01", closes_on="2021-09-01"),
        opportunity(999_999),
        opportunity(orgs[0], title=" "),
        opportunity(orgs[0], version=3),
    ):
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
    listed = await client.get(url, headers=headers)
    assert listed.json()["items"] == []


async def test_filters(client, world: World, orgs: Orgs):
    await create(client, world, opportunity(orgs[0], eqf_level=3, title="Hairdressing"))
    await create(
        client,
        world,
        opportunity(orgs[2], eqf_level=4, mode="virtual", participant="learner", title="Web"),
    )
    await create(
        client,
        world,
        opportunity(
            orgs[2],
            eqf_level=5,
            mode="blended",
            title="Robotics",
            opens_on="2022-01-01",
            closes_on="2022-02-28",
        ),
    )
    url = f"{API}/networks/{world.network_a}/mobility-opportunities"
    headers = world.headers("member")

    async def titles(query: str) -> list[str]:
        response = await client.get(f"{url}?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [i["title"] for i in response.json()["items"]]

    assert await titles("sort=title") == ["Hairdressing", "Robotics", "Web"]
    assert await titles("eqf_level=4") == ["Web"]
    assert await titles("mode=blended") == ["Robotics"]
    assert await titles("participant=learner") == ["Web"]
    assert await titles(f"organisation_id={orgs[2]}&sort=-eqf_level") == ["Robotics", "Web"]
    assert await titles("open_on=2022-03-01&sort=title") == ["Hairdressing", "Web"]
    assert await titles("q=ROBOT") == ["Robotics"]
    assert await titles("limit=1&sort=eqf_level") == ["Hairdressing"]
    assert (await client.get(f"{url}?eqf_level=9", headers=headers)).status_code == 422
