"""The one event list: documented, mapped from audited writes, matched by patterns; and the
outbox written with the change, in its transaction."""

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.auth.policy import Principal
from app.core import audit
from app.models import metadata
from app.networks.models import Network
from app.webhooks import events, signing
from app.webhooks.models import WebhookDelivery
from app.webhooks.service import enqueue_for_audit
from tests.conftest import World
from tests.webhooks.helpers import API, Hooks

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def test_the_documented_list_is_the_list() -> None:
    rows = re.findall(r"^\| `([a-z_.]+)` \| (.+) \|$", DOCS.read_text(), re.MULTILINE)
    assert dict(rows) == events.EVENT_TYPES
    assert [t for t, _ in rows] == list(events.EVENT_TYPES)


def test_every_rule_is_about_a_real_table() -> None:
    tables = {table for table, _ in events.EVENT_RULES}
    assert tables <= set(metadata.tables), tables - set(metadata.tables)


async def test_the_event_type_list_is_served(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(f"{API}/webhook-event-types", headers=world.headers("member"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["type"] for i in items] == list(events.EVENT_TYPES)


@pytest.mark.parametrize(
    ("table", "action", "before", "after", "expected"),
    [
        ("plans", "create", None, {"id": 1}, ["plan.created"]),
        ("plans", "import", None, {"id": 1}, ["plan.created"]),
        ("plans", "delete", {"id": 1}, {"id": 1}, ["plan.deleted"]),
        ("actions", "update", {"status": "planned"}, {"status": "planned"}, ["action.updated"]),
        (
            "actions",
            "update",
            {"status": "planned"},
            {"status": "done"},
            ["action.updated", "action.status_changed"],
        ),
        (
            "milestones",
            "update",
            {"status": "pending"},
            {"status": "pending"},
            ["milestone.updated"],
        ),
        (
            "milestones",
            "update",
            {"status": "pending"},
            {"status": "achieved"},
            ["milestone.updated", "milestone.achieved"],
        ),
        (
            "milestones",
            "update",
            {"status": "achieved"},
            {"status": "achieved"},
            ["milestone.updated"],
        ),
        (
            "milestones",
            "create",
            None,
            {"status": "achieved"},
            ["milestone.created", "milestone.achieved"],
        ),
        ("measure_readings", "create", None, {}, ["measure.reading_recorded"]),
        ("milestone_evidence", "create", None, {}, ["milestone.evidence_recorded"]),
        ("role_assignments", "create", None, {}, ["role.assigned"]),
        ("role_assignments", "end", {}, {}, ["role.ended"]),
        ("network_memberships", "create", None, {}, ["member.joined"]),
        ("network_memberships", "end", {}, {}, ["member.left"]),
        ("mobility_count_batches", "post_counts", None, {}, ["mobility.counts_posted"]),
        ("community_members", "create", None, {}, ["community.member_joined"]),
        ("badge_awards", "create", None, {}, ["badge.awarded"]),
        ("users", "create", None, {}, []),
        ("service_accounts", "rotate", {}, {}, []),
        ("webhook_subscriptions", "create", None, {}, []),
        ("plans", "frobnicate", None, {}, []),
    ],
)
def test_audited_writes_map_to_event_types(table, action, before, after, expected) -> None:
    assert events.event_types_for(table, action, before, after) == expected


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        (["*"], "plan.created", True),
        (["plan.*"], "plan.created", True),
        (["plan.*"], "objective.created", False),
        (["objective.*"], "objective.deleted", True),
        (["action.status_changed"], "action.updated", False),
        (["action.status_changed", "milestone.achieved"], "milestone.achieved", True),
        ([], "plan.created", False),
    ],
)
def test_patterns(patterns: list[str], event_type: str, expected: bool) -> None:
    assert events.matches(patterns, event_type) is expected


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [("*", True), ("plan.*", True), ("badge.awarded", True), ("plan", False), ("x.*", False)],
)
def test_pattern_validation(pattern: str, valid: bool) -> None:
    assert (events.pattern_problem(pattern) is None) is valid


def test_secrets_have_the_standard_format() -> None:
    import base64

    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert signing.new_secret() != secret


async def deliveries(app: FastAPI) -> int:
    async with app.state.cohesion.db.transaction(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


async def test_the_outbox_row_is_part_of_the_changes_transaction(
    hook_app: FastAPI, hooks: Hooks, world: World
) -> None:
    await hooks.subscribe("http://127.0.0.1:9/")
    admin = Principal(kind="user", id=world.admin.id, is_admin=True)
    async with hook_app.state.cohesion.db.session(write=True) as session:
        await session.begin()
        network = await session.get(Network, world.network_a)
        assert network is not None
        before = audit.snapshot(network)
        network.description = "Rolled back"
        session.add(network)
        await audit.record(
            session, admin, action="update", obj=network, network_id=network.id, before=before
        )
        await session.flush()
        pending = await session.scalar(select(func.count()).select_from(WebhookDelivery))
        assert pending == 1
        await session.rollback()
    assert await deliveries(hook_app) == 0  # rolled back with the change

    response = await hooks.client.patch(
        f"{API}/networks/{world.network_a}",
        json={"description": "Kept"},
        headers={**world.headers("chair"), "If-Match": "*"},
    )
    assert response.status_code == 200
    assert await deliveries(hook_app) == 1


async def test_events_without_a_network_are_not_published(hook_app: FastAPI, hooks: Hooks) -> None:
    await hooks.subscribe("http://127.0.0.1:9/")
    async with hook_app.state.cohesion.db.transaction() as session:
        event = audit.AuditEvent(
            actor_kind="user",
            actor_id=1,
            network_id=None,
            object_type="plans",
            object_id=1,
            action="create",
            after={"id": 1},
        )
        assert await enqueue_for_audit(session, event) == 0
    assert await deliveries(hook_app) == 0


async def test_a_failed_write_queues_nothing(hooks: Hooks, hook_app: FastAPI) -> None:
    await hooks.subscribe("http://127.0.0.1:9/")
    plan = await hooks.plan()
    assert await deliveries(hook_app) == 1
    response = await hooks.client.patch(
        f"{API}/plans/{plan['id']}",
        json={"period_end": "2000-01-01"},
        headers={**hooks.world.headers("chair"), "If-Match": "*"},
    )
    assert response.status_code == 422
    assert await deliveries(hook_app) == 1
