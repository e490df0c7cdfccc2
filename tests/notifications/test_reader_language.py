"""Reminders and notification e-mails carry a network's content in the language the reader
reads (``language`` in the notification settings), where the network offers it."""

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from app.core.config import Settings
from app.mail.worker import MailWorker
from app.networks.models import Network
from app.notifications import reminders
from app.plans.models import Milestone, Plan
from tests.conftest import World
from tests.notifications.conftest import Inbox, deliver
from tests.notifications.test_reminders import AS_OF, milestones

API = "/api/v1"


async def offer_finnish(app: FastAPI, world: World, made: dict[str, int]) -> None:
    """Network A offers en and fi; the milestone due soon and the plan have Finnish titles."""
    async with app.state.cohesion.db.transaction() as session:
        await session.execute(
            update(Network)
            .where(Network.id == world.network_a)  # type: ignore[arg-type]
            .values(languages=["en", "fi"], default_language="en")
        )
        soon = await session.get(Milestone, made["soon"])
        assert soon is not None
        soon.translations = {"fi": {"title": "Virstanpylväs pian"}}
        plan = await session.get(Plan, soon.plan_id)
        assert plan is not None
        plan.translations = {"fi": {"title": "Toimintasuunnitelma 2026-27"}}
        session.add_all([soon, plan])


async def test_a_finnish_reader_gets_the_finnish_title(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    facilitator = world["facilitator"]
    chosen = await api.put(
        f"{API}/me/notification-settings", json={"language": "FI"}, headers=facilitator.headers
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["language"] == "fi"  # kept in its standard form
    assert chosen.json()["email"]["milestone_due_soon"] == "immediately"
    read_back = await api.get(f"{API}/me/notification-settings", headers=facilitator.headers)
    assert read_back.json() == chosen.json()
    # The chair reads the default; a member's wish for a language not offered falls back.
    spanish = await api.put(
        f"{API}/me/notification-settings",
        json={"language": "es"},
        headers=world.headers("chair"),
    )
    assert spanish.json()["language"] == "es"

    made = await milestones(notify_app, world, facilitator.id)
    await offer_finnish(notify_app, world, made)
    await reminders.run(notify_app.state.cohesion.db, notify_settings, as_of=AS_OF)
    await deliver(mailer)

    mine = {m["Subject"]: m for m in inbox.to(facilitator.email)}
    assert sorted(mine) == [
        "[Network of Networks] Due on 7 November 2026: Virstanpylväs pian",
        # no Finnish title: the default's text
        "[Network of Networks] Overdue since 30 October 2026: Milestone overdue",
    ]
    text = inbox.text(mine["[Network of Networks] Due on 7 November 2026: Virstanpylväs pian"])
    assert "Toimintasuunnitelma 2026-27" in text and "Action Plan 2026-27" not in text
    feed = await api.get(f"{API}/me/notifications", headers=facilitator.headers)
    assert "Virstanpylväs pian" in {i["title"][-18:] for i in feed.json()["items"]}

    chair = sorted(m["Subject"] for m in inbox.to(world["chair"].email))
    assert "[Network of Networks] Overdue since 30 October 2026: Milestone overdue" in chair
    assert not any("Virstanpylväs" in s for s in chair)


async def test_the_language_is_cleared_and_checked(api: httpx.AsyncClient, world: World) -> None:
    headers = world.headers("member")
    await api.put(f"{API}/me/notification-settings", json={"language": "fi"}, headers=headers)
    kept = await api.put(
        f"{API}/me/notification-settings",
        json={"email": {"measure_stale": "off"}},
        headers=headers,
    )
    assert kept.json()["language"] == "fi"  # not sent: left as it is
    cleared = await api.put(
        f"{API}/me/notification-settings", json={"language": None}, headers=headers
    )
    assert cleared.status_code == 200 and cleared.json()["language"] is None
    assert cleared.json()["email"]["measure_stale"] == "off"
    for bad in ("klingon-xx-yy-zz", "e", 7):
        response = await api.put(
            f"{API}/me/notification-settings", json={"language": bad}, headers=headers
        )
        assert response.status_code == 422, bad
    after = await api.get(f"{API}/me/notification-settings", headers=headers)
    assert after.json()["language"] is None
