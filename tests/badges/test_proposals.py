"""Badge-network proposals: the canvas, the workflow and what approval creates."""

import httpx
from sqlalchemy import func, select

from app.badges.models import BadgeNetworkInvitation
from app.core.audit import AuditEvent
from app.networks.models import Network
from tests.badges.helpers import SEED_SECTIONS, approved_network, full_canvas, patch, submitted
from tests.conftest import World

BASE = "/api/v1/badge-onboarding"


async def _count_networks(world: World) -> int:
    async with world.app.state.cohesion.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(Network)) or 0)


async def test_seed_canvas_section_by_section_submitted_and_approved(
    client: httpx.AsyncClient, world: World
) -> None:
    me = world.headers("outsider")
    r = await client.post(BASE, json={}, headers=me)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.headers["Location"] == f"{BASE}/{pid}"
    r = await client.get(f"{BASE}/{pid}/completeness", headers=me)
    assert r.json()["complete"] is False
    assert "drivers" in r.json()["missing"]
    r = await client.post(f"{BASE}/{pid}/submit", headers=me)
    assert r.status_code == 422
    assert "drivers" in r.json()["detail"]
    for section in [{"parent_network_id": world.network_a}, *SEED_SECTIONS]:
        r = await patch(client, f"{BASE}/{pid}", section, me)
        assert r.status_code == 200, r.text
        missing = (await client.get(f"{BASE}/{pid}/completeness", headers=me)).json()["missing"]
        assert not set(section) & set(missing)
    assert (await client.get(f"{BASE}/{pid}/completeness", headers=me)).json()["complete"]
    r = await client.post(f"{BASE}/{pid}/submit", headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"

    r = await client.post(f"{BASE}/{pid}/approve", headers=world.headers("chair"))
    assert r.status_code == 200, r.text
    proposal = r.json()
    assert proposal["status"] == "approved"
    network_id, plan_id = proposal["network_id"], proposal["plan_id"]

    network = (await client.get(f"/api/v1/networks/{network_id}", headers=me)).json()
    assert network["kind"] == "badge"
    assert network["parent_id"] == world.network_a
    assert network["name"] == "Open Badges for Migrant Skills England"
    roles = (await client.get(f"/api/v1/networks/{network_id}/roles", headers=me)).json()
    assert [(x["user_id"], x["role"]) for x in roles["items"]] == [(world["outsider"].id, "chair")]
    communities = (
        await client.get(f"/api/v1/networks/{network_id}/communities", headers=me)
    ).json()["items"]
    assert [(c["kind"], c["title"]) for c in communities] == [
        ("sub_group", "Migrant badge uptake group"),
        ("forum", "Open Badges for Migrant Skills England: network meetings"),
    ]
    # The canvas's "Once every two months", "One hour", "Face-to-face meeting" is kept.
    assert communities[1]["cadence"] == {
        "frequency": "Once every two months",
        "duration_minutes": 60,
        "format": "in_person",
    }
    r = await client.get(f"/api/v1/networks/{network_id}/plans", headers=me)
    assert [p["id"] for p in r.json()["items"]] == [plan_id]
    measures = (await client.get(f"/api/v1/plans/{plan_id}/tree", headers=me)).json()
    texts = [m["description"] for o in measures["objectives"] for m in o["measures"]]
    assert texts == SEED_SECTIONS[-2]["success_measures"]
    # "migrants, taking the badges" reads the badge earners; participation is recorded by hand.
    sources = [m["source"] for o in measures["objectives"] for m in o["measures"]]
    assert sources == ["manual", "badge_earners"]
    async with world.app.state.cohesion.db.transaction() as session:
        invited = (
            await session.scalars(
                select(BadgeNetworkInvitation).where(
                    BadgeNetworkInvitation.network_id == network_id  # type: ignore[arg-type]
                )
            )
        ).all()
    assert sorted(i.group for i in invited) == ["consumer", "earner", "issuer"]
    async with world.app.state.cohesion.db.transaction() as session:
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.object_type == "badge_proposals",  # type: ignore[arg-type]
                    AuditEvent.object_id == pid,  # type: ignore[arg-type]
                )
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        ).all()
    assert actions[0] == "create" and list(actions[-2:]) == ["submit", "approve"]
    assert actions.count("update") == len(SEED_SECTIONS) + 1


async def test_rejected_creates_nothing_and_can_be_reopened(
    client: httpx.AsyncClient, world: World
) -> None:
    before = await _count_networks(world)
    proposal = await submitted(client, world)
    pid = proposal["id"]
    r = await client.post(f"{BASE}/{pid}/reject", json={}, headers=world.headers("chair"))
    assert r.status_code == 422
    r = await client.post(
        f"{BASE}/{pid}/reject",
        json={"reason": "Name a parent nearer England"},
        headers=world.headers("chair"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    assert r.json()["rejection_reason"] == "Name a parent nearer England"
    assert r.json()["network_id"] is None and r.json()["plan_id"] is None
    assert await _count_networks(world) == before
    me = world.headers("outsider")
    assert (await patch(client, f"{BASE}/{pid}", {"territory": "UK"}, me)).status_code == 409
    r = await client.post(f"{BASE}/{pid}/approve", headers=world.headers("chair"))
    assert r.status_code == 409
    r = await client.post(f"{BASE}/{pid}/reopen", headers=me)
    assert r.status_code == 200 and r.json()["status"] == "draft"
    r = await patch(client, f"{BASE}/{pid}", {"territory": "England and Wales"}, me)
    assert r.status_code == 200 and r.json()["territory"] == "England and Wales"
    assert await _count_networks(world) == before


async def test_illegal_transitions_conflict(client: httpx.AsyncClient, world: World) -> None:
    me = world.headers("outsider")
    r = await client.post(BASE, json=full_canvas(world.network_a), headers=me)
    pid = r.json()["id"]
    r = await client.post(f"{BASE}/{pid}/approve", headers=world.headers("chair"))
    assert r.status_code == 409  # approve a draft
    assert (await client.post(f"{BASE}/{pid}/reopen", headers=me)).status_code == 409
    assert (await client.post(f"{BASE}/{pid}/submit", headers=me)).status_code == 200
    assert (await client.post(f"{BASE}/{pid}/submit", headers=me)).status_code == 409
    assert (await patch(client, f"{BASE}/{pid}", {"duration": "2y"}, me)).status_code == 409
    assert (
        await client.post(f"{BASE}/{pid}/approve", headers=world.headers("chair"))
    ).status_code == 200
    assert (await patch(client, f"{BASE}/{pid}", {"duration": "2y"}, me)).status_code == 409
    assert (
        await client.post(f"{BASE}/{pid}/approve", headers=world.headers("admin"))
    ).status_code == 409
    r = await client.post(
        f"{BASE}/{pid}/reject", json={"reason": "x"}, headers=world.headers("admin")
    )
    assert r.status_code == 409


async def test_validation_of_sections(client: httpx.AsyncClient, world: World) -> None:
    me = world.headers("outsider")
    bad = [
        {"initial_members": [{"group": "sponsor", "name": "X"}]},
        {"communication": {"cadence": "monthly", "venue": "x"}},
        {"unknown_section": "x"},
        {"parent_network_id": 999_999},
    ]
    for body in bad:
        r = await client.post(BASE, json=body, headers=me)
        assert r.status_code == 422, body


async def test_proposal_authorization(client: httpx.AsyncClient, world: World) -> None:
    proposal = await submitted(client, world)
    pid = proposal["id"]
    assert (await client.get(f"{BASE}/{pid}")).status_code == 401
    assert (await client.get(BASE)).status_code == 401
    for name in ["executive", "member", "facilitator", "other_chair"]:
        assert (await client.get(f"{BASE}/{pid}", headers=world.headers(name))).status_code == 404
        r = await client.post(f"{BASE}/{pid}/approve", headers=world.headers(name))
        assert r.status_code == 404, name
    for name in ["chair", "admin", "outsider"]:
        assert (await client.get(f"{BASE}/{pid}", headers=world.headers(name))).status_code == 200
    # the proposer may not approve their own proposal; the deciders may not edit or submit it
    assert (
        await client.post(f"{BASE}/{pid}/approve", headers=world.headers("outsider"))
    ).status_code == 403
    r = await client.post(
        f"{BASE}/{pid}/reject", json={"reason": "no"}, headers=world.headers("outsider")
    )
    assert r.status_code == 403
    r = await patch(client, f"{BASE}/{pid}", {"duration": "x"}, world.headers("chair"))
    assert r.status_code == 403

    # lists: own, or under networks chaired; admins all
    def ids(r: httpx.Response) -> list[int]:
        return [p["id"] for p in r.json()["items"]]

    assert ids(await client.get(BASE, headers=world.headers("outsider"))) == [pid]
    assert ids(await client.get(BASE, headers=world.headers("chair"))) == [pid]
    assert ids(await client.get(BASE, headers=world.headers("admin"))) == [pid]
    assert ids(await client.get(BASE, headers=world.headers("other_chair"))) == []
    assert ids(await client.get(BASE, headers=world.headers("executive"))) == []


async def test_admin_approves_and_network_chair_can_write(
    client: httpx.AsyncClient, world: World
) -> None:
    proposal = await submitted(client, world, proposer="member")
    r = await client.post(f"{BASE}/{proposal['id']}/approve", headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["decided_by_user_id"] == world["admin"].id
    network_id = await approved_network(client, world, proposer="facilitator", name="Second")
    assert network_id != r.json()["network_id"]
