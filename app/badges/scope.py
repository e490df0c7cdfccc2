"""Proposals, badges and awards loaded with their networks. A proposal exists only for those
``app/auth/policy.py`` lets see it (``may_see_proposal``); a badge or award is private data of
its badge network, checked by the callers."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.badges.models import Badge, BadgeAward, BadgeProposal
from app.core.errors import NotFound
from app.networks.models import Network


@dataclass
class FoundProposal:
    proposal: BadgeProposal
    parent: Network | None


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
        if policy.may_see_proposal(principal, proposal.proposer_user_id, parent):
            return FoundProposal(proposal, parent)
    raise NotFound(f"proposal {proposal_id} does not exist or is not visible to you")


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
