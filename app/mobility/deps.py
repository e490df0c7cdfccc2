"""Path-object loaders for the mobility register (FastAPI dependencies); the loading is in
``app/mobility/scope.py``."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentPrincipal
from app.core.db import SessionDep
from app.core.models import path_id
from app.mobility.scope import InNetwork, load_opportunity

OpportunityIdPath = Annotated[int, path_id("mobility opportunity")]


async def valid_opportunity(
    opportunity_id: OpportunityIdPath, session: SessionDep, principal: CurrentPrincipal
) -> InNetwork:
    return await load_opportunity(session, principal, opportunity_id)


ValidOpportunity = Annotated[InNetwork, Depends(valid_opportunity)]
