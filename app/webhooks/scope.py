"""Webhook subscriptions loaded with their live network in one query: 404 when invisible, 403
when the caller sees the network but does not manage its webhooks (``app/auth/policy.py``)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core.errors import NotFound
from app.networks.models import Network
from app.webhooks.models import WebhookSubscription


@dataclass
class FoundWebhook:
    """A subscription and its network."""

    subscription: WebhookSubscription
    network: Network


async def load_webhook(
    session: AsyncSession, principal: Principal, webhook_id: int, *, deleted: bool = False
) -> FoundWebhook:
    """The subscription with its live network in one query; 404 when invisible, 403 when the
    caller sees the network but does not manage its webhooks."""
    deleted_at = col(WebhookSubscription.deleted_at)
    stmt = (
        select(WebhookSubscription, Network)
        .join(Network, col(Network.id) == col(WebhookSubscription.network_id))
        .where(
            col(WebhookSubscription.id) == webhook_id,
            deleted_at.is_not(None) if deleted else deleted_at.is_(None),
            col(Network.deleted_at).is_(None),
        )
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"webhook {webhook_id} does not exist or is not visible to you")
    found = FoundWebhook(subscription=row[0], network=row[1])
    policy.require_webhook_manage(principal, found.network)
    return found
