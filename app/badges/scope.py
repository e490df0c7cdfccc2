"""Proposals loaded with their parent network. A proposal exists only for those
``app/auth/policy.py`` lets see it (``may_see_proposal``). Badges and awards, private data of
their badge network, are loaded by the resource kit's scoped loader (``app/badges/deps.py``)."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import policy
from app.auth.policy import Principal
from app.badges.models import BadgeProposal
from app.core.errors import NotFound
from app.networks.models import Network


@dataclass
class FoundProposal:
    proposal: BadgeProposal
    parent: Network | None

    @property
    def obj(self) -> BadgeProposal:
        """The proposal, as the route factories read a loaded record."""
        return self.proposal


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
