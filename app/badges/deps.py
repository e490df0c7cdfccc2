"""Path-object loaders for proposals, badges and awards (FastAPI dependencies; 404 when
invisible). A proposal is loaded in ``app/badges/scope.py``; a badge or an award with its live
network by the resource kit's scoped loader; who may see what is in ``app/auth/policy.py``."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentPrincipal, scoped
from app.auth.policy import Permission
from app.badges.models import Badge, BadgeAward, BadgeEndorsement
from app.badges.scope import FoundProposal, load_proposal
from app.core.db import SessionDep
from app.core.models import path_id
from app.core.resources import Scoped
from app.networks.models import Network


async def valid_proposal(
    proposal_id: Annotated[int, path_id("proposal")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> FoundProposal:
    return await load_proposal(session, principal, proposal_id)


ValidProposal = Annotated[FoundProposal, Depends(valid_proposal)]
ValidBadge = Annotated[
    Scoped[Badge, Network], scoped.loader(Badge, Permission.network_read, label="badge")
]
ValidAward = Annotated[
    Scoped[BadgeAward, Network], scoped.loader(BadgeAward, Permission.network_read, label="award")
]
ValidEndorsement = Annotated[
    Scoped[BadgeEndorsement, Network],
    scoped.loader(BadgeEndorsement, Permission.network_read, label="endorsement"),
]
