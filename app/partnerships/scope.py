"""Partnerships, programmes and what belongs to them, loaded with their network: each loader
reads its object, its parent and the network in one query (a deleted parent hides everything
under it) and answers 404 when the caller may not read the network (``app/auth/policy.py``)."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core.errors import NotFound
from app.networks.models import Network
from app.partnerships.models import PartnerCommitment, Partnership, Programme

T = TypeVar("T")


@dataclass
class InNetwork(Generic[T]):
    """An object, the partnership or programme it belongs to, and the network."""

    obj: T
    parent: Any
    network: Network


async def load_in_network(
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
        policy.require_read(principal, found.network)
    except NotFound as exc:
        raise missing from exc
    return found


async def load_partnership(
    session: AsyncSession, principal: Principal, partnership_id: int, *, deleted: bool = False
) -> InNetwork[Partnership]:
    label = "deleted partnership" if deleted else "partnership"
    return await load_in_network(
        session, principal, Partnership, partnership_id, label, deleted=deleted
    )
