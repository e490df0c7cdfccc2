"""Communities loaded with what decides who sees them: the loader reads its object with the
community and home network in one query, so a deleted community hides everything under it,
and answers 404 for what the caller may not see (the rule is ``can_read_community`` in
``app/auth/policy.py``). ``app/communities/deps.py`` wraps it as path dependencies."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.communities.models import Community, CommunityMember, CommunityNetwork
from app.core.errors import NotFound
from app.networks.models import Network

T = TypeVar("T")


@dataclass
class InCommunity(Generic[T]):
    """An object, its community, the home network, the participating networks and the
    caller's current roles in the community."""

    obj: T
    community: Community
    network: Network
    participating: list[Network]
    member_roles: frozenset[str]

    @property
    def networks(self) -> list[Network]:
        return [self.network, *self.participating]


async def member_roles(
    session: AsyncSession, principal: Principal, community_id: int
) -> frozenset[str]:
    """The caller's current roles in a community (none for service accounts)."""
    if not principal.is_user:
        return frozenset()
    rows = await session.scalars(
        select(col(CommunityMember.role)).where(
            col(CommunityMember.community_id) == community_id,
            principal.user_id_equals(col(CommunityMember.user_id)),
            col(CommunityMember.left_on).is_(None),
        )
    )
    return frozenset(rows.all())


async def participating_networks(session: AsyncSession, community_id: int) -> list[Network]:
    rows = await session.scalars(
        select(Network)
        .join(CommunityNetwork, col(CommunityNetwork.network_id) == col(Network.id))
        .where(
            col(CommunityNetwork.community_id) == community_id, col(Network.deleted_at).is_(None)
        )
        .order_by(col(Network.id))
    )
    return list(rows.all())


async def load_in_community(
    session: AsyncSession,
    principal: Principal,
    model: Any,
    object_id: int,
    label: str,
    *,
    deleted: bool = False,
) -> InCommunity[Any]:
    """The object with its community and networks, or 404 when missing or not visible."""
    if model is Community:
        stmt = select(Community, Network).where(col(Community.id) == object_id)
        target = Community
    else:
        stmt = (
            select(model, Community, Network)
            .join(Community, col(Community.id) == model.community_id)
            .where(col(model.id) == object_id, col(Community.deleted_at).is_(None))
        )
        target = model
    if hasattr(target, "deleted_at"):
        gone = col(target.deleted_at)
        stmt = stmt.where(gone.is_not(None) if deleted else gone.is_(None))
    stmt = stmt.join(Network, col(Network.id) == col(Community.network_id)).where(
        col(Network.deleted_at).is_(None)
    )
    row = (await session.execute(stmt)).first()
    missing = NotFound(f"{label} {object_id} does not exist or is not visible to you")
    if row is None:
        raise missing
    community: Community = row[-2]
    assert community.id is not None
    found = InCommunity(
        obj=row[0],
        community=community,
        network=row[-1],
        participating=await participating_networks(session, community.id),
        member_roles=(
            frozenset()
            if deleted and model is Community
            else await member_roles(session, principal, community.id)
        ),
    )
    if not policy.can_read_community(principal, found):
        raise missing
    return found
