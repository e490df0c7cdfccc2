"""Users and service accounts are separate id spaces: a service account whose id equals a
user's id is never taken for that user, in any "mine" list or owner rule."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import column

from app.auth.models import ServiceAccount
from app.auth.policy import Principal
from tests.badges.helpers import full_canvas, patch
from tests.conftest import World, token_headers
from tests.partnerships.helpers import PartnerBuilder
from tests.test_authz_matrix import api_routes


async def twin_service_account(app: FastAPI, user_id: int, network_id: int) -> dict[str, str]:
    """A service account with the same numeric id as user ``user_id`` (a chair could get one
    by creating accounts until the sequence reached it), and a token for it."""
    async with app.state.cohesion.db.transaction() as session:
        session.add(
            ServiceAccount(
                id=user_id,
                network_id=network_id,
                name="Twin",
                client_id=f"cohesion-twin-{user_id}",
                secret_hash="not-a-hash",
                scopes=["mobility:write"],
            )
        )
    return token_headers(app, f"sa:{user_id}", gen=1)


def test_principal_helpers_keep_the_kinds_apart() -> None:
    user = Principal(kind="user", id=7)
    account = Principal(kind="service_account", id=7)
    assert user.user_id == 7 and user.is_user_id(7) and not user.is_user_id(8)
    assert account.user_id is None and account.service_account_id == 7
    assert not account.is_user_id(7) and not account.is_user_id(None)
    assert not user.is_user_id(None)
    assert (user.key, account.key) == ("user:7", "service_account:7")
    owner = column("proposer_user_id")
    assert str(user.user_id_equals(owner)) == "proposer_user_id = :proposer_user_id_1"
    # a service account matches no row, not even rows without an owner (no ``IS NULL``)
    assert str(account.user_id_equals(owner)) == "false"
    with pytest.raises(AttributeError):
        account.id  # type: ignore[attr-defined]  # noqa: B018 - the raw id is no attribute
    with pytest.raises(ValueError):
        Principal(kind="robot", id=1)  # type: ignore[arg-type]


async def test_badge_proposals_of_a_user_are_not_a_twin_accounts(
    client: httpx.AsyncClient, world: World
) -> None:
    member = world["member"]
    r = await client.post(
        "/api/v1/badge-onboarding",
        json=full_canvas(world.network_a),
        headers=world.headers("member"),
    )
    assert r.status_code == 201, r.text
    url = f"/api/v1/badge-onboarding/{r.json()['id']}"
    twin = await twin_service_account(world.app, member.id, world.network_b)

    mine = await client.get("/api/v1/badge-onboarding", headers=world.headers("member"))
    assert [p["id"] for p in mine.json()["items"]] == [r.json()["id"]]
    theirs = await client.get("/api/v1/badge-onboarding", headers=twin)
    assert theirs.status_code == 200 and theirs.json()["items"] == [], theirs.text
    assert "hr@example.org" not in theirs.text
    assert (await client.get(url, headers=twin)).status_code == 404
    assert (await patch(client, url, {"name": "Taken"}, twin)).status_code == 404
    assert (await client.post(f"{url}/submit", headers=twin)).status_code == 404
    drafted = await client.post(
        "/api/v1/badge-onboarding", json=full_canvas(world.network_a), headers=twin
    )
    assert drafted.status_code == 403
    # the owner still owns it
    assert (await client.get(url, headers=world.headers("member"))).json()["name"] != "Taken"
    assert (await client.post(f"{url}/submit", headers=world.headers("member"))).status_code == 200


async def test_me_and_user_routes_do_not_take_a_twin_for_the_user(
    client: httpx.AsyncClient, world: World
) -> None:
    member = world["member"]
    twin = await twin_service_account(world.app, member.id, world.network_b)
    me = await client.get("/api/v1/me", headers=twin)
    assert me.status_code == 200
    assert me.json()["kind"] == "service_account" and me.json()["id"] == member.id
    assert me.json().get("email") is None and member.email not in me.text
    assert me.json()["roles"] == [] and me.json()["network_id"] == world.network_b
    assert (await client.get(f"/api/v1/users/{member.id}", headers=twin)).status_code == 403
    r = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": "anything at all", "new_password": "a new long password"},
        headers=twin,
    )
    assert r.status_code == 403
    own = await client.get(f"/api/v1/users/{member.id}", headers=world.headers("member"))
    assert own.status_code == 200 and own.json()["email"] == member.email


async def test_community_membership_is_not_a_twin_accounts(
    client: httpx.AsyncClient, world: World
) -> None:
    build = PartnerBuilder(client, world)
    community = await build.community()
    lead = await build.lead(community["id"])  # no network role: sees it as a member only
    twin = await twin_service_account(world.app, lead.id, world.network_b)
    url = f"/api/v1/communities/{community['id']}"
    assert (await client.get(url, headers=world.headers("lead"))).status_code == 200
    assert (await client.get(url, headers=twin)).status_code == 404
    assert (await client.get(f"{url}/members", headers=twin)).status_code == 404
    meeting = {"held_on": "2026-01-15", "title": "Kick-off"}
    r = await client.post(f"{url}/meetings", json=meeting, headers=twin)
    assert r.status_code == 404


async def test_evaluation_answer_of_a_user_is_not_a_twin_accounts(
    client: httpx.AsyncClient, world: World
) -> None:
    build = PartnerBuilder(client, world)
    programme = await build.programme()
    evaluation = await build.evaluation(programme["id"])
    name = await build.respondent()
    person = world[name]
    url = f"/api/v1/evaluations/{evaluation['id']}/responses"
    body = {"answers": {"confidence": 4}, "anonymous": True}
    for network in (world.network_a, world.network_b):
        async with world.app.state.cohesion.db.transaction() as session:
            stale = await session.get(ServiceAccount, person.id)
            if stale is not None:
                await session.delete(stale)
        twin = await twin_service_account(world.app, person.id, network)
        assert (await client.post(url, json=body, headers=twin)).status_code in (403, 404)
    # the person's one answer is still theirs to give
    r = await client.post(url, json=body, headers=world.headers(name))
    assert r.status_code == 201, r.text


async def test_every_route_of_mine_refuses_a_twin_account(
    client: httpx.AsyncClient, world: World
) -> None:
    """Every ``/me/…`` route (notifications, their settings, the calendar feed, the password,
    and any added later) is a person's own: a twin service account is refused, and the
    person's own answers are unchanged by its calls."""
    member = world["member"]
    mine = world.headers("member")
    before = (await client.get("/api/v1/me/notification-settings", headers=mine)).json()
    twin = await twin_service_account(world.app, member.id, world.network_b)
    routes = sorted((m, p) for m, p in api_routes(world.app) if p.startswith("/me/"))
    assert len(routes) >= 7, routes  # the walk found the routes
    for method, path in routes:
        url = "/api/v1" + path.replace("{notification_id}", "1")
        r = await client.request(method, url, json={}, headers=twin)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
    assert (await client.get("/api/v1/me/notification-settings", headers=mine)).json() == before
