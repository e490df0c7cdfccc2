"""Path-object loaders for proposals, badges and awards (404 when invisible).

* A **proposal** exists for its proposer, platform admins and the chair of its parent network
  (``Permission.network_manage_children`` there); for anyone else it does not exist.
* A **badge** or **award** is private data of its badge network: ``Permission.network_read``.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, Principal, authorize, can
from app.badges.models import Badge, BadgeAward, BadgeProposal
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.networks.models import Network


@dataclass
class FoundProposal:
    proposal: BadgeProposal
    parent: Network | None


def may_decide(principal: Principal, parent: Network | None) -> bool:
    """Platform admins, and the chair of the parent network, approve or reject."""
    if principal.is_admin:
        return True
    return parent is not None and can(principal, Permission.network_manage_children, parent)


async def load_proposal(
    session: AsyncSession, principal: Principal, proposal_id: int
) -> FoundProposal:
    proposal = await session.get(BadgeProposal, proposal_id)
    if proposal is not None:
        parent = None
        if proposal.parent_network_id is not None:
            parent = await session.get(Network, proposal.parent_network_id)
            if parent is not None and parent.deleted_at is not None:
                parent = None
        is_proposer = principal.is_user_id(proposal.proposer_user_id)
        if is_proposer or may_decide(principal, parent):
            return FoundProposal(proposal, parent)
    raise NotFound(f"proposal {proposal_id} does not exist or is not visible to you")


async def valid_proposal(
    proposal_id: Annotated[int, path_id("proposal")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> FoundProposal:
    return await load_proposal(session, principal, proposal_id)


@dataclass
class InBadge:
    obj: Any
    badge: Badge
    network: Network


async def load_badge(session: AsyncSession, badge_id: int) -> InBadge | None:
    row = (
        await session.execute(
            select(Badge, Network)
            .join(Network, col(Network.id) == col(Badge.network_id))
            .where(
                col(Badge.id) == badge_id,
                col(Badge.deleted_at).is_(None),
                col(Network.deleted_at).is_(None),
            )
        )
    ).first()
    return None if row is None else InBadge(row[0], row[0], row[1])


async def load_award(session: AsyncSession, award_id: int) -> InBadge | None:
    row = (
        await session.execute(
            select(BadgeAward, Badge, Network)
            .join(Badge, col(Badge.id) == col(BadgeAward.badge_id))
            .join(Network, col(Network.id) == col(BadgeAward.network_id))
            .where(col(BadgeAward.id) == award_id)
        )
    ).first()
    return None if row is None else InBadge(row[0], row[1], row[2])


async def valid_badge(
    badge_id: Annotated[int, path_id("badge")], session: SessionDep, principal: CurrentPrincipal
) -> InBadge:
    found = await load_badge(session, badge_id)
    if found is None:
        raise NotFound(f"badge {badge_id} does not exist or is not visible to you")
    authorize(principal, Permission.network_read, found.network)
    return found


async def valid_award(
    award_id: Annotated[int, path_id("award")], session: SessionDep, principal: CurrentPrincipal
) -> InBadge:
    found = await load_award(session, award_id)
    if found is None or found.network.deleted_at is not None:
        raise NotFound(f"award {award_id} does not exist or is not visible to you")
    authorize(principal, Permission.network_read, found.network)
    return found


ValidProposal = Annotated[FoundProposal, Depends(valid_proposal)]
ValidBadge = Annotated[InBadge, Depends(valid_badge)]
ValidAward = Annotated[InBadge, Depends(valid_award)]
