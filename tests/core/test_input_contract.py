"""What the schema documents is what the API takes: findings of the Schemathesis runs, pinned."""

import json

from app.openapi_snapshot import render
from tests.conftest import World

DOCUMENT = json.loads(render())
SCHEMAS = DOCUMENT["components"]["schemas"]


async def test_405_lists_every_method_of_the_path(client, world: World) -> None:
    response = await client.request("OPTIONS", "/api/v1/networks", headers=world.headers("chair"))
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    item = f"/api/v1/networks/{world.network_a}"
    response = await client.put(item, json={}, headers=world.headers("chair"))
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE"}


async def test_dates_are_written_as_documented(client, world: World) -> None:
    """A number is not a date (pydantic alone would read 0 as 1 January 1970)."""
    url = f"/api/v1/networks/{world.network_a}/plans"
    for start in [0, "0", "1700000000", "2022-1-1", "2022-01-01T00:00:00Z"]:
        body = {"title": "x", "period_start": start, "period_end": "2023-01-01"}
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, start
        assert response.json()["errors"][0]["loc"] == ["body", "period_start"]
    assert (await client.get(url, headers=world.headers("chair"))).json()["items"] == []
    good = {"title": "x", "period_start": "2022-01-01", "period_end": "2023-01-01"}
    assert (await client.post(url, json=good, headers=world.headers("chair"))).status_code == 201
    opportunities = f"/api/v1/networks/{world.network_a}/mobility-opportunities"
    for day in ["0", "20240101"]:
        response = await client.get(
            opportunities, params={"open_on": day}, headers=world.headers("chair")
        )
        assert response.status_code == 422, day
    response = await client.get(
        opportunities, params={"open_on": "2024-01-01"}, headers=world.headers("chair")
    )
    assert response.status_code == 200


async def test_timestamps_are_written_as_documented(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}/roles"
    for since in [0, "1700000000", "2024-01-01"]:
        body = {"user_id": world["outsider"].id, "role": "member", "since": since}
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, since


async def test_mobility_group_by_names_are_documented(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}/mobility-counts/summary"
    for group_by in ["participant,mode", "participant, mode", ""]:
        response = await client.get(
            url, params={"group_by": group_by}, headers=world.headers("chair")
        )
        assert response.status_code == 200, group_by
    for group_by in ["colour", "mode,", "mode,mode"]:
        response = await client.get(
            url, params={"group_by": group_by}, headers=world.headers("chair")
        )
        assert response.status_code == 422, group_by


def test_fields_that_may_not_be_cleared_are_not_nullable_in_the_schema() -> None:
    kind = SCHEMAS["NetworkUpdate"]["properties"]["kind"]
    assert {"type": "null"} not in kind.get("anyOf", [])
    title = SCHEMAS["PlanUpdate"]["properties"]["title"]
    assert title["type"] == "string" and "anyOf" not in title


def test_integer_bounds_are_exact() -> None:
    """2^63 - 1, not the float 2^63 FastAPI's model would write."""
    user_id = SCHEMAS["RoleCreate"]["properties"]["user_id"]
    assert user_id["maximum"] == 2**63 - 1 and isinstance(user_id["minimum"], int)
    text = DOCUMENT and render()
    assert "9.223372036854776e+18" not in text


async def test_numbers_and_booleans_are_json_numbers_and_booleans(client, world: World) -> None:
    """``"1"`` is not 1 and ``"yes"`` is not true: each is a 422 naming the field, and nothing
    is written (pydantic alone would coerce both)."""
    plans = f"/api/v1/networks/{world.network_a}/plans"
    body = {"title": "x", "period_start": "2022-01-01", "period_end": "2023-01-01"}
    plan = (await client.post(plans, json=body, headers=world.headers("chair"))).json()
    objectives = f"/api/v1/plans/{plan['id']}/objectives"
    for position in ["1", True, "1.0", [1]]:
        body = {"code": "1", "title": "An objective", "position": position}
        response = await client.post(objectives, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, position
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"] == ["body", "position"], position
    listed = await client.get(objectives, headers=world.headers("chair"))
    assert listed.json()["items"] == []
    body = {"code": "1", "title": "An objective", "position": 1}
    created = await client.post(objectives, json=body, headers=world.headers("chair"))
    assert created.status_code == 201, created.text
    url = f"/api/v1/objectives/{created.json()['id']}"
    etag = created.headers["etag"]
    for position in ["2", False]:
        response = await client.patch(
            url, json={"position": position}, headers={**world.headers("chair"), "If-Match": etag}
        )
        assert response.status_code == 422, position
        assert response.json()["errors"][0]["loc"] == ["body", "position"]
    moved = await client.patch(
        url, json={"position": 2}, headers={**world.headers("chair"), "If-Match": etag}
    )
    assert moved.status_code == 200 and moved.json()["position"] == 2


async def test_required_text_needs_a_character_that_is_not_a_space(client, world: World) -> None:
    """Required text is stripped, so blank text is documented (pattern \\S) and refused alike."""
    assert SCHEMAS["PlanCreate"]["properties"]["title"]["pattern"] == "\\S"
    url = f"/api/v1/networks/{world.network_a}/plans"
    for title in ["\f", "   ", ""]:
        body = {"title": title, "period_start": "2022-01-01", "period_end": "2023-01-01"}
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, repr(title)
        assert response.json()["errors"][0]["loc"] == ["body", "title"]
    body = {"title": "  Plan  ", "period_start": "2022-01-01", "period_end": "2023-01-01"}
    created = await client.post(url, json=body, headers=world.headers("chair"))
    assert created.status_code == 201 and created.json()["title"] == "Plan"
