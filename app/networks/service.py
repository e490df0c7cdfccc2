"""Networks: the directory, the hierarchy, and who may change them."""

from sqlalchemy import func, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from app.auth import policy
from app.auth import service as auth_service
from app.auth.policy import Permission, Principal, authorize
from app.core import audit
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    audited_delete,
    audited_restore,
    audited_update,
    fetch_page,
)
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkKind, NetworkUpdate


def _not_found(network_id: int) -> NotFound:
    return NotFound(f"network {network_id} does not exist or is not visible to you")


# Loading a network belongs to the auth layer (which loads the path network with the caller).
get = auth_service.get_network
get_or_404 = auth_service.get_network_or_404


async def create(session: AsyncSession, principal: Principal, *, data: NetworkCreate) -> Network:
    """Create a network: top level by an admin, a child by the parent's chair."""
    parent = None
    if data.parent_id is not None:
        parent = await get(session, data.parent_id)
        if parent is None:
            raise _not_found(data.parent_id)
    policy.require_parent_level(principal, parent)
    network = Network.model_validate(data, update={"created_by_user_id": principal.user_id})
    session.add(network)
    await session.flush()
    # The path needs the new id; a Core UPDATE sets it without bumping the row version.
    path = f"{parent.path if parent else '/'}{network.id}/"
    await session.execute(sa_update(Network).where(col(Network.id) == network.id).values(path=path))
    set_committed_value(network, "path", path)
    await audit.record(session, principal, action="create", obj=network, network_id=network.id)
    return network


async def list_networks(
    session: AsyncSession,
    *,
    kind: NetworkKind | None,
    parent_id: int | None,
    q: str | None,
    params: ListParams,
) -> PageResult:
    stmt = select(Network)
    if kind is not None:
        stmt = stmt.where(col(Network.kind) == kind.value)
    if parent_id is not None:
        stmt = stmt.where(col(Network.parent_id) == parent_id)
    if q:
        stmt = stmt.where(func.lower(col(Network.name)).contains(q.lower(), autoescape=True))
    return await fetch_page(session, stmt, params)


async def update(
    session: AsyncSession, principal: Principal, network: Network, *, data: NetworkUpdate
) -> Network:
    authorize(principal, Permission.network_update, network, public=True)
    changes = data.model_dump(exclude_unset=True)
    languages = changes.get("languages", network.languages)
    default = changes.get("default_language", network.default_language)
    if default not in languages:
        raise Unprocessable(
            f"the default language {default!r} must be one of the languages {languages}",
            errors=[{"loc": ["body", "languages"], "msg": "must hold the default", "type": "lang"}],
        )
    return await audited_update(session, principal, network, changes, network_id=network.id)


async def _parent_of(session: AsyncSession, network: Network) -> Network | None:
    if network.parent_id is None:
        return None
    return await session.get(Network, network.parent_id)


async def delete(session: AsyncSession, principal: Principal, network: Network) -> None:
    """Soft-delete a network that has no live child networks."""
    policy.require_parent_level(principal, await _parent_of(session, network))
    children = await session.scalar(
        select(func.count()).where(
            col(Network.parent_id) == network.id, col(Network.deleted_at).is_(None)
        )
    )
    if children:
        raise Conflict(f"network {network.id} has {children} child networks; delete them first")
    await audited_delete(session, principal, network, network_id=network.id)


async def restore(session: AsyncSession, principal: Principal, network: Network) -> Network:
    """Restore a deleted network whose parent is live."""
    parent = await _parent_of(session, network)
    policy.require_parent_level(principal, parent)
    if parent is not None and parent.deleted_at is not None:
        raise Conflict(f"restore the parent network {parent.id} first")
    return await audited_restore(session, principal, network, network_id=network.id)
