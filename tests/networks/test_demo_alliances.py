"""The demo (issue 21): a network in two alliances, counted once in each roll-up; the Banyule
community of practice's chair on a term and its SEIL with the five functions."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlmodel import col

from app.networks.models import Network
from tests.conftest import token_headers
from tests.demo_helpers import restore_demo

API = "/api/v1"


async def test_the_demo_holds_alliances_terms_and_functions(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await restore_demo(app)
    async with app.state.cohesion.db.transaction() as session:
        ids = {
            n.name: n.id for n in await session.scalars(select(Network).order_by(col(Network.id)))
        }
    headers = token_headers(app, f"user:{admin.user_id}")

    async def get(path: str) -> dict:
        response = await client.get(API + path, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    tampere = ids["Tampere Region Vocational Network"]
    parents = await get(f"/networks/{tampere}/parents")
    assert sorted(p["parent_name"] for p in parents["items"]) == [
        "Network of Networks",
        "Nordic VET Alliance",
    ]
    assert (await get(f"/networks/{tampere}"))["parent_id"] == ids["Network of Networks"]
    for alliance in ("Network of Networks", "Nordic VET Alliance"):
        rollup = await get(f"/networks/{ids[alliance]}/progress")
        shown = [n["network_id"] for n in rollup["networks"]]
        assert shown.count(tampere) == 1 and len(shown) == len(set(shown)), (alliance, shown)

    roles = (await get(f"/networks/{ids['Banyule Network']}/roles"))["items"]
    by_role = {r["role"]: r for r in roles}
    assert by_role["chair"]["term_ends_on"] == "2025-12-31"
    assert by_role["improvement_leader"]["functions"] == [
        "connector",
        "integrator",
        "facilitator",
        "challenge_partner",
        "conduit",
    ]
    assert "facilitator" not in by_role  # the SEIL is no longer stored as one
    forum = await get(f"/networks/{ids['North-Eastern Victoria Region']}/chairs-forum")
    assert [(s["network_name"], [c["name"] for c in s["chairs"]]) for s in forum["seats"]] == [
        ("Banyule Network", ["Priya Nair"])
    ]
