"""Issue 19's "Done when", end to end through the API and a real SMTP server (aiosmtpd) in
the test process: a chair invites a new facilitator, who sets a password from the e-mail and
logs in; a reminder run before a milestone falls due mails them and the item is in their
feed; a member subscribes to the community's meetings (the .ics parses with ``icalendar``)."""

import httpx
from fastapi import FastAPI
from icalendar import Calendar

from app.core.config import Settings
from app.mail.worker import MailWorker
from app.notifications import reminders
from tests.conftest import World
from tests.notifications.conftest import Inbox, deliver
from tests.notifications.test_reminders import AS_OF, milestones

API = "/api/v1"
EMAIL = "morag.campbell@glasgowkelvin.example"
PASSWORD = "a passphrase of her own"


async def test_done_when(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    chair = world.headers("chair")
    # 1. The chair invites a new facilitator by e-mail.
    invited = await api.post(
        f"{API}/networks/{world.network_a}/roles",
        json={"email": EMAIL, "role": "facilitator"},
        headers=chair,
    )
    assert invited.status_code == 202, invited.text
    assert await deliver(mailer) == 1
    [invitation] = inbox.to(EMAIL)
    token = inbox.token(invitation, "accept-invitation")

    # 2. She sets a password from the e-mail, and logs in.
    accepted = await api.post(
        f"{API}/invitations/accept",
        json={"token": token, "name": "Morag Campbell", "password": PASSWORD},
    )
    assert accepted.status_code == 201, accepted.text
    user_id = accepted.json()["user_id"]
    login = await api.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": EMAIL, "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    morag = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = (await api.get(f"{API}/me", headers=morag)).json()
    assert [(r["network_id"], r["role"]) for r in me["roles"]] == [(world.network_a, "facilitator")]

    # 3. She owns an action whose milestone falls due in 5 days: the reminder run mails her
    # and the item is in her feed.
    made = await milestones(notify_app, world, user_id)
    summary = await reminders.run(notify_app.state.cohesion.db, notify_settings, as_of=AS_OF)
    assert summary.counts["milestone.due_soon"] == 1
    await deliver(mailer)
    subjects = sorted(m["Subject"] for m in inbox.to(EMAIL)[1:])
    assert "[Network of Networks] Due on 7 November 2026: Milestone soon" in subjects
    feed = (await api.get(f"{API}/me/notifications", headers=morag)).json()["items"]
    assert (made["soon"], "milestone_due_soon") in {(n["object_id"], n["kind"]) for n in feed}

    # 4. A member subscribes to the community's meetings.
    community = await api.post(
        f"{API}/networks/{world.network_a}/communities",
        json={"kind": "community_of_practice", "title": "Digital VET Community of Practice"},
        headers=chair,
    )
    community_id = community.json()["id"]
    joined = await api.post(
        f"{API}/communities/{community_id}/members",
        json={"user_id": world["member"].id},
        headers=chair,
    )
    assert joined.status_code == 201, joined.text
    planned = await api.post(
        f"{API}/communities/{community_id}/meetings",
        json={
            "title": "Autumn meeting",
            "starts_at": "2026-11-05T14:00:00Z",
            "ends_at": "2026-11-05T15:30:00Z",
            "location": "Room 4, Glasgow Kelvin College",
            "agenda": "1. Welcome\n2. Pilots",
        },
        headers=chair,
    )
    assert planned.status_code == 201, planned.text
    ics = await api.get(
        f"{API}/communities/{community_id}/meetings.ics", headers=world.headers("member")
    )
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["summary"]) == "Autumn meeting"
    assert str(event["location"]) == "Room 4, Glasgow Kelvin College"
    assert event.decoded("dtstart").isoformat() == "2026-11-05T14:00:00+00:00"
    assert event.decoded("dtend").isoformat() == "2026-11-05T15:30:00+00:00"
