"""The resource kit (app/core/resources.py) as clients see it: sort enums, pages, ETags."""

from fastapi import FastAPI

from tests.conftest import World
from tests.core.test_conventions import assert_problem, create_child


def _sort_parameters(app: FastAPI) -> dict[str, dict]:
    found = {}
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "sort" and parameter["in"] == "query":
                    found[f"{method} {path}"] = parameter
    return found


def test_every_kit_sort_is_an_enum_of_its_keys_and_their_reverses(app: FastAPI) -> None:
    sorts = _sort_parameters(app)
    kit = {k: p for k, p in sorts.items() if "enum" in p["schema"]["anyOf"][0]}
    assert len(kit) >= 14  # every sortable list of the converted domains
    for name, parameter in kit.items():
        values = parameter["schema"]["anyOf"][0]["enum"]
        assert "id" in values and "-id" in values, name
        assert {v.lstrip("-") for v in values} == {v for v in values if not v.startswith("-")}
        for value in values:
            assert value.lstrip("-") in parameter["description"], (name, value)


async def test_each_listed_sort_is_accepted_and_minus_reverses(
    client, app: FastAPI, world: World
) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        assert (await create_child(client, world, name)).status_code == 201
    parameter = _sort_parameters(app)["get /api/v1/networks/{network_id}/children"]
    url = f"/api/v1/networks/{world.network_a}/children"
    orders = {}
    for value in parameter["schema"]["anyOf"][0]["enum"]:
        response = await client.get(f"{url}?sort={value}", headers=world.headers("member"))
        assert response.status_code == 200, (value, response.text)
        orders[value] = [n["id"] for n in response.json()["items"]]
    for value in ("name", "created_at", "id"):
        assert orders[f"-{value}"] == list(reversed(orders[value]))


async def test_a_sort_outside_the_enum_is_a_400_naming_the_choices(client, world: World) -> None:
    response = await client.get("/api/v1/networks?sort=-colour", headers=world.headers("chair"))
    body = assert_problem(response, 400)
    assert body["errors"][0]["type"] == "sort_invalid"
    assert "created_at, id, name, updated_at" in body["detail"]


async def test_pages_carry_link_and_cursor_and_objects_their_etag(client, world: World) -> None:
    for i in range(3):
        created = await create_child(client, world, f"Paged {i}")
        assert created.headers["etag"] == '"1"'
        assert created.headers["location"] == f"/api/v1/networks/{created.json()['id']}"
    url = f"/api/v1/networks/{world.network_a}/children?limit=2&sort=name"
    first = await client.get(url, headers=world.headers("member"))
    cursor = first.json()["next_cursor"]
    assert cursor and f"cursor={cursor}" in first.headers["link"]
    second = await client.get(f"{url}&cursor={cursor}", headers=world.headers("member"))
    assert second.json()["next_cursor"] is None and "link" not in second.headers
    names = [n["name"] for n in first.json()["items"] + second.json()["items"]]
    assert [n for n in names if n.startswith("Paged")] == ["Paged 0", "Paged 1", "Paged 2"]


async def test_restore_loads_only_deleted_records(client, world: World) -> None:
    child = (await create_child(client, world, "Restorable")).json()
    url = f"/api/v1/networks/{child['id']}"
    chair = world.headers("chair")
    assert_problem(await client.post(f"{url}/restore", headers=chair), 404)  # not deleted
    deleted = await client.delete(url, headers={**chair, "If-Match": '"1"'})
    assert deleted.status_code == 204
    assert_problem(await client.get(url, headers=chair), 404)
    restored = await client.post(f"{url}/restore", headers=chair)
    assert restored.status_code == 200
    assert restored.headers["etag"] == f'"{restored.json()["version"]}"'
    assert restored.json()["deleted_at"] is None
