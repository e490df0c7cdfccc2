"""Mobility opportunities loaded with their network in one query; a deleted opportunity or
network, or one whose network the caller may not read (``app/auth/policy.py``), is a 404."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core.errors import NotFound
from app.mobility.models import MobilityOpportunity
from app.networks.models import Network


@dataclass
class InNetwork:
    """An opportunity and the network whose register holds it."""

    obj: MobilityOpportunity
    network: Network


async def load_opportunity(
    session: AsyncSession, principal: Principal, opportunity_id: int, *, deleted: bool = False
) -> InNetwork:
    deleted_clause = (
        col(MobilityOpportunity.deleted_at).is_not(None)
        if deleted
        else col(MobilityOpportunity.deleted_at).is_(None)
    )
    row = (
        await session.execute(
            select(MobilityOpportunity, Network)
            .join(Network, col(Network.id) == col(MobilityOpportunity.network_id))
            .where(
                col(MobilityOpportunity.id) == opportunity_id,
                deleted_clause,
                col(Network.deleted_at).is_(None),
            )
        )
    ).first()
    label = "deleted mobility opportunity" if deleted else "mobility opportunity"
    if row is None:
        raise NotFound(f"{label} {opportunity_id} does not exist or is not visible to you")
    found = InNetwork(obj=row[0], network=row[1])
    policy.require_read(principal, found.network)
    return found
