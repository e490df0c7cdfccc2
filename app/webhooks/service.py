"""Webhook subscriptions (chair only), the outbox written with every audited change, and the
delivery log."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import graph
from app.auth.policy import Principal, require_webhook_manage
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    Scoped,
    audited_create,
    audited_delete,
    audited_restore,
    audited_update,
    fetch_page,
)
from app.networks.models import Network
from app.webhooks import events, signing, targets
from app.webhooks.models import WebhookDelivery, WebhookSecret, WebhookSubscription
from app.webhooks.schemas import (
    DeliveryStatus,
    SecretRotate,
    WebhookCreate,
    WebhookFilters,
    WebhookUpdate,
)

MAX_PER_NETWORK = 25

Webhook = Scoped[WebhookSubscription, Network]


@dataclass(frozen=True, slots=True)
class SystemActor:
    """The platform itself, as the actor of changes nobody asked for (auto-disabling)."""

    actor_kind: str = "system"
    actor_id: int | None = None


SYSTEM = SystemActor()


def rfc3339(moment: datetime) -> str:
    """A UTC timestamp as the API writes it (``2026-11-24T10:00:00Z``)."""
    return moment.isoformat().replace("+00:00", "Z")


async def check_target(url: str, policy: targets.TargetPolicy) -> None:
    """422 unless webhooks may be sent to ``url``."""
    try:
        await targets.check(url, policy)
    except targets.TargetRefused as exc:
        raise Unprocessable(
            exc.message, errors=[{"loc": ["body", "url"], "msg": exc.message, "type": exc.kind}]
        ) from exc


# --- subscriptions ------------------------------------------------------------------------


async def create_webhook(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    *,
    data: WebhookCreate,
    policy: targets.TargetPolicy,
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret (returned once, never again)."""
    require_webhook_manage(principal, network)
    await check_target(data.url, policy)
    count = await session.scalar(
        select(func.count()).where(
            col(WebhookSubscription.network_id) == network.id,
            col(WebhookSubscription.deleted_at).is_(None),
        )
    )
    if (count or 0) >= MAX_PER_NETWORK:
        raise Conflict(f"a network may have at most {MAX_PER_NETWORK} webhooks; delete one first")
    subscription = WebhookSubscription.model_validate(
        data,
        update={
            "network_id": network.id,
            "created_by_user_id": principal.user_id,
        },
    )
    await audited_create(session, principal, subscription, network_id=network.id)
    assert subscription.id is not None
    secret = signing.new_secret()
    session.add(WebhookSecret(subscription_id=subscription.id, secret=secret))
    return subscription, secret


async def list_webhooks(
    session: AsyncSession,
    network: Network,
    *,
    filters: WebhookFilters,
    params: ListParams,
) -> PageResult:
    stmt = select(WebhookSubscription).where(col(WebhookSubscription.network_id) == network.id)
    if filters.active is not None:
        stmt = stmt.where(col(WebhookSubscription.active).is_(filters.active))
    return await fetch_page(session, stmt, params)


async def update_webhook(
    session: AsyncSession,
    principal: Principal,
    found: Webhook,
    *,
    data: WebhookUpdate,
    policy: targets.TargetPolicy,
) -> WebhookSubscription:
    """Change a subscription; ``active: true`` re-enables one that was disabled by failures."""
    require_webhook_manage(principal, found.network)
    subscription = found.obj
    changes = data.model_dump(exclude_unset=True)
    if "url" in changes and changes["url"] != subscription.url:
        await check_target(changes["url"], policy)
    if changes.get("active") is True and not subscription.active:
        changes.update(disabled_reason=None, disabled_at=None, failing_since=None)
    return await audited_update(
        session, principal, subscription, changes, network_id=found.network.id
    )


async def delete_webhook(session: AsyncSession, principal: Principal, found: Webhook) -> None:
    """Soft-delete: nothing more is queued or sent for it until it is restored."""
    require_webhook_manage(principal, found.network)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_webhook(
    session: AsyncSession, principal: Principal, found: Webhook
) -> WebhookSubscription:
    require_webhook_manage(principal, found.network)
    return await audited_restore(session, principal, found.obj, network_id=found.network.id)


async def rotate_secret(
    session: AsyncSession, principal: Principal, found: Webhook, *, data: SecretRotate
) -> tuple[WebhookSubscription, str]:
    """A new signing secret; the previous ones keep signing for ``keep_previous_hours``."""
    require_webhook_manage(principal, found.network)
    subscription = found.obj
    now = utcnow()
    keep_until = now + timedelta(hours=data.keep_previous_hours)
    of_this = col(WebhookSecret.subscription_id) == subscription.id
    expires = col(WebhookSecret.expires_at)
    await session.execute(delete(WebhookSecret).where(of_this, expires <= now))
    await session.execute(
        update(WebhookSecret)
        .where(of_this, or_(expires.is_(None), expires > keep_until))
        .values(expires_at=keep_until)
    )
    assert subscription.id is not None
    secret = signing.new_secret()
    session.add(WebhookSecret(subscription_id=subscription.id, secret=secret))
    await audit.record(
        session,
        principal,
        action="rotate_secret",
        obj=subscription,
        network_id=found.network.id,
        before=audit.snapshot(subscription),
        after={**audit.snapshot(subscription), "previous_secret_expires_at": rfc3339(keep_until)},
    )
    return subscription, secret


# --- the delivery log ---------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession,
    subscription: WebhookSubscription,
    *,
    status: DeliveryStatus | None,
    event_type: str | None,
    params: ListParams,
) -> PageResult:
    stmt = select(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription.id)
    if status is not None:
        stmt = stmt.where(col(WebhookDelivery.status) == status.value)
    if event_type is not None:
        stmt = stmt.where(col(WebhookDelivery.event_type) == event_type)
    return await fetch_page(session, stmt, params)


def _log_snapshot(delivery: WebhookDelivery) -> dict[str, Any]:
    return delivery.model_dump(mode="json", exclude={"payload", "claim_token"})


async def redeliver(
    session: AsyncSession, principal: Principal, found: Webhook, delivery: WebhookDelivery
) -> WebhookDelivery:
    """Queue a delivery again, due now, with the same ``Webhook-Id``."""
    require_webhook_manage(principal, found.network)
    if not found.obj.active:
        raise Conflict(
            f"webhook {found.obj.id} is not active; re-enable it (PATCH active: true) "
            "before redelivering"
        )
    now = utcnow()
    if delivery.claimed_until is not None and delivery.claimed_until > now:
        raise Conflict(f"delivery {delivery.id} is being sent right now; try again shortly")
    before = _log_snapshot(delivery)
    delivery.status = DeliveryStatus.pending.value
    delivery.next_attempt_at = now
    delivery.first_attempt_at = None
    delivery.delivered_at = None
    delivery.claimed_until = None
    delivery.claim_token = None
    session.add(delivery)
    await audit.record(
        session,
        principal,
        action="redeliver",
        obj=delivery,
        network_id=found.network.id,
        before=before,
        after=_log_snapshot(delivery),
    )
    return delivery


# --- the outbox ---------------------------------------------------------------------------


async def enqueue_for_audit(session: AsyncSession, event: audit.AuditEvent) -> int:
    """Queue one delivery per matching subscription for the events an audited write
    publishes, in the write's own transaction; returns how many were queued.

    A subscription matches when it is active and on the event's network, or on one of its
    ancestors (over the links live now, ``app/auth/graph.py``) with ``include_descendants``;
    all of them come from one query, each subscription once however many paths lead to it.
    Events without a network are not published.
    """
    if event.network_id is None:
        return 0
    types = events.event_types_for(event.object_type, event.action, event.before, event.after)
    if not types:
        return 0
    stmt = (
        select(col(WebhookSubscription.id), col(WebhookSubscription.event_types))
        .where(
            col(WebhookSubscription.active).is_(True),
            col(WebhookSubscription.deleted_at).is_(None),
            or_(
                col(WebhookSubscription.network_id) == event.network_id,
                and_(
                    col(WebhookSubscription.include_descendants).is_(True),
                    col(WebhookSubscription.network_id).in_(graph.ancestor_ids(event.network_id)),
                ),
            ),
        )
        .order_by(col(WebhookSubscription.id))
    )
    subscriptions = (await session.execute(stmt)).all()
    if not subscriptions:
        return 0
    data = event.after if event.after is not None else event.before
    occurred_at = event.occurred_at
    queued = []
    for subscription_id, patterns in subscriptions:
        assert subscription_id is not None
        for event_type in types:
            if not events.matches(patterns or [], event_type):
                continue
            message_id = f"msg_{uuid.uuid4().hex}"
            body = {
                "id": message_id,
                "type": event_type,
                "occurred_at": rfc3339(occurred_at),
                "network_id": event.network_id,
                "data": data,
            }
            queued.append(
                WebhookDelivery(
                    subscription_id=subscription_id,
                    message_id=message_id,
                    event_type=event_type,
                    network_id=event.network_id,
                    occurred_at=occurred_at,
                    payload=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
                    next_attempt_at=occurred_at,
                )
            )
    session.add_all(queued)
    return len(queued)
