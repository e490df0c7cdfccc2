"""Two networks' data never mix: on the full demo data set, the chair of one top-level network
(the Networks of Networks alliance) gets ``404`` for every network-scoped list, export and
summary of another (the West Partnership), and for every object found there; the lists it
may read hold none of the other network's rows. Routes are walked from the app, so a new
network-scoped list or object route is checked without being named here."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlmodel import col

from app.auth.models import User
from app.networks.models import Network
from tests.conftest import token_headers
from tests.demo_helpers import restore_demo
from tests.test_authz_matrix import api_routes

API = "/api/v1"
# The network directory (with its links to parents) and a badge issuer's public keys are open
# to every caller.
PUBLIC = {
    "/networks/{network_id}",
    "/networks/{network_id}/children",
    "/networks/{network_id}/parents",
    "/networks/{network_id}/jwks.json",
}


def network_lists(app: FastAPI) -> list[str]:
    return sorted(
        path
        for method, path in api_routes(app)
        if method == "GET"
        and path.startswith("/networks/{network_id}/")
        and path.count("{") == 1
        and path not in PUBLIC
    )


def object_routes(app: FastAPI) -> dict[str, str]:
    """``/plans/{plan_id}`` → ``plans``: object routes whose collection has a network list."""
    found = {}
    for method, path in api_routes(app):
        parts = path.removeprefix("/").split("/")
        if method == "GET" and len(parts) == 2 and parts[0] != "networks" and "{" in parts[1]:
            found[path] = parts[0]
    return found


async def everything(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        response = await client.get(API + path, params=params, headers=headers)
        assert response.status_code == 200, (path, response.text)
        if not response.headers["content-type"].startswith("application/json"):
            return [response.text]  # an export
        body = response.json()
        if not isinstance(body, dict) or "items" not in body:
            return [body]
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


@pytest.fixture
async def demo(app: FastAPI, db: None) -> dict[str, Any]:
    admin = await restore_demo(app)
    state = app.state.cohesion
    async with state.db.transaction() as session:
        networks = {n.name: n.id for n in await session.scalars(select(Network))}
        users = {
            u.email: u.id
            for u in await session.scalars(select(User).where(col(User.email).like("chair@%")))
        }
    return {
        "admin": token_headers(app, f"user:{admin.user_id}"),
        "non_chair": token_headers(app, f"user:{users['chair@nonetwork.example']}"),
        "non": networks["Network of Networks"],
        "west": networks["West Partnership"],
    }


async def test_a_chair_reaches_nothing_of_another_networks_data(
    app: FastAPI, client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    admin, outsider = demo["admin"], demo["non_chair"]
    west, non = demo["west"], demo["non"]
    lists = network_lists(app)
    assert len(lists) >= 12, lists

    west_rows: dict[str, list[Any]] = {}
    for path in lists:
        url = path.replace("{network_id}", str(west))
        west_rows[path] = await everything(client, url, admin)
        response = await client.get(API + url, headers=outsider)
        assert (path, response.status_code) == (path, 404), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    response = await client.get(f"{API}/audit-events?network_id={west}", headers=outsider)
    assert response.status_code == 404
    # The demo fills the West Partnership's plans, partnerships, programmes, cohorts, ...
    filled = [path for path, rows in west_rows.items() if rows and isinstance(rows[0], dict)]
    assert len(filled) >= 6, filled

    # Its own lists hold none of West's rows.
    for path in lists:
        theirs = {row.get("id") for row in west_rows[path] if isinstance(row, dict)} - {None}
        if not theirs or path.endswith(("/summary", "/export")):
            continue
        own = await everything(client, path.replace("{network_id}", str(non)), outsider)
        assert not {row.get("id") for row in own if isinstance(row, dict)} & theirs, path

    # Every object of West reachable by id is a 404 for the outsider.
    checked = 0
    for object_path, collection in object_routes(app).items():
        source = f"/networks/{{network_id}}/{collection}"
        for row in west_rows.get(source, []):
            url = API + object_path.replace(object_path[object_path.index("{") :], str(row["id"]))
            assert (await client.get(url, headers=admin)).status_code == 200, url
            response = await client.get(url, headers=outsider)
            assert (url, response.status_code) == (url, 404), response.text
            checked += 1
    assert checked >= 10, checked
