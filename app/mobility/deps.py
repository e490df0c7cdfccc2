"""Path-object loaders for the mobility register.

An opportunity is loaded with its network in one query; a deleted opportunity or network, or
one whose network the caller may not read, is a 404.
"""

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
from app.mobility.models import MobilityOpportunity
from app.networks.models import Network

OpportunityIdPath = Annotated[int, path_id("mobility opportunity")]


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
    authorize(principal, Permission.network_read, found.network)
    return found


async def valid_opportunity(
    opportunity_id: OpportunityIdPath, session: SessionDep, principal: CurrentPrincipal
) -> InNetwork:
    return await load_opportunity(session, principal, opportunity_id)


ValidOpportunity = Annotated[InNetwork, Depends(valid_opportunity)]
