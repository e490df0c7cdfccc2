"""A network's own reminder lead time (``reminder_days_ahead``), and partnerships due for
review as reminders (once per partnership and review date)."""

from datetime import date, timedelta

import httpx
from fastapi import FastAPI

from app.core.config import Settings
from app.mail.worker import MailWorker
from app.notifications import reminders
from app.organisations.models import Organisation
from app.partnerships.models import Partnership
from tests.conftest import World
from tests.notifications.conftest import Inbox, deliver
from tests.notifications.test_reminders import AS_OF, milestones

API = "/api/v1"


async def test_a_network_sets_how_far_ahead_it_is_reminded(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    chair = world.headers("chair")
    url = f"{API}/networks/{world.network_a}"
    current = await api.get(url, headers=chair)
    assert current.json()["reminder_days_ahead"] is None  # the server's default, 14
    bad = await api.patch(
        url, json={"reminder_days_ahead": 0}, headers={**chair, "If-Match": current.headers["ETag"]}
    )
    assert bad.status_code == 422
    changed = await api.patch(
        url,
        json={"reminder_days_ahead": 45},
        headers={**chair, "If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["reminder_days_ahead"] == 45
    facilitator = world["facilitator"]
    made = await milestones(notify_app, world, facilitator.id)
    summary = await reminders.run(notify_app.state.cohesion.db, notify_settings, as_of=AS_OF)
    # "later" (40 days ahead) is due soon with 45 days, not with the default 14.
    assert summary.counts["milestone.due_soon"] == 2
    feed = await api.get(f"{API}/me/notifications", headers=facilitator.headers)
    assert made["later"] in {n["object_id"] for n in feed.json()["items"]}
    await deliver(mailer)
    assert len(inbox.to(facilitator.email)) == 3


async def test_a_partnership_due_for_review_reminds_the_chair_once(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    async with notify_app.state.cohesion.db.transaction() as session:
        college = Organisation(name="Glasgow Kelvin College", kind="vet_college")
        session.add(college)
        await session.flush()
        assert college.id
        for days, status in ((10, "active"), (30, "active"), (5, "ended")):
            session.add(
                Partnership(
                    network_id=world.network_a,
                    organisation_id=college.id,
                    sector="public",
                    direction="inbound",
                    scope="local",
                    start_on=date(2025, 1, 1),
                    review_on=AS_OF + timedelta(days=days),
                    status=status,
                )
            )
    db = notify_app.state.cohesion.db
    first = await reminders.run(db, notify_settings, as_of=AS_OF)
    assert first.counts["partnership.review"] == 1  # only the active one within 14 days
    again = await reminders.run(db, notify_settings, as_of=AS_OF + timedelta(days=1))
    assert again.counts.get("partnership.review", 0) == 0
    await deliver(mailer)
    [message] = inbox.to(world["chair"].email)
    assert message["Subject"] == (
        "[Network of Networks] Review due on 12 November 2026: the partnership with "
        "Glasgow Kelvin College"
    )
    feed = await api.get(f"{API}/me/notifications", headers=world.headers("chair"))
    assert [n["kind"] for n in feed.json()["items"]] == ["partnership_review"]
