"""Communities: rules and queries (members in ``member_service``, meetings in
``meeting_service``), and what other domains may ask of them.

Who may do what is decided in ``app/auth/policy.py``; every write here calls one of its
community ``require_*`` functions first, records an audit event, and flushes, never commits.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.models import User
from app.auth.policy import Principal
from app.communities.models import Community, CommunityMember, CommunityNetwork
from app.communities.schemas import (
    CadenceRead,
    CommunityCreate,
    CommunityKind,
    CommunityRead,
    CommunityRole,
    CommunityStatus,
    CommunityUpdate,
    NetworkScope,
)
from app.communities.scope import InCommunity
from app.core import audit, i18n
from app.core.db import utcnow
from app.core.errors import Unprocessable
from app.core.i18n import Served
from app.core.resources import ListParams, PageResult, audited_delete, audited_restore, fetch_page
from app.networks.models import Network
from app.organisations.models import Organisation
from app.plans.communities import register_community_directory
from app.plans.models import Action, Objective, Plan


def issue(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    """One entry of a 422's ``errors``."""
    return {"loc": list(loc), "msg": msg, "type": kind}


def today() -> date:
    return utcnow().date()


async def require_users(session: AsyncSession, user_ids: Sequence[int], field: str) -> None:
    """422 unless every id is a known user (``field`` names the body field)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    known = set((await session.scalars(select(col(User.id)).where(col(User.id).in_(wanted)))).all())
    unknown = [u for u in wanted if u not in known]
    if unknown:
        raise Unprocessable(
            f"no such users: {unknown}",
            errors=[issue(["body", field], "unknown user", "unknown_user")],
        )


async def require_organisation(
    session: AsyncSession, organisation_id: int, loc: Sequence[str | int]
) -> Organisation:
    """The live organisation, or 422 at ``loc``."""
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise Unprocessable(
            f"organisation {organisation_id} does not exist",
            errors=[issue(loc, "unknown organisation", "unknown_organisation")],
        )
    return org


# --- communities --------------------------------------------------------------------------


async def participating_ids(
    session: AsyncSession, community_ids: Iterable[int | None]
) -> dict[int, list[int]]:
    """Participating network ids of each community given, in one query."""
    ids = [i for i in community_ids if i is not None]
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(col(CommunityNetwork.community_id), col(CommunityNetwork.network_id))
        .where(col(CommunityNetwork.community_id).in_(ids))
        .order_by(col(CommunityNetwork.network_id))
    )
    for community_id, network_id in rows.all():
        found[community_id].append(network_id)
    return found


def community_read(
    community: Community, participating: list[int], served: Served | None = None
) -> CommunityRead:
    """A community's read model (its text in ``served``'s language, where translated)."""
    cadence = None
    if (
        community.meeting_frequency is not None
        or community.meeting_duration_minutes is not None
        or community.meeting_format is not None
    ):
        cadence = CadenceRead.model_validate(
            {
                "frequency": community.meeting_frequency,
                "duration_minutes": community.meeting_duration_minutes,
                "format": community.meeting_format,
            }
        )
    return CommunityRead.model_validate(
        {
            **community.model_dump(),
            **(served.texts(community) if served is not None else {}),
            "participating_network_ids": participating,
            "cadence": cadence,
        }
    )


async def community_reads(
    session: AsyncSession, communities: Sequence[Community], served: Served | None = None
) -> list[CommunityRead]:
    """Read models for a page of communities (one query for their networks)."""
    links = await participating_ids(session, (c.id for c in communities))
    return [community_read(c, links.get(c.id or 0, []), served) for c in communities]


def _cadence_fields(cadence: dict[str, Any] | None) -> dict[str, Any]:
    cadence = cadence or {}
    fmt = cadence.get("format")
    return {
        "meeting_frequency": cadence.get("frequency"),
        "meeting_duration_minutes": cadence.get("duration_minutes"),
        "meeting_format": str(fmt) if fmt is not None else None,
    }


async def _checked_networks(
    session: AsyncSession, home_id: int | None, requested: Sequence[int]
) -> list[int]:
    """Participating network ids without the home network and duplicates; 422 when any is
    not a live network."""
    wanted = sorted({n for n in requested if n != home_id})
    if not wanted:
        return []
    live = set(
        (
            await session.scalars(
                select(col(Network.id)).where(
                    col(Network.id).in_(wanted), col(Network.deleted_at).is_(None)
                )
            )
        ).all()
    )
    unknown = [n for n in wanted if n not in live]
    if unknown:
        raise Unprocessable(
            f"no such networks: {unknown}",
            errors=[
                issue(["body", "participating_network_ids"], "unknown network", "unknown_network")
            ],
        )
    return wanted


def _with_networks(community: Community, network_ids: list[int]) -> dict[str, Any]:
    return {**audit.snapshot(community), "participating_network_ids": network_ids}


async def insert_community(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    fields: dict[str, Any],
    network_ids: list[int],
) -> Community:
    community = Community.model_validate(
        {
            **fields,
            "network_id": network.id,
            "created_by_user_id": principal.user_id,
        }
    )
    session.add(community)
    await session.flush()
    assert community.id is not None
    session.add_all(CommunityNetwork(community_id=community.id, network_id=n) for n in network_ids)
    await audit.record(
        session,
        principal,
        action="create",
        obj=community,
        network_id=network.id,
        after=_with_networks(community, network_ids),
    )
    return community


async def create_community(
    session: AsyncSession, principal: Principal, network: Network, *, data: CommunityCreate
) -> tuple[Community, list[int]]:
    """A community at home in ``network``; its chair or an executive creates it."""
    policy.require_community_write(principal, network)
    network_ids = await _checked_networks(session, network.id, data.participating_network_ids)
    fields = data.model_dump(exclude={"participating_network_ids", "cadence"})
    fields.update(_cadence_fields(data.cadence.model_dump() if data.cadence else None))
    community = await insert_community(session, principal, network, fields, network_ids)
    return community, network_ids


async def list_communities(
    session: AsyncSession,
    network: Network,
    *,
    scope: NetworkScope,
    kind: CommunityKind | None,
    status: CommunityStatus | None,
    cohort_id: int | None,
    q: str | None,
    params: ListParams,
) -> PageResult:
    """Communities at home in the network and/or those it takes part in."""
    home = col(Community.network_id) == network.id
    taking_part = col(Community.id).in_(
        select(col(CommunityNetwork.community_id)).where(
            col(CommunityNetwork.network_id) == network.id
        )
    )
    where = {
        NetworkScope.home: home,
        NetworkScope.participating: taking_part,
        NetworkScope.all: or_(home, taking_part),
    }[scope]
    stmt = select(Community).where(where)
    if kind is not None:
        stmt = stmt.where(col(Community.kind) == kind.value)
    if status is not None:
        stmt = stmt.where(col(Community.status) == status.value)
    if cohort_id is not None:
        stmt = stmt.where(col(Community.cohort_id) == cohort_id)
    if q:
        needle = q.lower()
        stmt = stmt.where(
            or_(
                func.lower(col(Community.title)).contains(needle, autoescape=True),
                func.lower(col(Community.focus_area)).contains(needle, autoescape=True),
            )
        )
    return await fetch_page(session, stmt, params)


async def update_community(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: CommunityUpdate,
    language: str | None = None,
) -> tuple[Community, list[int]]:
    """Change a community; its text in ``language`` (default: the home network's)."""
    policy.require_manage_community(principal, found)
    community = found.community
    changes = i18n.localised(
        found.network, community, data.model_dump(exclude_unset=True), language
    )
    # Links to participating networks that were deleted since are kept unless replaced.
    stored = (await participating_ids(session, [community.id]))[community.id or 0]
    network_ids = stored
    if "participating_network_ids" in changes:
        network_ids = await _checked_networks(
            session, community.network_id, changes.pop("participating_network_ids")
        )
    if "cadence" in changes:
        changes.update(_cadence_fields(changes.pop("cadence")))
    before = _with_networks(community, stored)
    community.sqlmodel_update(changes)
    session.add(community)
    if network_ids != stored:
        await session.execute(
            delete(CommunityNetwork).where(col(CommunityNetwork.community_id) == community.id)
        )
        assert community.id is not None
        session.add_all(
            CommunityNetwork(community_id=community.id, network_id=n) for n in network_ids
        )
    await audit.record(
        session,
        principal,
        action="update",
        obj=community,
        network_id=found.network.id,
        before=before,
        after=_with_networks(community, network_ids),
    )
    return community, network_ids


async def delete_community(
    session: AsyncSession, principal: Principal, found: InCommunity[Community]
) -> None:
    policy.require_manage_community(principal, found)
    await audited_delete(session, principal, found.community, network_id=found.network.id)


async def restore_community(
    session: AsyncSession, principal: Principal, found: InCommunity[Community]
) -> Community:
    policy.require_manage_community(principal, found)
    return await audited_restore(session, principal, found.community, network_id=found.network.id)


async def list_community_actions(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    params: ListParams,
) -> PageResult:
    """Live actions the community owns, or under objectives it is responsible for, in plans
    of its networks that the caller can read."""
    networks = policy.community_readable_network_ids(principal, found)
    community_id = found.community.id
    stmt = (
        select(Action)
        .join(Objective, col(Objective.id) == col(Action.objective_id))
        .join(Plan, col(Plan.id) == col(Action.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .where(
            or_(
                col(Action.owner_community_id) == community_id,
                col(Objective.responsible_community_id) == community_id,
            ),
            col(Plan.deleted_at).is_(None),
            col(Network.deleted_at).is_(None),
            col(Plan.network_id).in_(networks),
        )
    )
    if params.since is None:
        # Deleting an objective deletes its actions too (with the same stamp): a sync must
        # still see them, as tombstones.
        stmt = stmt.where(col(Objective.deleted_at).is_(None))
    return await fetch_page(session, stmt, params)


async def check_plan_community(
    session: AsyncSession, community_id: int, network_id: int, field: str
) -> None:
    """422 unless ``community_id`` is a live community at home in, or taking part through,
    the plan's network ``network_id`` (for plans' responsible/owner community fields)."""
    taking_part = col(Community.id).in_(
        select(col(CommunityNetwork.community_id)).where(
            col(CommunityNetwork.network_id) == network_id
        )
    )
    found = await session.scalar(
        select(col(Community.id)).where(
            col(Community.id) == community_id,
            col(Community.deleted_at).is_(None),
            or_(col(Community.network_id) == network_id, taking_part),
        )
    )
    if found is None:
        raise Unprocessable(
            f"community {community_id} is not a community of this plan's network",
            errors=[issue(["body", field], "unknown community", "unknown_community")],
        )


class _Directory:
    """What plans may ask of communities (registered below; plans do not import this package)."""

    async def check(
        self, session: AsyncSession, community_id: int, network_id: int, field: str
    ) -> None:
        await check_plan_community(session, community_id, network_id, field)

    async def titles(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
        rows = await session.execute(
            select(col(Community.id), col(Community.title)).where(col(Community.id).in_(set(ids)))
        )
        return {cid: title for cid, title in rows.all() if cid is not None}

    async def leads(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, list[int]]:
        rows = await session.execute(
            select(col(CommunityMember.community_id), col(CommunityMember.user_id))
            .where(
                col(CommunityMember.community_id).in_(set(ids)),
                col(CommunityMember.role) == CommunityRole.lead.value,
                col(CommunityMember.user_id).is_not(None),
                col(CommunityMember.left_on).is_(None),
            )
            .order_by(col(CommunityMember.id))
        )
        found: dict[int, list[int]] = {}
        for community_id, user_id in rows.all():
            if user_id is not None:
                found.setdefault(community_id, []).append(user_id)
        return found


register_community_directory(_Directory())
