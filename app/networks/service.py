"""Networks: the directory, the hierarchy, and who may change them."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from app.auth import graph, policy
from app.auth import service as auth_service
from app.auth.models import RoleAssignment, User
from app.auth.policy import Permission, Principal, Role, authorize
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.filters import WithEnded
from app.core.resources import (
    ListParams,
    PageResult,
    audited_create,
    audited_delete,
    audited_end,
    audited_restore,
    audited_update,
    fetch_page,
)
from app.networks.models import Network, NetworkLink
from app.networks.schemas import NetworkCreate, NetworkKind, NetworkLinkCreate, NetworkUpdate


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
    if parent is not None:
        assert parent.id is not None and network.id is not None
        session.add(
            NetworkLink(
                child_id=network.id,
                parent_id=parent.id,
                since=network.created_at,
                created_by_user_id=principal.user_id,
            )
        )
        await session.flush()
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
        children = select(col(NetworkLink.child_id)).where(
            col(NetworkLink.parent_id) == parent_id, graph.live(NetworkLink, utcnow())
        )
        stmt = stmt.where(col(Network.id).in_(children))
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
        select(func.count()).select_from(graph.live_children([network.id]).subquery())
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


# --- links: a network in several parents (alliances) -------------------------------------


def _link_issue(msg: str, kind: str) -> list[dict[str, Any]]:
    return [{"loc": ["body", "parent_id"], "msg": msg, "type": kind}]


def links_statement(*, child_id: int | None = None, link_id: int | None = None) -> Any:
    """Links with their parent's and child's names (the rows ``NetworkLinkRead`` reads)."""
    parent, child = aliased(Network), aliased(Network)
    stmt: Any = (
        select(
            NetworkLink,
            col(parent.name).label("parent_name"),
            col(child.name).label("child_name"),
        )
        .join(parent, col(parent.id) == col(NetworkLink.parent_id))
        .join(child, col(child.id) == col(NetworkLink.child_id))
    )
    if child_id is not None:
        stmt = stmt.where(col(NetworkLink.child_id) == child_id)
    if link_id is not None:
        stmt = stmt.where(col(NetworkLink.id) == link_id)
    return stmt


async def list_parents(
    session: AsyncSession, network: Network, *, filters: WithEnded, params: ListParams
) -> PageResult:
    """The network's memberships of parent networks (live ones unless ``include_ended``)."""
    stmt = links_statement(child_id=network.id)
    if not filters.include_ended and params.since is None:  # a sync reports endings too
        stmt = stmt.where(col(NetworkLink.until).is_(None) | (col(NetworkLink.until) > utcnow()))
    return await fetch_page(session, stmt, params, scalars=False)


async def get_link_row(session: AsyncSession, link_id: int) -> Any:
    """A link with its networks' names (``NetworkLink``, ``parent_name``, ``child_name``)."""
    row = (await session.execute(links_statement(link_id=link_id))).first()
    if row is None:
        raise NotFound(f"network link {link_id} does not exist")
    return row


async def _set_primary(session: AsyncSession, network: Network) -> None:
    """``parent_id`` follows the first-made live link (None without one) and ``path`` the
    primary line down to the network and below it; both are kept for clients of one parent.

    They are derived from the links, whose own audit event records the decision: a Core
    UPDATE sets them (and ``updated_at``, so a sync sees the change) without a second event
    or a version bump of the network's profile."""
    primary = await session.scalar(
        select(col(NetworkLink.parent_id))
        .where(col(NetworkLink.child_id) == network.id, graph.live(NetworkLink, utcnow()))
        .order_by(col(NetworkLink.id))
        .limit(1)
    )
    if primary == network.parent_id:
        return
    parent = await session.get(Network, primary) if primary is not None else None
    old, new = network.path, f"{parent.path if parent else '/'}{network.id}/"
    now = utcnow()
    await session.execute(
        sa_update(Network)
        .where(col(Network.id) == network.id)
        .values(parent_id=primary, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(network, "parent_id", primary)
    set_committed_value(network, "updated_at", now)
    # Every network whose primary line passes through this one moves with it.
    await session.execute(
        sa_update(Network)
        .where(col(Network.path).startswith(old, autoescape=True))
        .values(path=new + func.substr(col(Network.path), len(old) + 1))
        .execution_options(synchronize_session=False)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Network) and obj.path.startswith(old):
            set_committed_value(obj, "path", new + obj.path[len(old) :])


async def add_parent(
    session: AsyncSession, principal: Principal, network: Network, *, data: NetworkLinkCreate
) -> Any:
    """Make ``network`` a member of another parent network; a cycle is refused."""
    parent = await get(session, data.parent_id)
    if parent is None:
        raise Unprocessable(
            f"network {data.parent_id} does not exist",
            errors=_link_issue("unknown network", "unknown_network"),
        )
    policy.require_parent_level(principal, parent)
    assert network.id is not None and parent.id is not None
    if await graph.reaches(session, network.id, parent.id):
        raise Unprocessable(
            f"network {parent.id} ({parent.name}) is {network.name} or lies below it: "
            "the link would make a cycle",
            errors=_link_issue("would create a cycle", "cycle"),
        )
    now = utcnow()
    since: datetime = data.since or now
    live = await session.scalar(
        select(col(NetworkLink.id)).where(
            col(NetworkLink.child_id) == network.id,
            col(NetworkLink.parent_id) == parent.id,
            col(NetworkLink.until).is_(None) | (col(NetworkLink.until) > since),
        )
    )
    if live is not None:
        raise Conflict(f"{network.name} is already a member of {parent.name} (link {live})")
    link = NetworkLink(
        child_id=network.id, parent_id=parent.id, since=since, created_by_user_id=principal.user_id
    )
    link = await audited_create(session, principal, link, network_id=network.id)
    await _set_primary(session, network)
    assert link.id is not None
    return await get_link_row(session, link.id)


async def end_link(
    session: AsyncSession, principal: Principal, link: NetworkLink, *, until: datetime | None
) -> Any:
    """End a network's membership of a parent: what followed from it (reads passed down,
    roll-ups, sums) ends with it."""
    parent = await session.get(Network, link.parent_id)
    child = await session.get(Network, link.child_id)
    assert parent is not None and child is not None
    policy.require_link_end(principal, parent, child)
    link = await audited_end(
        session,
        principal,
        link,
        until=until,
        ended_by_user_id=principal.user_id,
        network_id=child.id,
        label="network link",
    )
    await _set_primary(session, child)
    assert link.id is not None
    return await get_link_row(session, link.id)


# --- the chairs' forum (seed 003's Network Chair Forum) -----------------------------------


async def chairs_forum(session: AsyncSession, principal: Principal, network: Network) -> Any:
    """The chairs of the network's live child networks, read from the roles and links as
    they are now: there is nothing to keep in step when a chair or a link changes."""
    children = [
        child for _, child in (await session.execute(graph.live_children([network.id]))).all()
    ]
    rows = await session.execute(
        select(RoleAssignment, col(User.name))
        .join(User, col(User.id) == col(RoleAssignment.user_id))
        .where(
            col(RoleAssignment.network_id).in_([c.id for c in children]),
            col(RoleAssignment.role) == Role.chair.value,
            auth_service.active_role_clause(utcnow()),
        )
        .order_by(col(RoleAssignment.since), col(RoleAssignment.id))
    )
    chairs: dict[int, list[dict[str, Any]]] = {}
    for role, name in rows.all():
        chairs.setdefault(role.network_id, []).append(
            {
                "role_id": role.id,
                "user_id": role.user_id,
                "name": name,
                "since": role.since,
                "term_ends_on": role.term_ends_on,
            }
        )
    policy.require_forum_read(
        principal, network, [c["user_id"] for seat in chairs.values() for c in seat]
    )
    seats = [
        {"network_id": c.id, "network_name": c.name, "chairs": chairs.get(c.id or 0, [])}
        for c in sorted(children, key=lambda c: (c.name.lower(), c.id))
    ]
    return {
        "network_id": network.id,
        "network_name": network.name,
        "seats": seats,
        "vacant": [s["network_name"] for s in seats if not s["chairs"]],
    }
