"""Path-object loaders for webhook subscriptions and deliveries: the network's chair (or an
admin) only; other role holders get 403, everyone else 404."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, Principal, authorize
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.networks.deps import network_with
from app.networks.models import Network
from app.webhooks.models import WebhookDelivery, WebhookSubscription

WebhookIdPath = Annotated[int, path_id("webhook")]
DeliveryIdPath = Annotated[int, path_id("delivery")]


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
    authorize(principal, Permission.webhook_manage, found.network)
    return found


async def valid_webhook(
    webhook_id: WebhookIdPath, session: SessionDep, principal: CurrentPrincipal
) -> FoundWebhook:
    return await load_webhook(session, principal, webhook_id)


async def deleted_webhook(
    webhook_id: WebhookIdPath, session: SessionDep, principal: CurrentPrincipal
) -> FoundWebhook:
    return await load_webhook(session, principal, webhook_id, deleted=True)


ManagedWebhook = Annotated[FoundWebhook, Depends(valid_webhook)]
DeletedWebhook = Annotated[FoundWebhook, Depends(deleted_webhook)]


async def valid_delivery(
    delivery_id: DeliveryIdPath, found: ManagedWebhook, session: SessionDep
) -> WebhookDelivery:
    """A delivery of the path's subscription, or 404."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != found.subscription.id:
        raise NotFound(f"delivery {delivery_id} does not exist for this webhook")
    return delivery


ValidDelivery = Annotated[WebhookDelivery, Depends(valid_delivery)]
NetworkForWebhooks = Annotated[Network, network_with(Permission.webhook_manage)]
