"""The daily reminder run: a notification and a mail once per item, kind and due period (also
with two runs at once), webhook events, the feed, and digests."""

import asyncio
from datetime import date, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.mail.worker import MailWorker
from app.notifications import reminders
from app.notifications.models import Notification
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.conftest import World
from tests.notifications.conftest import Inbox, deliver

API = "/api/v1"
AS_OF = date(2026, 11, 2)  # a Monday


async def milestones(app: FastAPI, world: World, owner: int) -> dict[str, int]:
    """A plan in network A with one milestone due in 5 days, one overdue, one far ahead."""
    async with app.state.cohesion.db.transaction() as session:
        plan = Plan(
            network_id=world.network_a,
            title="Action Plan 2026-27",
            period_start=date(2026, 9, 1),
            period_end=date(2027, 8, 31),
            status="active",
        )
        session.add(plan)
        await session.flush()
        assert plan.id
        objective = Objective(plan_id=plan.id, code="1", kind="objective", title="Better VET")
        session.add(objective)
        await session.flush()
        assert objective.id
        action = Action(
            plan_id=plan.id, objective_id=objective.id, description="Run it", owner_user_id=owner
        )
        session.add(action)
        await session.flush()
        assert action.id
        made = {}
        for name, days in (("soon", 5), ("overdue", -3), ("later", 40)):
            milestone = Milestone(
                plan_id=plan.id,
                objective_id=objective.id,
                action_id=action.id,
                title=f"Milestone {name}",
                due_on=AS_OF + timedelta(days=days),
            )
            session.add(milestone)
            await session.flush()
            assert milestone.id
            made[name] = milestone.id
        session.add(
            Measure(
                plan_id=plan.id,
                objective_id=objective.id,
                description="Teachers trained",
                update_frequency="monthly",
            )
        )
    return made


async def count(app: FastAPI, model: type) -> int:
    async with app.state.cohesion.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_facilitator_is_reminded_once_and_sees_it_in_the_feed(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    facilitator = world["facilitator"]
    made = await milestones(notify_app, world, facilitator.id)
    db = notify_app.state.cohesion.db
    first = await reminders.run(db, notify_settings, as_of=AS_OF)
    assert first.counts["milestone.due_soon"] == 1
    assert first.counts["milestone.overdue"] == 1
    assert first.counts["measure.stale"] == 1
    second = await reminders.run(db, notify_settings, as_of=AS_OF)
    assert second.counts.get("milestone.due_soon", 0) == 0
    assert second.counts.get("notifications", 0) == 0
    await deliver(mailer)
    mine = inbox.to(facilitator.email)
    assert sorted(m["Subject"] for m in mine) == [
        "[Network of Networks] Due on 7 November 2026: Milestone soon",
        "[Network of Networks] Overdue since 30 October 2026: Milestone overdue",
    ]
    # The chair hears of the overdue milestone (and, with no community, of the stale measure).
    chair_subjects = sorted(m["Subject"] for m in inbox.to(world["chair"].email))
    assert chair_subjects == [
        "[Network of Networks] A reading is due: Teachers trained",
        "[Network of Networks] Overdue since 30 October 2026: Milestone overdue",
    ]

    feed = await api.get(f"{API}/me/notifications", headers=facilitator.headers)
    items = feed.json()["items"]
    assert [i["object_id"] for i in items] == [made["overdue"], made["soon"]]
    assert all(i["read_at"] is None for i in items)
    read = await api.post(
        f"{API}/me/notifications/{items[1]['id']}/read", headers=facilitator.headers
    )
    assert read.status_code == 200 and read.json()["read_at"]
    page = await api.get(f"{API}/me/notifications?limit=1", headers=facilitator.headers)
    assert page.json()["items"][0]["id"] == items[0]["id"]  # unread first
    rest = await api.get(
        f"{API}/me/notifications?limit=1&cursor={page.json()['next_cursor']}",
        headers=facilitator.headers,
    )
    assert rest.json()["items"][0]["id"] == items[1]["id"]
    assert rest.json()["next_cursor"] is None
    done = await api.post(f"{API}/me/notifications/read-all", headers=facilitator.headers)
    assert done.status_code == 204
    unread = await api.get(f"{API}/me/notifications?unread=true", headers=facilitator.headers)
    assert unread.json()["items"] == []
    # Nobody else reads or marks them.
    other = await api.post(
        f"{API}/me/notifications/{items[0]['id']}/read", headers=world.headers("member")
    )
    assert other.status_code == 404


async def test_two_runs_at_once_make_one_mail(
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    facilitator = world["facilitator"]
    await milestones(notify_app, world, facilitator.id)
    db = notify_app.state.cohesion.db
    await asyncio.gather(*(reminders.run(db, notify_settings, as_of=AS_OF) for _ in range(3)))
    await deliver(mailer)
    assert len(inbox.to(facilitator.email)) == 2
    assert await count(notify_app, Notification) == 4  # facilitator 2, chair 2


async def test_the_run_publishes_webhook_events_once(
    notify_app: FastAPI, notify_settings: Settings, world: World
) -> None:
    async with notify_app.state.cohesion.db.transaction() as session:
        session.add(
            WebhookSubscription(
                network_id=world.network_a,
                url="https://93.184.216.34/hooks",
                event_types=["milestone.*", "measure.stale"],
            )
        )
    await milestones(notify_app, world, world["facilitator"].id)
    db = notify_app.state.cohesion.db
    await reminders.run(db, notify_settings, as_of=AS_OF)
    await reminders.run(db, notify_settings, as_of=AS_OF)
    async with db.transaction() as session:
        types = sorted((await session.scalars(select(WebhookDelivery.event_type))).all())
    assert types == ["measure.stale", "milestone.due_soon", "milestone.overdue"]


async def test_digests_group_by_network(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    facilitator = world["facilitator"]
    settings = await api.put(
        f"{API}/me/notification-settings",
        json={"email": {"milestone_due_soon": "daily", "milestone_overdue": "weekly"}},
        headers=facilitator.headers,
    )
    assert settings.status_code == 200, settings.text
    assert settings.json()["email"]["milestone_due_soon"] == "daily"
    assert settings.json()["email"]["measure_stale"] == "immediately"
    read_back = await api.get(f"{API}/me/notification-settings", headers=facilitator.headers)
    assert read_back.json() == settings.json()
    await milestones(notify_app, world, facilitator.id)
    db = notify_app.state.cohesion.db
    await reminders.run(db, notify_settings, as_of=AS_OF)  # a Monday: weekly ones too
    await reminders.run(db, notify_settings, as_of=AS_OF)
    await deliver(mailer)
    [digest] = inbox.to(facilitator.email)
    assert digest["Subject"] == "[Network of Networks] Your daily summary"
    text = inbox.text(digest)
    assert "Network of Networks" in text
    assert "Milestone soon" in text and "Milestone overdue" in text


async def test_bad_settings_are_refused(api: httpx.AsyncClient, world: World) -> None:
    for body in ({"email": {"milestone_due_soon": "hourly"}}, {"email": {"nope": "daily"}}, {}):
        response = await api.put(
            f"{API}/me/notification-settings", json=body, headers=world.headers("member")
        )
        assert response.status_code == 422, body
