"""Deliveries end to end: API writes queue signed deliveries, the worker sends them to a real
HTTP receiver on 127.0.0.1, retries with backoff, survives being killed, and disables a
subscription that fails for a day."""

from collections import Counter
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.core.db import utcnow
from app.webhooks.models import WebhookDelivery
from app.webhooks.worker import WebhookWorker, claim_due
from tests.conftest import World
from tests.webhooks.helpers import Hooks, Receiver, verify


async def pending_count(app: FastAPI) -> int:
    async with app.state.cohesion.db.transaction(write=False) as session:
        count = await session.scalar(
            select(func.count()).where(WebhookDelivery.status == "pending")  # type: ignore[arg-type]
        )
    return int(count or 0)


async def test_a_receiver_gets_exactly_one_signed_delivery_per_event(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver, world: World
) -> None:
    webhook = await hooks.subscribe(receiver.url(), event_types=["plan.*"])
    secret = webhook["secret"]
    assert secret.startswith("whsec_")
    plan = await hooks.plan()
    await hooks.call("PATCH", f"/plans/{plan['id']}", json={"title": "Renamed"})

    assert await worker.process_due() == 2
    assert await worker.process_due() == 0
    assert len(receiver.requests) == 2
    created, updated = sorted(receiver.requests, key=lambda r: r.json["type"])
    for received in (created, updated):
        assert verify(secret, received.headers, received.body)
        assert received.headers["content-type"] == "application/json"
        assert received.headers["webhook-id"] == received.json["id"]
        assert received.headers["webhook-id"].startswith("msg_")
        assert abs(int(received.headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
        assert not verify(secret.replace("whsec_", "whsec_A"), received.headers, received.body)
    body = created.json
    assert set(body) == {"id", "type", "occurred_at", "network_id", "data"}
    assert body["type"] == "plan.created"
    assert body["network_id"] == world.network_a
    assert body["data"]["id"] == plan["id"]
    assert body["data"]["title"] == "Action Plan 2021-22"
    assert body["occurred_at"].endswith("Z")
    assert updated.json["type"] == "plan.updated"
    assert updated.json["data"]["title"] == "Renamed"
    assert created.webhook_id != updated.webhook_id

    log = await hooks.deliveries(webhook["id"])
    assert [d["event_type"] for d in log] == ["plan.updated", "plan.created"]  # newest first
    for entry in log:
        assert entry["status"] == "delivered"
        assert entry["attempts"] == 1
        assert entry["last_status_code"] == 200
        assert entry["last_duration_ms"] >= 0
        assert entry["last_error"] is None
        assert entry["next_attempt_at"] is None
        assert entry["delivered_at"] is not None
        assert entry["webhook_id"] == webhook["id"]
    assert {d["message_id"] for d in log} == {r.webhook_id for r in receiver.requests}


async def test_the_secret_is_shown_once_and_rotation_signs_with_both_for_a_while(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver
) -> None:
    webhook = await hooks.subscribe(receiver.url())
    old = webhook["secret"]
    read = await hooks.call("GET", f"/webhooks/{webhook['id']}")
    assert "secret" not in read
    listed = await hooks.call("GET", f"/networks/{webhook['network_id']}/webhooks")
    assert [w["id"] for w in listed["items"]] == [webhook["id"]]
    assert "secret" not in listed["items"][0]
    audit = await hooks.call("GET", f"/audit-events?network_id={webhook['network_id']}")
    assert old not in str(audit)

    rotated = await hooks.call("POST", f"/webhooks/{webhook['id']}/rotate-secret")
    new = rotated["secret"]
    assert new != old and new.startswith("whsec_")
    await hooks.plan()
    assert await worker.process_due() == 1
    received = receiver.requests[-1]
    assert received.headers["webhook-signature"].count("v1,") == 2
    assert verify(new, received.headers, received.body)
    assert verify(old, received.headers, received.body)

    newest = await hooks.call(
        "POST", f"/webhooks/{webhook['id']}/rotate-secret", json={"keep_previous_hours": 0}
    )
    await hooks.plan()
    assert await worker.process_due() == 1
    received = receiver.requests[-1]
    assert received.headers["webhook-signature"].count("v1,") == 1
    assert verify(newest["secret"], received.headers, received.body)
    assert not verify(new, received.headers, received.body)
    assert not verify(old, received.headers, received.body)
    audit = await hooks.call("GET", f"/audit-events?network_id={webhook['network_id']}")
    assert not {old, new, newest["secret"]} & set(str(audit).split("'"))


async def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver
) -> None:
    receiver.script("/flaky", 500, 503)
    webhook = await hooks.subscribe(receiver.url("/flaky"), event_types=["plan.created"])
    await hooks.plan()
    start = utcnow()

    assert await worker.process_due(now=start) == 1
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "pending"
    assert (entry["attempts"], entry["last_status_code"]) == (1, 500)
    assert entry["last_error"] == "HTTP 500: receiver says 500"
    assert entry["next_attempt_at"] is not None

    assert await worker.process_due(now=start + timedelta(seconds=3)) == 0  # backoff: 5 s
    assert await worker.process_due(now=start + timedelta(seconds=6)) == 1
    [entry] = await hooks.deliveries(webhook["id"])
    assert (entry["attempts"], entry["last_status_code"]) == (2, 503)
    assert await worker.process_due(now=start + timedelta(seconds=30)) == 0  # then 30 s
    assert await worker.process_due(now=start + timedelta(seconds=37)) == 1

    [entry] = await hooks.deliveries(webhook["id"])
    assert (entry["status"], entry["attempts"], entry["last_status_code"]) == ("delivered", 3, 200)
    assert entry["last_error"] is None
    assert [r.webhook_id for r in receiver.requests] == [entry["message_id"]] * 3
    assert len({r.body for r in receiver.requests}) == 1  # the same message every time
    assert verify(webhook["secret"], receiver.requests[-1].headers, receiver.requests[-1].body)
    read = await hooks.call("GET", f"/webhooks/{webhook['id']}")
    assert read["active"] is True and read["failing_since"] is None


async def test_a_worker_killed_mid_batch_loses_nothing(
    hook_app: FastAPI,
    hooks: Hooks,
    worker: WebhookWorker,
    receiver: Receiver,
    hook_settings: Settings,
) -> None:
    webhook = await hooks.subscribe(receiver.url(), event_types=["plan.created"])
    for _ in range(3):
        await hooks.plan()
    db = hook_app.state.cohesion.db
    now = utcnow()
    lease = timedelta(seconds=hook_settings.webhooks_lease_seconds)

    # 1. Killed inside the claiming transaction: it rolls back, the rows are still due.
    async with db.session(write=True) as session:
        await session.begin()
        claimed = await claim_due(session, now=now, limit=10, lease_seconds=60)
        assert len(claimed) == 3
        await session.rollback()
    assert await worker.process_due(now=now) == 3
    assert Counter(r.webhook_id for r in receiver.requests) == Counter(
        {d["message_id"]: 1 for d in await hooks.deliveries(webhook["id"])}
    )

    # 2. Killed after claiming (committed) but before sending: due again after the lease.
    await hooks.plan()
    later = utcnow()
    async with db.transaction() as session:
        assert len(await claim_due(session, now=later, limit=10, lease_seconds=60)) == 1
    assert await worker.process_due(now=later) == 0  # leased to the dead worker
    assert await worker.process_due(now=later + timedelta(seconds=61)) == 1
    assert len(receiver.requests) == 4

    # 3. Killed after sending but before recording: sent again with the same Webhook-Id.
    await hooks.plan()
    last = utcnow()
    jobs = await worker.claim(now=last)
    assert len(jobs) == 1
    await worker.send_all(jobs)  # ... and the worker dies here
    assert len(receiver.requests) == 5
    assert await worker.process_due(now=last + lease + timedelta(seconds=1)) == 1
    assert len(receiver.requests) == 6
    assert receiver.requests[-1].webhook_id == receiver.requests[-2].webhook_id

    log = await hooks.deliveries(webhook["id"])
    assert len(log) == 5 and {d["status"] for d in log} == {"delivered"}
    # A receiver deduping on Webhook-Id sees every event exactly once.
    assert {r.webhook_id for r in receiver.requests} == {d["message_id"] for d in log}
    assert await pending_count(hook_app) == 0


async def test_two_workers_never_claim_the_same_delivery(
    hook_app: FastAPI, hooks: Hooks, receiver: Receiver
) -> None:
    await hooks.subscribe(receiver.url(), event_types=["plan.created"])
    for _ in range(4):
        await hooks.plan()
    db = hook_app.state.cohesion.db
    now = utcnow()
    async with db.transaction() as first:
        one = await claim_due(first, now=now, limit=2, lease_seconds=60)
    async with db.transaction() as second:
        two = await claim_due(second, now=now, limit=10, lease_seconds=60)
    assert len(one) == 2 and len(two) == 2
    assert not {j.delivery_id for j in one} & {j.delivery_id for j in two}


async def test_concurrent_claims_skip_locked_rows(
    hook_app: FastAPI, hooks: Hooks, receiver: Receiver
) -> None:
    """PostgreSQL: while one worker's claim is still open, another takes the other rows
    (FOR UPDATE SKIP LOCKED) instead of waiting or taking the same ones. SQLite serialises
    the two claims instead (BEGIN IMMEDIATE), which the test above covers."""
    db = hook_app.state.cohesion.db
    if db.settings.is_sqlite:
        pytest.skip("SQLite has one writer at a time: claims cannot overlap")
    await hooks.subscribe(receiver.url(), event_types=["plan.created"])
    for _ in range(4):
        await hooks.plan()
    now = utcnow()
    async with db.transaction() as first:
        one = await claim_due(first, now=now, limit=2, lease_seconds=60)
        async with db.transaction() as second:
            two = await claim_due(second, now=now, limit=10, lease_seconds=60)
    assert len(one) == 2 and len(two) == 2
    assert not {j.delivery_id for j in one} & {j.delivery_id for j in two}


async def test_a_subscription_on_a_never_receives_b_events(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver, world: World
) -> None:
    on_a = await hooks.subscribe(receiver.url("/a"))
    tree_a = await hooks.subscribe(receiver.url("/tree"), include_descendants=True)
    on_b = await hooks.subscribe(receiver.url("/b"), world.network_b, who="other_chair")
    on_child = await hooks.subscribe(receiver.url("/child"), world.child_a, who="admin")

    plan_a = await hooks.plan(world.network_a)
    plan_child = await hooks.plan(world.child_a, who="admin")
    plan_b = await hooks.plan(world.network_b, who="other_chair")
    while await worker.process_due():
        pass

    def seen(path: str) -> set[tuple[int, int]]:
        return {(r.json["network_id"], r.json["data"]["id"]) for r in receiver.at(path)}

    assert seen("/a") == {(world.network_a, plan_a["id"])}
    assert seen("/tree") == {(world.network_a, plan_a["id"]), (world.child_a, plan_child["id"])}
    assert seen("/child") == {(world.child_a, plan_child["id"])}
    assert seen("/b") == {(world.network_b, plan_b["id"])}
    for webhook, path in [(on_a, "/a"), (tree_a, "/tree"), (on_b, "/b"), (on_child, "/child")]:
        for received in receiver.at(path):
            assert verify(webhook["secret"], received.headers, received.body)
    # Each secret is its own: A's secret does not verify B's messages.
    assert not verify(on_a["secret"], receiver.at("/b")[0].headers, receiver.at("/b")[0].body)


async def test_paused_and_deleted_subscriptions_get_nothing(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver
) -> None:
    paused = await hooks.subscribe(receiver.url("/paused"), active=False)
    deleted = await hooks.subscribe(receiver.url("/deleted"))
    await hooks.call("DELETE", f"/webhooks/{deleted['id']}", expect=204)
    await hooks.plan()
    assert await worker.process_due() == 0
    assert receiver.requests == []
    assert await hooks.deliveries(paused["id"]) == []
    await hooks.call("GET", f"/webhooks/{deleted['id']}", expect=404)
    restored = await hooks.call("POST", f"/webhooks/{deleted['id']}/restore")
    assert restored["active"] is True
    await hooks.plan()
    assert await worker.process_due() == 1
    assert [r.path for r in receiver.requests] == ["/deleted"]


async def test_a_subscription_failing_for_a_day_is_disabled_and_can_be_re_enabled(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver
) -> None:
    receiver.script("/down", *([500] * 20))
    webhook = await hooks.subscribe(receiver.url("/down"), event_types=["plan.created"])
    await hooks.plan()
    start = utcnow()
    assert await worker.process_due(now=start) == 1
    read = await hooks.call("GET", f"/webhooks/{webhook['id']}")
    assert read["active"] is True and read["failing_since"] is not None

    # Every retry fails until an attempt a day after the first: then failed, and disabled.
    moment = start
    for _ in range(30):
        [entry] = await hooks.deliveries(webhook["id"])
        if entry["status"] != "pending":
            break
        moment = moment + timedelta(hours=4, seconds=1)
        await worker.process_due(now=moment)
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "failed"
    assert entry["next_attempt_at"] is None
    assert 2 < entry["attempts"] < 12
    read = await hooks.call("GET", f"/webhooks/{webhook['id']}")
    assert read["active"] is False
    assert read["disabled_at"] is not None
    assert "failed" in read["disabled_reason"] and "HTTP 500" in read["disabled_reason"]
    audit = await hooks.call(
        "GET",
        f"/audit-events?network_id={webhook['network_id']}&object_type=webhook_subscriptions",
    )
    disable = [e for e in audit["items"] if e["action"] == "disable"]
    assert [e["actor_kind"] for e in disable] == ["system"]

    # Nothing is queued while it is disabled; a redelivery waits for re-enabling.
    await hooks.plan()
    redeliver = f"/webhooks/{webhook['id']}/deliveries/{entry['id']}/redeliver"
    await hooks.call("POST", redeliver, expect=409)
    enabled = await hooks.call("PATCH", f"/webhooks/{webhook['id']}", json={"active": True})
    assert enabled["disabled_reason"] is None and enabled["failing_since"] is None
    receiver.script("/down")
    again = await hooks.call("POST", redeliver)
    assert (again["status"], again["id"]) == ("pending", entry["id"])
    assert await worker.process_due() == 1
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "delivered"
    assert receiver.requests[-1].webhook_id == entry["message_id"]  # the same Webhook-Id


async def test_redelivering_sends_the_same_message_again(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver
) -> None:
    webhook = await hooks.subscribe(receiver.url(), event_types=["plan.*"])
    await hooks.plan()
    await worker.process_due()
    [entry] = await hooks.deliveries(webhook["id"])
    again = await hooks.call(
        "POST", f"/webhooks/{webhook['id']}/deliveries/{entry['id']}/redeliver"
    )
    assert again["status"] == "pending" and again["delivered_at"] is None
    assert await worker.process_due() == 1
    first, second = receiver.requests
    assert (first.webhook_id, first.body) == (second.webhook_id, second.body)
    [entry] = await hooks.deliveries(webhook["id"])
    assert (entry["status"], entry["attempts"]) == ("delivered", 2)
    other = await hooks.subscribe(receiver.url("/other"))
    await hooks.call(
        "POST", f"/webhooks/{other['id']}/deliveries/{entry['id']}/redeliver", expect=404
    )


async def test_redirects_are_not_followed(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver
) -> None:
    receiver.script("/moved", 302)
    webhook = await hooks.subscribe(receiver.url("/moved"))
    await hooks.plan()
    assert await worker.process_due() == 1
    assert [r.path for r in receiver.requests] == ["/moved"]
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "pending" and entry["last_status_code"] == 302
    assert "not followed" in entry["last_error"]


async def test_a_slow_receiver_times_out(
    hook_app: FastAPI, hooks: Hooks, receiver: Receiver, hook_settings: Settings
) -> None:
    quick = hook_settings.model_copy(update={"webhooks_timeout_seconds": 0.3})
    worker = WebhookWorker(hook_app.state.cohesion.db, quick)
    receiver.delay = 1.0
    try:
        webhook = await hooks.subscribe(receiver.url())
        await hooks.plan()
        assert await worker.process_due() == 1
    finally:
        await worker.aclose()
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "pending"
    assert entry["last_status_code"] is None
    assert entry["last_error"] == "timed out after 0.3 s"


async def test_a_target_is_checked_again_when_sending(
    hook_app: FastAPI, hooks: Hooks, receiver: Receiver, hook_settings: Settings
) -> None:
    """A URL accepted earlier (here: while private targets were allowed) that now resolves to
    a private address is refused at send time: a failed attempt, nothing sent."""
    webhook = await hooks.subscribe(receiver.url())
    await hooks.plan()
    strict = hook_settings.model_copy(update={"webhooks_allow_private_targets": False})
    worker = WebhookWorker(hook_app.state.cohesion.db, strict)
    try:
        assert await worker.process_due() == 1
    finally:
        await worker.aclose()
    assert receiver.requests == []
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "pending" and entry["attempts"] == 1
    assert entry["last_error"].startswith("refused: webhooks may not be sent to 127.0.0.1")


async def test_plan_progress_publishes_the_documented_events(
    hooks: Hooks, worker: WebhookWorker, receiver: Receiver, world: World
) -> None:
    webhook = await hooks.subscribe(
        receiver.url(),
        event_types=[
            "action.*",
            "milestone.achieved",
            "milestone.evidence_recorded",
            "measure.reading_recorded",
            "role.*",
            "member.*",
            "network.updated",
        ],
    )
    plan = await hooks.plan()
    objective = await hooks.call(
        "POST", f"/plans/{plan['id']}/objectives", json={"code": "1", "title": "Grow"}, expect=201
    )
    action = await hooks.call(
        "POST",
        f"/objectives/{objective['id']}/actions",
        json={"description": "Set up a group"},
        expect=201,
    )
    await hooks.call(
        "PATCH", f"/actions/{action['id']}", "facilitator", json={"status": "in_progress"}
    )
    await hooks.call("PATCH", f"/actions/{action['id']}", json={"description": "Set up groups"})
    milestone = await hooks.call(
        "POST", f"/objectives/{objective['id']}/milestones", json={"title": "Launch"}, expect=201
    )
    await hooks.call(
        "PATCH", f"/milestones/{milestone['id']}", "facilitator", json={"status": "achieved"}
    )
    await hooks.call(
        "POST",
        f"/milestones/{milestone['id']}/evidence",
        "facilitator",
        json={"kind": "note", "text": "Launched"},
        expect=201,
    )
    measure = await hooks.call(
        "POST",
        f"/objectives/{objective['id']}/measures",
        json={"description": "Groups"},
        expect=201,
    )
    await hooks.call(
        "POST",
        f"/measures/{measure['id']}/readings",
        "facilitator",
        json={"value": 3, "observed_on": "2022-01-31"},
        expect=201,
    )
    role = await hooks.call(
        "POST",
        f"/networks/{world.network_a}/roles",
        json={"user_id": world["outsider"].id, "role": "member"},
        expect=201,
    )
    await hooks.call("POST", f"/roles/{role['id']}/end", json={})
    await hooks.call("PATCH", f"/networks/{world.network_a}", json={"description": "Changed"})
    while await worker.process_due():
        pass

    types = [r.json["type"] for r in receiver.requests]
    assert Counter(types) == Counter(
        {
            "action.created": 1,
            "action.updated": 2,
            "action.status_changed": 1,
            "milestone.achieved": 1,
            "milestone.evidence_recorded": 1,
            "measure.reading_recorded": 1,
            "role.assigned": 1,
            "role.ended": 1,
            "network.updated": 1,
        }
    )
    changed = next(r.json for r in receiver.requests if r.json["type"] == "action.status_changed")
    assert (changed["data"]["id"], changed["data"]["status"]) == (action["id"], "in_progress")
    log = await hooks.deliveries(webhook["id"])
    assert {d["status"] for d in log} == {"delivered"}
