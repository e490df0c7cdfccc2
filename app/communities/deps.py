"""Who may see and do what with communities and cohorts: the one place for these rules, built
on the authorization policy (``app/auth/policy``), and the path-object loaders that apply them.

* A community **exists for** holders of a role in its home network or in any participating
  network (or in an ancestor of one of them: ``can_see``), and for its current members who
  are people (so a lead without a network role can run the team they lead). To anyone else
  it does not exist: ``404``. Its members, meetings and actions share its visibility.
* **Managing** a community (edit, close, delete, restore) is ``Permission.community_write``
  on its *home* network: the chair or an executive there (or a platform admin).
* **Running** it (adding and ending members, recording meetings) is for those who manage it
  and for its current ``lead`` and ``facilitator`` members who are people.
* A **cohort** belongs to one network: reading it, its enrolments and matching proposals is
  ``Permission.network_read`` there; writing any of them is ``Permission.community_write``.

Visible but not allowed is ``403``. Each loader reads its object with the community (or
cohort) and home network in one query, so a deleted parent hides everything under it.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, Principal, authorize, can, can_see
from app.communities.models import (
    Cohort,
    Community,
    CommunityMember,
    CommunityNetwork,
    Enrolment,
    MatchingProposal,
    Meeting,
)
from app.communities.schemas import CommunityRole
from app.core.db import SessionDep
from app.core.errors import Forbidden, NotFound
from app.core.models import path_id
from app.networks import service as network_service
from app.networks.models import Network

T = TypeVar("T")

RUNNING_ROLES = frozenset({CommunityRole.lead.value, CommunityRole.facilitator.value})


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


@dataclass
class InCohort(Generic[T]):
    """An object, its cohort and the cohort's network."""

    obj: T
    cohort: Cohort
    network: Network


# --- the rules ----------------------------------------------------------------------------


def can_read(principal: Principal, found: InCommunity[Any]) -> bool:
    """Whether the community exists for the caller."""
    return bool(found.member_roles) or any(can_see(principal, n) for n in found.networks)


def can_manage(principal: Principal, found: InCommunity[Any]) -> bool:
    """Edit, close, delete and restore the community: community_write on the home network."""
    return can(principal, Permission.community_write, found.network)


def can_run(principal: Principal, found: InCommunity[Any]) -> bool:
    """Manage members and meetings: who manages it, and its current lead or facilitator."""
    return can_manage(principal, found) or bool(found.member_roles & RUNNING_ROLES)


def require_manage(principal: Principal, found: InCommunity[Any]) -> None:
    if not can_manage(principal, found):
        raise Forbidden(
            f"only the chair or an executive of network {found.network.id} may change "
            f"community {found.community.id}"
        )


def require_run(principal: Principal, found: InCommunity[Any]) -> None:
    if not can_run(principal, found):
        raise Forbidden(
            f"only the lead or a facilitator of community {found.community.id}, or the chair or "
            f"an executive of network {found.network.id}, may do this"
        )


def visible_network_ids(principal: Principal, found: InCommunity[Any]) -> list[int]:
    """The community's networks whose private data (plans, for one) the caller reads."""
    return [n.id for n in found.networks if n.id is not None and can_see(principal, n)]


def require_network_read(principal: Principal, network: Network) -> None:
    authorize(principal, Permission.network_read, network)


def require_community_write(principal: Principal, network: Network) -> None:
    """Create communities or cohorts in a network, and write a cohort and what is in it."""
    authorize(principal, Permission.community_write, network)


# --- loaders ------------------------------------------------------------------------------


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
    if not can_read(principal, found):
        raise missing
    return found


async def load_in_cohort(
    session: AsyncSession,
    principal: Principal,
    model: Any,
    object_id: int,
    label: str,
    *,
    deleted: bool = False,
    cohort_id: int | None = None,
) -> InCohort[Any]:
    """The object with its cohort and network, or 404 when missing or not visible."""
    if model is Cohort:
        stmt = select(Cohort, Network).where(
            col(Cohort.id) == object_id,
            col(Cohort.deleted_at).is_not(None) if deleted else col(Cohort.deleted_at).is_(None),
        )
    else:
        stmt = (
            select(model, Cohort, Network)
            .join(Cohort, col(Cohort.id) == model.cohort_id)
            .where(col(model.id) == object_id, col(Cohort.deleted_at).is_(None))
        )
        if cohort_id is not None:
            stmt = stmt.where(col(Cohort.id) == cohort_id)
    stmt = stmt.join(Network, col(Network.id) == col(Cohort.network_id)).where(
        col(Network.deleted_at).is_(None)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"{label} {object_id} does not exist or is not visible to you")
    found = InCohort(obj=row[0], cohort=row[-2], network=row[-1])
    try:
        require_network_read(principal, found.network)
    except NotFound as exc:
        raise NotFound(f"{label} {object_id} does not exist or is not visible to you") from exc
    return found


async def readable_network(
    principal: CurrentPrincipal, session: SessionDep, network_id: Annotated[int, path_id("network")]
) -> Network:
    """The path's network, whose private data the caller reads (the caller is checked first,
    so an anonymous caller learns nothing about which ids exist)."""
    network = await network_service.get_or_404(session, network_id)
    require_network_read(principal, network)
    return network


async def valid_community(
    principal: CurrentPrincipal,
    session: SessionDep,
    community_id: Annotated[int, path_id("community")],
) -> InCommunity[Community]:
    return await load_in_community(session, principal, Community, community_id, "community")


async def valid_member(
    principal: CurrentPrincipal,
    session: SessionDep,
    community_member_id: Annotated[int, path_id("community member")],
) -> InCommunity[CommunityMember]:
    return await load_in_community(
        session, principal, CommunityMember, community_member_id, "community member"
    )


async def valid_meeting(
    principal: CurrentPrincipal,
    session: SessionDep,
    meeting_id: Annotated[int, path_id("meeting")],
) -> InCommunity[Meeting]:
    return await load_in_community(session, principal, Meeting, meeting_id, "meeting")


async def valid_cohort(
    principal: CurrentPrincipal,
    session: SessionDep,
    cohort_id: Annotated[int, path_id("cohort")],
) -> InCohort[Cohort]:
    return await load_in_cohort(session, principal, Cohort, cohort_id, "cohort")


async def valid_enrolment(
    principal: CurrentPrincipal,
    session: SessionDep,
    enrolment_id: Annotated[int, path_id("enrolment")],
) -> InCohort[Enrolment]:
    return await load_in_cohort(session, principal, Enrolment, enrolment_id, "enrolment")


async def valid_proposal(
    principal: CurrentPrincipal,
    session: SessionDep,
    cohort_id: Annotated[int, path_id("cohort")],
    proposal_id: Annotated[int, path_id("matching proposal")],
) -> InCohort[MatchingProposal]:
    return await load_in_cohort(
        session, principal, MatchingProposal, proposal_id, "matching proposal", cohort_id=cohort_id
    )


ReadableNetwork = Annotated[Network, Depends(readable_network)]
ValidCommunity = Annotated[InCommunity[Community], Depends(valid_community)]
ValidMember = Annotated[InCommunity[CommunityMember], Depends(valid_member)]
ValidMeeting = Annotated[InCommunity[Meeting], Depends(valid_meeting)]
ValidCohort = Annotated[InCohort[Cohort], Depends(valid_cohort)]
ValidEnrolment = Annotated[InCohort[Enrolment], Depends(valid_enrolment)]
ValidProposal = Annotated[InCohort[MatchingProposal], Depends(valid_proposal)]
