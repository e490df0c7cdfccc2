"""The one invitation mechanism used by other domains: a community member added by e-mail,
and a badge canvas's initial members invited on approval."""

import httpx

from app.mail.worker import MailWorker
from tests.badges.helpers import submitted
from tests.conftest import World
from tests.notifications.conftest import Inbox, deliver

API = "/api/v1"
PASSWORD = "a fresh passphrase"


async def _community(api: httpx.AsyncClient, world: World) -> int:
    made = await api.post(
        f"{API}/networks/{world.network_a}/communities",
        json={"kind": "working_group", "title": "Digital Skills Working Group"},
        headers=world.headers("chair"),
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def _add(api: httpx.AsyncClient, world: World, community: int, email: str) -> httpx.Response:
    return await api.post(
        f"{API}/communities/{community}/members",
        json={"email": email, "role": "facilitator"},
        headers=world.headers("chair"),
    )


async def test_a_community_member_added_by_email_accepts_or_is_told(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    community = await _community(api, world)
    new = await _add(api, world, community, "Teacher@School.example")
    assert new.status_code == 202, new.text
    title = "a facilitator of the community \u201cDigital Skills Working Group\u201d"
    assert new.json() == {
        "email": "teacher@school.example",
        "network_id": world.network_a,
        "offer": "community_member",
        "offer_title": title,
        "role": None,
        "status": "sent",
    }
    outsider = world["outsider"]
    known = await _add(api, world, community, outsider.email)
    assert known.status_code == 202
    assert {k: v for k, v in new.json().items() if k != "email"} == {
        k: v for k, v in known.json().items() if k != "email"
    }
    await deliver(mailer)
    [invitation] = inbox.to("teacher@school.example")
    assert title in inbox.text(invitation)
    [told] = inbox.to(outsider.email)
    assert told["Subject"] == f"[Network of Networks] You are now {title} in Network of Networks"

    token = inbox.token(invitation, "accept-invitation")
    accepted = await api.post(
        f"{API}/invitations/accept",
        json={"token": token, "name": "Teacher", "password": PASSWORD},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["offer"] == "community_member"
    assert accepted.json()["role"] is None
    members = await api.get(
        f"{API}/communities/{community}/members", headers=world.headers("chair")
    )
    assert sorted((m["user_id"], m["role"]) for m in members.json()["items"]) == sorted(
        [(outsider.id, "facilitator"), (accepted.json()["user_id"], "facilitator")]
    )
    listed = await api.get(
        f"{API}/networks/{world.network_a}/invitations", headers=world.headers("chair")
    )
    [row] = listed.json()["items"]
    assert (row["offer"], row["offer_title"], row["status"]) == (
        "community_member",
        title,
        "accepted",
    )
    # Adding an existing member again answers the same and adds nothing.
    assert (await _add(api, world, community, outsider.email)).status_code == 202
    members = await api.get(
        f"{API}/communities/{community}/members", headers=world.headers("chair")
    )
    assert len(members.json()["items"]) == 2


async def test_only_who_runs_the_community_invites(api: httpx.AsyncClient, world: World) -> None:
    community = await _community(api, world)
    denied = await api.post(
        f"{API}/communities/{community}/members",
        json={"email": "x@test.example"},
        headers=world.headers("member"),
    )
    assert denied.status_code == 403
    both = await api.post(
        f"{API}/communities/{community}/members",
        json={"email": "x@test.example", "user_id": world["member"].id},
        headers=world.headers("chair"),
    )
    assert both.status_code == 422


async def test_a_canvas_initial_member_with_an_address_is_invited_on_approval(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    proposal = await submitted(api, world)
    approved = await api.post(
        f"{API}/badge-onboarding/{proposal['id']}/approve", headers=world.headers("chair")
    )
    assert approved.status_code == 200, approved.text
    network = approved.json()["network_id"]
    await deliver(mailer)
    # Seed 002's employer gave "hr@example.org" as the contact; the others gave none.
    [message] = inbox.messages
    assert message["To"] == "hr@example.org"
    assert message["Subject"] == (
        "[Open Badges for Migrant Skills England] You are invited to join "
        "Open Badges for Migrant Skills England"
    )
    token = inbox.token(message, "accept-invitation")
    accepted = await api.post(
        f"{API}/invitations/accept",
        json={"token": token, "name": "Committed Employer", "password": PASSWORD},
    )
    assert accepted.status_code == 201, accepted.text
    assert (accepted.json()["network_id"], accepted.json()["role"]) == (network, "member")
