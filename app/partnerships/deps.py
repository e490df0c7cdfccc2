"""Path-object loaders for partnerships, programmes and evaluations (FastAPI dependencies).
The loading is in ``app/partnerships/scope.py``, who may see and do what in
``app/auth/policy.py``."""

from typing import Annotated

from fastapi import Depends

from app.auth import policy
from app.auth.deps import CurrentPrincipal
from app.core.db import SessionDep
from app.core.models import path_id
from app.networks import service as network_service
from app.networks.models import Network
from app.partnerships.models import (
    Evaluation,
    PartnerCommitment,
    Partnership,
    Programme,
    ProgrammeSession,
)
from app.partnerships.scope import InNetwork, load_in_network, load_partnership


async def readable_network(
    principal: CurrentPrincipal, session: SessionDep, network_id: Annotated[int, path_id("network")]
) -> Network:
    """The path's network, whose private data the caller reads."""
    network = await network_service.get_or_404(session, network_id)
    policy.require_read(principal, network)
    return network


async def valid_partnership(
    principal: CurrentPrincipal,
    session: SessionDep,
    partnership_id: Annotated[int, path_id("partnership")],
) -> InNetwork[Partnership]:
    return await load_partnership(session, principal, partnership_id)


async def valid_commitment(
    principal: CurrentPrincipal,
    session: SessionDep,
    commitment_id: Annotated[int, path_id("partner commitment")],
) -> InNetwork[PartnerCommitment]:
    return await load_in_network(
        session, principal, PartnerCommitment, commitment_id, "partner commitment"
    )


async def valid_programme(
    principal: CurrentPrincipal,
    session: SessionDep,
    programme_id: Annotated[int, path_id("programme")],
) -> InNetwork[Programme]:
    return await load_in_network(session, principal, Programme, programme_id, "programme")


async def valid_session(
    principal: CurrentPrincipal,
    session: SessionDep,
    session_id: Annotated[int, path_id("programme session")],
) -> InNetwork[ProgrammeSession]:
    return await load_in_network(
        session, principal, ProgrammeSession, session_id, "programme session"
    )


async def valid_evaluation(
    principal: CurrentPrincipal,
    session: SessionDep,
    evaluation_id: Annotated[int, path_id("evaluation")],
) -> InNetwork[Evaluation]:
    return await load_in_network(session, principal, Evaluation, evaluation_id, "evaluation")


ReadableNetwork = Annotated[Network, Depends(readable_network)]
ValidPartnership = Annotated[InNetwork[Partnership], Depends(valid_partnership)]
ValidCommitment = Annotated[InNetwork[PartnerCommitment], Depends(valid_commitment)]
ValidProgramme = Annotated[InNetwork[Programme], Depends(valid_programme)]
ValidSession = Annotated[InNetwork[ProgrammeSession], Depends(valid_session)]
ValidEvaluation = Annotated[InNetwork[Evaluation], Depends(valid_evaluation)]
