"""Path-object loaders for proposals, badges and awards (FastAPI dependencies; 404 when
invisible). The loading is in ``app/badges/scope.py``, who may see what in
``app/auth/policy.py``."""

from typing import Annotated

from fastapi import Depends

from app.auth import policy
from app.auth.deps import CurrentPrincipal
from app.badges.scope import FoundProposal, InBadge, load_award, load_badge, load_proposal
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id


async def valid_proposal(
    proposal_id: Annotated[int, path_id("proposal")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> FoundProposal:
    return await load_proposal(session, principal, proposal_id)


async def valid_badge(
    badge_id: Annotated[int, path_id("badge")], session: SessionDep, principal: CurrentPrincipal
) -> InBadge:
    found = await load_badge(session, badge_id)
    if found is None:
        raise NotFound(f"badge {badge_id} does not exist or is not visible to you")
    policy.require_read(principal, found.network)
    return found


async def valid_award(
    award_id: Annotated[int, path_id("award")], session: SessionDep, principal: CurrentPrincipal
) -> InBadge:
    found = await load_award(session, award_id)
    if found is None or found.network.deleted_at is not None:
        raise NotFound(f"award {award_id} does not exist or is not visible to you")
    policy.require_read(principal, found.network)
    return found


ValidProposal = Annotated[FoundProposal, Depends(valid_proposal)]
ValidBadge = Annotated[InBadge, Depends(valid_badge)]
ValidAward = Annotated[InBadge, Depends(valid_award)]
