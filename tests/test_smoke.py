from tests.conftest import World


async def test_list_networks_as_chair(client, world: World) -> None:
    response = await client.get("/api/v1/networks", headers=world.headers("chair"))
    assert response.status_code == 200, response.text
    names = [n["name"] for n in response.json()["items"]]
    assert names == ["Network of Networks", "Basque VET Network", "West Partnership"]
