"""Badge measure sources and the demo badge network."""

import httpx
from sqlalchemy import select

from app.auth.policy import Principal
from app.badges.models import Badge, BadgeAward, BadgeProposal
from app.demo import badges as demo
from app.networks.models import Network
from tests.badges.helpers import approved_network
from tests.conftest import World


async def test_badge_measure_sources(client: httpx.AsyncClient, world: World) -> None:
    me = world.headers("outsider")
    network_id = await approved_network(client, world)
    plan_id = (await client.get(f"/api/v1/networks/{network_id}/plans", headers=me)).json()[
        "items"
    ][0]["id"]
    objective_id = (await client.get(f"/api/v1/plans/{plan_id}/objectives", headers=me)).json()[
        "items"
    ][0]["id"]
    badge = (
        await client.post(
            f"/api/v1/networks/{network_id}/badges",
            json={"name": "B", "description": "d", "criteria_narrative": "c"},
            headers=me,
        )
    ).json()
    for email in ["a@e.org", "b@e.org", "a@e.org"]:
        r = await client.post(
            f"/api/v1/badges/{badge['id']}/awards",
            json={"recipient_name": "R", "recipient_email": email},
            headers=me,
        )
        assert r.status_code == 201, r.text
    revoked = r.json()["id"]
    ids = {}
    for source, period in [
        ("badge_awards", "total"),
        ("badge_awards", "per_annum"),
        ("badge_earners", "total"),
    ]:
        r = await client.post(
            f"/api/v1/objectives/{objective_id}/measures",
            json={
                "description": f"{source} {period}",
                "source": source,
                "params": {"badge_id": badge["id"]},
                "target": {"comparator": "at_least", "value": 10, "period": period},
            },
            headers=me,
        )
        assert r.status_code == 201, r.text
        ids[(source, period)] = r.json()["id"]
    r = await client.post(
        f"/api/v1/objectives/{objective_id}/measures",
        json={"description": "x", "source": "badge_awards", "params": {"colour": "red"}},
        headers=me,
    )
    assert r.status_code == 422

    async def value(key: tuple[str, str]) -> float:
        r = await client.get(f"/api/v1/measures/{ids[key]}", headers=me)
        assert r.status_code == 200, r.text
        return r.json()["current_value"]  # type: ignore[no-any-return]

    assert await value(("badge_awards", "total")) == 3
    assert await value(("badge_awards", "per_annum")) == 3
    assert await value(("badge_earners", "total")) == 2
    await client.post(f"/api/v1/awards/{revoked}/revoke", json={"reason": "error"}, headers=me)
    assert await value(("badge_awards", "total")) == 2
    assert await value(("badge_earners", "total")) == 2


async def test_demo_loads_and_its_credentials_verify(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = Principal(kind="user", id=world["admin"].id, is_admin=True)
    networks: dict[str, Network] = {}
    async with world.app.state.cohesion.db.transaction() as session:
        await demo.load(session, admin, networks)
    assert "Open Badge Networks England" in networks
    badge_network = networks["Open Badges for Migrant Skills England"]
    assert (
        badge_network.kind == "badge"
        and badge_network.parent_id == networks["Open Badge Networks England"].id
    )
    async with world.app.state.cohesion.db.transaction() as session:
        proposal = await session.scalar(select(BadgeProposal))
        assert proposal is not None and proposal.status == "approved"
        badges = (await session.scalars(select(Badge))).all()
        awards = (await session.scalars(select(BadgeAward))).all()
    assert len(badges) == 2 and len(awards) == 3
    for award in awards:
        uuid = award.credential_id.removeprefix("urn:uuid:")
        r = await client.get(f"/api/v1/credentials/{uuid}/verify")
        assert r.json()["valid"] is True, r.text
