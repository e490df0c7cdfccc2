"""Demo webhook subscriptions (demo/webhooks.yaml), made with the webhook service so each has
its audit event; a network's subscription to a URL it already has is skipped."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.demo import documents
from app.networks.models import Network
from app.webhooks import service, targets
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import WebhookCreate

# The demo's URLs cannot resolve, so the loader (trusted code, not a request) skips the DNS
# check; every send is checked again with the deployment's own policy anyway.
DEMO_POLICY = targets.TargetPolicy(require_https=True, allow_private=True)


async def load(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Add the demo subscriptions that are not there yet (on the networks that exist)."""
    for entry in documents.load("webhooks"):
        network = networks.get(entry["network"])
        if network is None:
            continue
        data = WebhookCreate.model_validate({k: v for k, v in entry.items() if k != "network"})
        exists = await session.scalar(
            select(col(WebhookSubscription.id)).where(
                col(WebhookSubscription.network_id) == network.id,
                col(WebhookSubscription.url) == data.url,
            )
        )
        if exists is None:
            await service.create_webhook(session, admin, network, data=data, policy=DEMO_POLICY)
