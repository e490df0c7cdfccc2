"""Demo webhook subscriptions, built with the service functions (so each has its audit event):

* Network of Networks: a partner CRM subscribed to plan progress across the alliance and its
  regional networks (``include_descendants``), paused until someone points it at a receiver.
* West Partnership: a subscription to its cohort's community events and milestones, paused.

The targets are ``.example`` hosts (RFC 2606), which never resolve, so nothing is ever sent;
chairs see how subscriptions look, then PATCH the URL to their own receiver and activate it.
Loading twice changes nothing.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.networks.models import Network
from app.webhooks import service, targets
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import WebhookCreate

# The demo's URLs cannot resolve, so the loader (trusted code, not a request) skips the DNS
# check; every send is checked again with the deployment's own policy anyway.
DEMO_POLICY = targets.TargetPolicy(require_https=True, allow_private=True)

SUBSCRIPTIONS = [
    (
        "Network of Networks",
        WebhookCreate(
            url="https://crm.partner.example/hooks/cohesion",
            description="Partner CRM: plan progress across the alliance (example, paused)",
            event_types=[
                "plan.*",
                "action.status_changed",
                "milestone.achieved",
                "measure.reading_recorded",
                "mobility.counts_posted",
            ],
            include_descendants=True,
            active=False,
        ),
    ),
    (
        "West Partnership",
        WebhookCreate(
            url="https://intranet.west-partnership.example/cohesion/events",
            description="Partnership intranet: communities and milestones (example, paused)",
            event_types=["community.*", "milestone.*"],
            active=False,
        ),
    ),
]


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Add the demo subscriptions that are not there yet."""
    for network_name, data in SUBSCRIPTIONS:
        network = networks.get(network_name)
        if network is None:
            continue
        exists = await session.scalar(
            select(col(WebhookSubscription.id)).where(
                col(WebhookSubscription.network_id) == network.id,
                col(WebhookSubscription.url) == data.url,
            )
        )
        if exists is None:
            await service.create_webhook(session, admin, network, data=data, policy=DEMO_POLICY)
