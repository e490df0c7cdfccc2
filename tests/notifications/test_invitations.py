"""Appointing by e-mail: an invitation for a person without an account, the role at once for
one with an account, and the same answer to the chair either way."""

import httpx

from app.mail.worker import MailWorker
from tests.conftest import World
from tests.notifications.conftest import Inbox, audited, deliver

API = "/api/v1"
PASSWORD = "a fresh passphrase"


async def invite(
    api: httpx.AsyncClient, world: World, email: str, role: str = "facilitator", who: str = "chair"
) -> httpx.Response:
    return await api.post(
        f"{API}/networks/{world.network_a}/roles",
        json={"email": email, "role": role},
        headers=world.headers(who),
    )


async def test_a_chair_invites_a_new_facilitator_who_accepts(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    response = await invite(api, world, "New.Person@school.example")
    assert response.status_code == 202, response.text
    assert response.json() == {
        "email": "new.person@school.example",
        "role": "facilitator",
        "network_id": world.network_a,
        "offer": "role",
        "offer_title": "a facilitator",
        "status": "sent",
    }
    assert await deliver(mailer) == 1
    [message] = inbox.messages
    assert message["Subject"] == "[Network of Networks] You are invited to join Network of Networks"
    assert "https://portal.test" in inbox.text(message)
    token = inbox.token(message, "accept-invitation")

    accepted = await api.post(
        f"{API}/invitations/accept",
        json={"token": token, "name": "New Person", "password": PASSWORD},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["role"] == "facilitator"
    assert await audited(world, "invitations", "accept") == 1  # BY_EMAILED_TOKEN relies on it
    login = await api.post(
        f"{API}/auth/token",
        data={
            "grant_type": "password",
            "username": "new.person@school.example",
            "password": PASSWORD,
        },
    )
    assert login.status_code == 200
    me = await api.get(
        f"{API}/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert [(r["network_id"], r["role"]) for r in me.json()["roles"]] == [
        (world.network_a, "facilitator")
    ]
    again = await api.post(
        f"{API}/invitations/accept", json={"token": token, "name": "Else", "password": PASSWORD}
    )
    assert again.status_code == 422
    listed = await api.get(
        f"{API}/networks/{world.network_a}/invitations", headers=world.headers("chair")
    )
    [row] = listed.json()["items"]
    assert row["status"] == "accepted"
    assert "token" not in str(row) or "token_hash" not in row


async def test_an_existing_person_gets_the_role_and_the_same_answer(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    outsider = world["outsider"]
    new = await invite(api, world, "someone.new@test.example", role="member")
    known = await invite(api, world, outsider.email, role="member")
    assert new.status_code == known.status_code == 202
    assert set(new.json()) == set(known.json())
    assert {k: v for k, v in new.json().items() if k != "email"} == {
        k: v for k, v in known.json().items() if k != "email"
    }
    me = await api.get(f"{API}/me", headers=outsider.headers)
    assert [r["role"] for r in me.json()["roles"]] == ["member"]
    await deliver(mailer)
    [told] = inbox.to(outsider.email)
    assert told["Subject"] == "[Network of Networks] You are now a member in Network of Networks"
    feed = await api.get(f"{API}/me/notifications", headers=outsider.headers)
    assert [n["kind"] for n in feed.json()["items"]] == ["role_granted"]
    # Asking again changes nothing and answers the same.
    assert (await invite(api, world, outsider.email, role="member")).status_code == 202


async def test_resend_replaces_the_link_and_revoke_ends_it(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    await invite(api, world, "later@test.example")
    chair = world.headers("chair")
    [pending] = (
        await api.get(f"{API}/networks/{world.network_a}/invitations", headers=chair)
    ).json()["items"]
    resent = await api.post(
        f"{API}/networks/{world.network_a}/invitations/{pending['id']}/resend", headers=chair
    )
    assert resent.status_code == 200, resent.text
    assert resent.json()["sent_count"] == 2
    await deliver(mailer)
    first, second = (inbox.token(m, "accept-invitation") for m in inbox.messages)
    body = {"name": "Later", "password": PASSWORD}
    stale = await api.post(f"{API}/invitations/accept", json={"token": first, **body})
    assert stale.status_code == 422
    revoked = await api.delete(
        f"{API}/networks/{world.network_a}/invitations/{pending['id']}", headers=chair
    )
    assert revoked.status_code == 204
    ended = await api.post(f"{API}/invitations/accept", json={"token": second, **body})
    assert ended.status_code == 422


async def test_only_who_may_appoint_may_invite(api: httpx.AsyncClient, world: World) -> None:
    assert (await invite(api, world, "x@test.example", who="executive")).status_code == 403
    assert (await invite(api, world, "x@test.example", who="other_chair")).status_code == 404
    assert (await invite(api, world, "x@test.example", role="chair")).status_code == 403
    both = await api.post(
        f"{API}/networks/{world.network_a}/roles",
        json={"email": "x@test.example", "user_id": 1, "role": "member"},
        headers=world.headers("chair"),
    )
    assert both.status_code == 422
