"""Path-object loaders for webhook subscriptions and deliveries (FastAPI dependencies); the
loading is in ``app/webhooks/scope.py``, the rule (the network's chair or an admin only) in
``app/auth/policy.py``."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentPrincipal, network_with
from app.auth.policy import Permission
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.networks.models import Network
from app.webhooks.models import WebhookDelivery
from app.webhooks.scope import FoundWebhook, load_webhook

WebhookIdPath = Annotated[int, path_id("webhook")]
DeliveryIdPath = Annotated[int, path_id("delivery")]


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
