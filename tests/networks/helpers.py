"""Calls for the network-graph and role tests, as someone of the world."""

from typing import Any

import httpx

from tests.conftest import World

API = "/api/v1"


async def call(
    client: httpx.AsyncClient,
    world: World,
    method: str,
    path: str,
    who: str = "admin",
    json: Any = None,
    expect: int = 200,
) -> Any:
    """The answer's body, asserting its status (PATCH and DELETE send ``If-Match: *``)."""
    response = await client.request(
        method, API + path, json=json, headers={**world.headers(who), "If-Match": "*"}
    )
    assert response.status_code == expect, (method, path, response.text)
    return response.json() if response.content else None
