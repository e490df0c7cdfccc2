"""The network hierarchy as a graph: the one walk every scope follows.

Networks are linked to their parents by dated ``NetworkLink`` rows; a network may belong to
several parents (alliances) at once, so the hierarchy is a directed acyclic graph, not a tree.
``reach`` is the one recursive walk over the links live at a moment; every place that follows
the hierarchy (permission inheritance, roll-ups, mobility sums, measure sources, webhooks with
``include_descendants``) uses it, so each network is reached once however many paths lead to
it (the recursive ``UNION`` keeps each (root, network) pair once), and ending a link ends what
followed from it at once.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.auth.models import Network, NetworkLink
from app.core.db import utcnow


def live(link: Any, now: Any, *, planned: bool = False) -> ColumnElement[bool]:
    """The link (``NetworkLink`` or an alias) holds at ``now`` (a value or a bind parameter);
    with ``planned``, also a link that starts later (it has not ended by ``now``)."""
    not_ended = or_(col(link.until).is_(None), col(link.until) > now)
    return not_ended if planned else and_(col(link.since) <= now, not_ended)


def reach(
    anchor: Select[Any],
    *,
    now: Any,
    upward: bool = False,
    planned: bool = False,
    name: str = "reach",
) -> CTE:
    """A recursive CTE of ``(root, id)``: each root of ``anchor`` (two columns, ``root`` and
    ``id``, usually the same network) and every network below it (above it with ``upward``)
    over links live at ``now`` (and those that start later, with ``planned``); each pair
    once."""
    tree = anchor.cte(name, recursive=True)
    link = aliased(NetworkLink)
    came_from, goes_to = (link.parent_id, link.child_id)
    if upward:
        came_from, goes_to = goes_to, came_from
    step = (
        select(tree.c.root, col(goes_to))
        .join(link, col(came_from) == tree.c.id)
        .where(live(link, now, planned=planned))
    )
    return tree.union(step)


def _from(network_id: int) -> Any:
    return select(col(Network.id).label("root"), col(Network.id).label("id")).where(
        col(Network.id) == network_id
    )


def descendant_ids(network_id: int, *, now: datetime | None = None) -> Select[Any]:
    """Ids of the network and its live descendants, each once: a select for ``IN``."""
    tree = reach(_from(network_id), now=now or utcnow(), name="descendants")
    return (
        select(tree.c.id)
        .join(Network, col(Network.id) == tree.c.id)
        .where(col(Network.deleted_at).is_(None))
    )


def ancestor_ids(network_id: int, *, now: datetime | None = None) -> Select[Any]:
    """Ids of the network and every network above it over live links: a select for ``IN``."""
    tree = reach(_from(network_id), now=now or utcnow(), upward=True, name="ancestors")
    return select(tree.c.id)


async def reaches(session: AsyncSession, start: int, target: int) -> bool:
    """Whether ``target`` is ``start`` or lies below it over the links not ended (those that
    start later too, and through deleted networks, which may be restored): what a new link
    from ``target`` down to ``start`` would close into a cycle."""
    tree = reach(_from(start), now=utcnow(), planned=True, name="below")
    found = await session.scalar(select(tree.c.id).where(tree.c.id == target).limit(1))
    return found is not None


def live_children(parent_ids: Any, *, now: datetime | None = None) -> Any:
    """``(parent_id, child network)`` of the live links from ``parent_ids`` to live networks."""
    return (
        select(col(NetworkLink.parent_id), Network)
        .join(Network, col(Network.id) == col(NetworkLink.child_id))
        .where(
            col(NetworkLink.parent_id).in_(parent_ids),
            live(NetworkLink, now or utcnow()),
            col(Network.deleted_at).is_(None),
        )
    )
