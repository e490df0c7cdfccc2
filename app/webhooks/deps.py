"""Path-object loaders for webhook subscriptions and deliveries (FastAPI dependencies); the
loading is in ``app/webhooks/scope.py``, the rule (the network's chair or an admin only) in
``app/auth/policy.py``."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import network_with, scoped
from app.auth.models import Network
from app.auth.policy import Permission
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.core.resources import Scoped
from app.webhooks.models import WebhookDelivery, WebhookSubscription

DeliveryIdPath = Annotated[int, path_id("delivery")]

ManagedWebhook = Annotated[
    Scoped[WebhookSubscription, Network],
    scoped.loader(WebhookSubscription, Permission.webhook_manage, label="webhook"),
]
DeletedWebhook = Annotated[
    Scoped[WebhookSubscription, Network],
    scoped.loader(WebhookSubscription, Permission.webhook_manage, label="webhook", deleted=True),
]


async def load_delivery(
    session: AsyncSession, found: Scoped[WebhookSubscription, Network], delivery_id: int
) -> WebhookDelivery:
    """A delivery of the subscription, or 404."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != found.obj.id:
        raise NotFound(f"delivery {delivery_id} does not exist for this webhook")
    return delivery


async def valid_delivery(
    delivery_id: DeliveryIdPath, found: ManagedWebhook, session: SessionDep
) -> WebhookDelivery:
    return await load_delivery(session, found, delivery_id)


ValidDelivery = Annotated[WebhookDelivery, Depends(valid_delivery)]
NetworkForWebhooks = Annotated[Network, network_with(Permission.webhook_manage)]
