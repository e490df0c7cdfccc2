"""Derived measure sources over communities (registered on import; the router imports this).

* ``communities`` — how many live communities of a ``kind`` (any kind when left out) with
  ``status`` (default ``active``) have the plan's network as their home network: "a minimum
  of 3 thematic working groups established".
* ``community_min_members`` — the smallest current membership (members who have not left)
  among the live, active communities of a ``kind`` at home in the plan's network: "minimum 4
  people in each working group". ``members`` counts everyone (default), only ``users`` or
  only ``organisations``. With no such community the value is **null** (status ``no_data``):
  "each group has at least 4" says nothing until a group exists, and reporting 0 would claim
  a group with nobody in it; how many groups exist is the ``communities`` source's question.

Both read the live state, as ``child_networks`` does: communities have no status history, so
``as_of`` does not move them back in time. Each source issues one query for all its measures
in a plan, whatever their parameters.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.communities.models import Community, CommunityMember
from app.communities.schemas import CommunityKind, CommunityStatus
from app.plans.measures import Batch, MeasureScope, MeasureSource, register
from app.plans.models import Measure


class MemberType(StrEnum):
    all = "all"
    users = "users"
    organisations = "organisations"


class CommunitiesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CommunityKind | None = Field(
        default=None, description="Only communities of this kind (any kind when left out)."
    )
    status: CommunityStatus = Field(
        default=CommunityStatus.active, description="Only communities with this status."
    )


class MinMembersParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CommunityKind = Field(description="The kind of community, e.g. working_group.")
    members: MemberType = Field(
        default=MemberType.all, description="Count all members, only users, or organisations."
    )


async def _communities_many(session: AsyncSession, batch: Batch) -> dict[int, float | None]:
    networks = {scope.network.id for scope, _ in batch}
    rows = await session.execute(
        select(col(Community.network_id), col(Community.kind), col(Community.status), func.count())
        .where(col(Community.network_id).in_(networks), col(Community.deleted_at).is_(None))
        .group_by(col(Community.network_id), col(Community.kind), col(Community.status))
    )
    counts: dict[int, dict[tuple[str, str], int]] = {}
    for network_id, kind, status, n in rows.all():
        counts.setdefault(network_id, {})[(kind, status)] = int(n)
    values: dict[int, float | None] = {}
    for scope, measures in batch:
        mine = counts.get(scope.network.id or 0, {})
        for measure in measures:
            params = CommunitiesParams.model_validate(measure.source_params)
            total = sum(
                n
                for (kind, status), n in mine.items()
                if status == params.status.value
                and (params.kind is None or kind == params.kind.value)
            )
            if measure.id is not None:
                values[measure.id] = float(total)
    return values


async def _communities(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    return await _communities_many(session, [(scope, measures)])


async def _min_members_many(session: AsyncSession, batch: Batch) -> dict[int, float | None]:
    networks = {scope.network.id for scope, _ in batch}
    current = and_(
        col(CommunityMember.community_id) == col(Community.id),
        col(CommunityMember.left_on).is_(None),
    )
    rows = await session.execute(
        select(
            col(Community.network_id),
            col(Community.id),
            col(Community.kind),
            func.count(col(CommunityMember.id)),
            func.count(col(CommunityMember.user_id)),
            func.count(col(CommunityMember.organisation_id)),
        )
        .outerjoin(CommunityMember, current)
        .where(
            col(Community.network_id).in_(networks),
            col(Community.deleted_at).is_(None),
            col(Community.status) == CommunityStatus.active.value,
        )
        .group_by(col(Community.network_id), col(Community.id), col(Community.kind))
    )
    sizes: dict[int, dict[str, dict[MemberType, list[int]]]] = {}
    for network_id, _, kind, everyone, users, organisations in rows.all():
        by_type = sizes.setdefault(network_id, {}).setdefault(kind, {t: [] for t in MemberType})
        by_type[MemberType.all].append(int(everyone))
        by_type[MemberType.users].append(int(users))
        by_type[MemberType.organisations].append(int(organisations))
    values: dict[int, float | None] = {}
    for scope, measures in batch:
        mine = sizes.get(scope.network.id or 0, {})
        for measure in measures:
            params = MinMembersParams.model_validate(measure.source_params)
            counts = mine.get(params.kind.value, {}).get(params.members, [])
            if measure.id is not None:
                values[measure.id] = float(min(counts)) if counts else None
    return values


async def _min_members(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    return await _min_members_many(session, [(scope, measures)])


register(
    MeasureSource(
        name="communities",
        description="How many communities of a kind (default: any) with a status (default: "
        "active) the plan's network is home to, e.g. 'a minimum of 3 thematic working groups'.",
        params_model=CommunitiesParams,
        compute=_communities,
        compute_many=_communities_many,
    )
)
register(
    MeasureSource(
        name="community_min_members",
        description="The smallest current membership among the plan's network's active "
        "communities of a kind, e.g. 'minimum 4 people in each working group'; null (no data) "
        "while there is no such community.",
        params_model=MinMembersParams,
        compute=_min_members,
        compute_many=_min_members_many,
    )
)
