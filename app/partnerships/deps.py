"""Who may see and do what with partnerships and programmes, and the path-object loaders.

* Everything here belongs to one network (a partnership's or a programme's). Reading it is
  ``Permission.network_read`` there (so roles in an ancestor network read it too); to anyone
  else it does not exist: ``404``.
* Writing (partnerships, commitments, programmes, sessions, enrolments, attendance,
  evaluation forms) is ``Permission.plan_write`` there: the chair or an executive.
* Answering an evaluation is for any signed-in *user* who reads the network (the simple
  rule: being enrolled is not required); service accounts may not answer.

Visible but not allowed is ``403``. Each loader reads its object, its parent and the
network in one query; a deleted parent hides everything under it.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, Principal, authorize
from app.core.db import SessionDep
from app.core.errors import NotFound
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

T = TypeVar("T")


@dataclass
class InNetwork(Generic[T]):
    """An object, the partnership or programme it belongs to, and the network."""

    obj: T
    parent: Any
    network: Network


def require_read(principal: Principal, network: Network) -> None:
    authorize(principal, Permission.network_read, network)


def require_write(principal: Principal, network: Network) -> None:
    authorize(principal, Permission.plan_write, network)


async def _load(
    session: AsyncSession,
    principal: Principal,
    model: Any,
    object_id: int,
    label: str,
    *,
    deleted: bool = False,
) -> InNetwork[Any]:
    parent: Any
    if model in (Partnership, Programme):
        parent = model
        stmt = select(model, Network).where(
            col(model.id) == object_id,
            col(model.deleted_at).is_not(None) if deleted else col(model.deleted_at).is_(None),
        )
    else:
        parent = Partnership if model is PartnerCommitment else Programme
        link = model.partnership_id if model is PartnerCommitment else model.programme_id
        stmt = (
            select(model, parent, Network)
            .join(parent, col(parent.id) == link)
            .where(col(model.id) == object_id, col(parent.deleted_at).is_(None))
        )
    stmt = stmt.join(Network, col(Network.id) == col(parent.network_id)).where(
        col(Network.deleted_at).is_(None)
    )
    row = (await session.execute(stmt)).first()
    missing = NotFound(f"{label} {object_id} does not exist or is not visible to you")
    if row is None:
        raise missing
    found = InNetwork(obj=row[0], parent=row[-2], network=row[-1])
    try:
        require_read(principal, found.network)
    except NotFound as exc:
        raise missing from exc
    return found


async def load_partnership(
    session: AsyncSession, principal: Principal, partnership_id: int, *, deleted: bool = False
) -> InNetwork[Partnership]:
    label = "deleted partnership" if deleted else "partnership"
    return await _load(session, principal, Partnership, partnership_id, label, deleted=deleted)


async def readable_network(
    principal: CurrentPrincipal, session: SessionDep, network_id: Annotated[int, path_id("network")]
) -> Network:
    """The path's network, whose private data the caller reads."""
    network = await network_service.get_or_404(session, network_id)
    require_read(principal, network)
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
    return await _load(session, principal, PartnerCommitment, commitment_id, "partner commitment")


async def valid_programme(
    principal: CurrentPrincipal,
    session: SessionDep,
    programme_id: Annotated[int, path_id("programme")],
) -> InNetwork[Programme]:
    return await _load(session, principal, Programme, programme_id, "programme")


async def valid_session(
    principal: CurrentPrincipal,
    session: SessionDep,
    session_id: Annotated[int, path_id("programme session")],
) -> InNetwork[ProgrammeSession]:
    return await _load(session, principal, ProgrammeSession, session_id, "programme session")


async def valid_evaluation(
    principal: CurrentPrincipal,
    session: SessionDep,
    evaluation_id: Annotated[int, path_id("evaluation")],
) -> InNetwork[Evaluation]:
    return await _load(session, principal, Evaluation, evaluation_id, "evaluation")


ReadableNetwork = Annotated[Network, Depends(readable_network)]
ValidPartnership = Annotated[InNetwork[Partnership], Depends(valid_partnership)]
ValidCommitment = Annotated[InNetwork[PartnerCommitment], Depends(valid_commitment)]
ValidProgramme = Annotated[InNetwork[Programme], Depends(valid_programme)]
ValidSession = Annotated[InNetwork[ProgrammeSession], Depends(valid_session)]
ValidEvaluation = Annotated[InNetwork[Evaluation], Depends(valid_evaluation)]
