"""Communities, members, meetings, cohorts, enrolments and matching: rules and queries.

Who may do what is decided in ``app/auth/policy.py``; every write here calls one of its
community ``require_*`` functions first, records an audit event, and flushes, never commits.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.models import User
from app.auth.policy import Principal
from app.communities import matching
from app.communities.models import (
    Cohort,
    Community,
    CommunityMember,
    CommunityNetwork,
    Enrolment,
    MatchingProposal,
    Meeting,
)
from app.communities.schemas import (
    CadenceRead,
    CohortCreate,
    CohortRead,
    CohortUpdate,
    CommunityCreate,
    CommunityKind,
    CommunityRead,
    CommunityRole,
    CommunityStatus,
    CommunityUpdate,
    EnrolmentCreate,
    EnrolmentRead,
    EnrolmentUpdate,
    MatchingProposalRead,
    MatchingProposalStatus,
    MatchingRequest,
    MeetingCreate,
    MeetingUpdate,
    MemberCreate,
    NetworkScope,
    TargetSizeRead,
)
from app.communities.scope import InCohort, InCommunity
from app.core import audit, softdelete
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.pagination import Sort, paginate
from app.networks.models import Network
from app.organisations.models import Organisation
from app.organisations.schemas import OrganisationKind
from app.plans.communities import register_community_directory
from app.plans.models import Action, Objective, Plan

ENROLLABLE_KINDS = frozenset({OrganisationKind.school.value, OrganisationKind.early_learning.value})


def _issue(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


def today() -> date:
    return utcnow().date()


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


def community_read(community: Community, participating: list[int]) -> CommunityRead:
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
        {**community.model_dump(), "participating_network_ids": participating, "cadence": cadence}
    )


async def community_reads(
    session: AsyncSession, communities: Sequence[Community]
) -> list[CommunityRead]:
    """Read models for a page of communities (one query for their networks)."""
    links = await participating_ids(session, (c.id for c in communities))
    return [community_read(c, links.get(c.id or 0, [])) for c in communities]


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
                _issue(["body", "participating_network_ids"], "unknown network", "unknown_network")
            ],
        )
    return wanted


def _with_networks(community: Community, network_ids: list[int]) -> dict[str, Any]:
    return {**audit.snapshot(community), "participating_network_ids": network_ids}


async def _insert_community(
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
    community = await _insert_community(session, principal, network, fields, network_ids)
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
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Community], str | None]:
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
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_community(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: CommunityUpdate,
) -> tuple[Community, list[int]]:
    policy.require_manage_community(principal, found)
    community = found.community
    changes = data.model_dump(exclude_unset=True)
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
    await softdelete.soft_delete(session, principal, found.community, network_id=found.network.id)


async def restore_community(
    session: AsyncSession, principal: Principal, found: InCommunity[Community]
) -> Community:
    policy.require_manage_community(principal, found)
    await softdelete.restore(session, principal, found.community, network_id=found.network.id)
    return found.community


async def list_community_actions(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Action], str | None]:
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
    if since is None:
        # Deleting an objective deletes its actions too (with the same stamp): a sync must
        # still see them, as tombstones.
        stmt = stmt.where(col(Objective.deleted_at).is_(None))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


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
            errors=[_issue(["body", field], "unknown community", "unknown_community")],
        )


# --- members ------------------------------------------------------------------------------


async def _require_user(session: AsyncSession, user_id: int, loc: Sequence[str | int]) -> None:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise Unprocessable(
            f"user {user_id} does not exist", errors=[_issue(loc, "unknown user", "unknown_user")]
        )


async def _require_organisation(
    session: AsyncSession, organisation_id: int, loc: Sequence[str | int]
) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise Unprocessable(
            f"organisation {organisation_id} does not exist",
            errors=[_issue(loc, "unknown organisation", "unknown_organisation")],
        )
    return org


async def _insert_member(
    session: AsyncSession,
    principal: Principal,
    community: Community,
    fields: dict[str, Any],
) -> CommunityMember:
    member = CommunityMember.model_validate({**fields, "community_id": community.id})
    session.add(member)
    await audit.record(
        session, principal, action="create", obj=member, network_id=community.network_id
    )
    return member


async def add_member(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: MemberCreate,
) -> CommunityMember:
    policy.require_run_community(principal, found)
    if data.user_id is not None:
        await _require_user(session, data.user_id, ["body", "user_id"])
        same = col(CommunityMember.user_id) == data.user_id
        who = f"user {data.user_id}"
    else:
        assert data.organisation_id is not None
        await _require_organisation(session, data.organisation_id, ["body", "organisation_id"])
        same = col(CommunityMember.organisation_id) == data.organisation_id
        who = f"organisation {data.organisation_id}"
    current = await session.scalar(
        select(col(CommunityMember.id)).where(
            col(CommunityMember.community_id) == found.community.id,
            same,
            col(CommunityMember.left_on).is_(None),
        )
    )
    if current is not None:
        raise Conflict(
            f"{who} is already a member of community {found.community.id} "
            f"(community member {current}); end that membership to change the role"
        )
    fields = data.model_dump()
    fields["joined_on"] = data.joined_on or today()
    fields["role"] = data.role.value
    return await _insert_member(session, principal, found.community, fields)


async def list_members(
    session: AsyncSession,
    community: Community,
    *,
    include_ended: bool,
    role: CommunityRole | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[CommunityMember], str | None]:
    stmt = select(CommunityMember).where(col(CommunityMember.community_id) == community.id)
    if not include_ended and since is None:  # a sync reports endings too
        stmt = stmt.where(col(CommunityMember.left_on).is_(None))
    if role is not None:
        stmt = stmt.where(col(CommunityMember.role) == role.value)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def end_member(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[CommunityMember],
    *,
    left_on: date | None,
) -> CommunityMember:
    """End a membership; the row stays as history."""
    policy.require_run_community(principal, found)
    member = found.obj
    if member.left_on is not None:
        raise Conflict(f"community member {member.id} has already left")
    end = left_on or today()
    if end < member.joined_on:
        raise Unprocessable(
            "a membership cannot end before it started",
            errors=[_issue(["body", "left_on"], "before joined_on", "left_before_joined")],
        )
    before = audit.snapshot(member)
    member.left_on = end
    session.add(member)
    await audit.record(
        session, principal, action="end", obj=member, network_id=found.network.id, before=before
    )
    return member


# --- meetings -----------------------------------------------------------------------------


async def _require_users(session: AsyncSession, user_ids: Sequence[int], field: str) -> None:
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    known = set((await session.scalars(select(col(User.id)).where(col(User.id).in_(wanted)))).all())
    unknown = [u for u in wanted if u not in known]
    if unknown:
        raise Unprocessable(
            f"no such users: {unknown}",
            errors=[_issue(["body", field], "unknown user", "unknown_user")],
        )


async def create_meeting(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: MeetingCreate,
) -> Meeting:
    policy.require_run_community(principal, found)
    await _require_users(session, data.attendee_user_ids, "attendee_user_ids")
    fields = data.model_dump()
    fields["attendee_user_ids"] = list(dict.fromkeys(data.attendee_user_ids))
    meeting = Meeting.model_validate({**fields, "community_id": found.community.id})
    session.add(meeting)
    await audit.record(
        session, principal, action="create", obj=meeting, network_id=found.network.id
    )
    return meeting


async def list_meetings(
    session: AsyncSession,
    community: Community,
    *,
    held_from: date | None,
    held_to: date | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Meeting], str | None]:
    if held_from and held_to and held_to < held_from:
        raise Unprocessable(
            "`to` is before `from`", errors=[_issue(["query", "to"], "before from", "dates")]
        )
    stmt = select(Meeting).where(col(Meeting.community_id) == community.id)
    if held_from is not None:
        stmt = stmt.where(col(Meeting.held_on) >= held_from)
    if held_to is not None:
        stmt = stmt.where(col(Meeting.held_on) <= held_to)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_meeting(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Meeting],
    *,
    data: MeetingUpdate,
) -> Meeting:
    policy.require_run_community(principal, found)
    changes = data.model_dump(exclude_unset=True)
    if "attendee_user_ids" in changes:
        await _require_users(session, changes["attendee_user_ids"], "attendee_user_ids")
        changes["attendee_user_ids"] = list(dict.fromkeys(changes["attendee_user_ids"]))
    meeting = found.obj
    before = audit.snapshot(meeting)
    meeting.sqlmodel_update(changes)
    session.add(meeting)
    await audit.record(
        session, principal, action="update", obj=meeting, network_id=found.network.id, before=before
    )
    return meeting


async def delete_meeting(
    session: AsyncSession, principal: Principal, found: InCommunity[Meeting]
) -> None:
    policy.require_run_community(principal, found)
    await softdelete.soft_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_meeting(
    session: AsyncSession, principal: Principal, found: InCommunity[Meeting]
) -> Meeting:
    policy.require_run_community(principal, found)
    await softdelete.restore(session, principal, found.obj, network_id=found.network.id)
    return found.obj


# --- cohorts ------------------------------------------------------------------------------


async def enrolled_counts(
    session: AsyncSession, cohort_ids: Iterable[int | None]
) -> dict[int, int]:
    """Current enrolments per cohort, in one query."""
    ids = [i for i in cohort_ids if i is not None]
    if not ids:
        return {}
    rows = await session.execute(
        select(col(Enrolment.cohort_id), func.count())
        .where(col(Enrolment.cohort_id).in_(ids), col(Enrolment.withdrawn_on).is_(None))
        .group_by(col(Enrolment.cohort_id))
    )
    return {cohort_id: int(n) for cohort_id, n in rows.all()}


def cohort_read(cohort: Cohort, enrolled: int) -> CohortRead:
    target = None
    if cohort.target_size_min is not None and cohort.target_size_max is not None:
        target = TargetSizeRead(min=cohort.target_size_min, max=cohort.target_size_max)
    return CohortRead.model_validate(
        {**cohort.model_dump(), "target_size": target, "enrolled": enrolled}
    )


async def cohort_reads(session: AsyncSession, cohorts: Sequence[Cohort]) -> list[CohortRead]:
    counts = await enrolled_counts(session, (c.id for c in cohorts))
    return [cohort_read(c, counts.get(c.id or 0, 0)) for c in cohorts]


def _target_fields(target: dict[str, Any] | None) -> dict[str, Any]:
    target = target or {}
    return {"target_size_min": target.get("min"), "target_size_max": target.get("max")}


async def create_cohort(
    session: AsyncSession, principal: Principal, network: Network, *, data: CohortCreate
) -> Cohort:
    policy.require_community_write(principal, network)
    fields = data.model_dump(exclude={"target_size"})
    fields.update(_target_fields(data.target_size.model_dump() if data.target_size else None))
    cohort = Cohort.model_validate({**fields, "network_id": network.id})
    session.add(cohort)
    await audit.record(session, principal, action="create", obj=cohort, network_id=network.id)
    return cohort


async def list_cohorts(
    session: AsyncSession,
    network: Network,
    *,
    q: str | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Cohort], str | None]:
    stmt = select(Cohort).where(col(Cohort.network_id) == network.id)
    if q:
        stmt = stmt.where(func.lower(col(Cohort.name)).contains(q.lower(), autoescape=True))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_cohort(
    session: AsyncSession, principal: Principal, found: InCohort[Cohort], *, data: CohortUpdate
) -> Cohort:
    policy.require_community_write(principal, found.network)
    cohort = found.cohort
    changes = data.model_dump(exclude_unset=True)
    if "target_size" in changes:
        changes.update(_target_fields(changes.pop("target_size")))
    launch = changes.get("launch_on", cohort.launch_on)
    end = changes.get("end_on", cohort.end_on)
    if end is not None and end < launch:
        raise Unprocessable(
            "end_on is before launch_on",
            errors=[_issue(["body", "end_on"], "before launch_on", "dates")],
        )
    before = audit.snapshot(cohort)
    cohort.sqlmodel_update(changes)
    session.add(cohort)
    await audit.record(
        session, principal, action="update", obj=cohort, network_id=found.network.id, before=before
    )
    return cohort


async def delete_cohort(
    session: AsyncSession, principal: Principal, found: InCohort[Cohort]
) -> None:
    policy.require_community_write(principal, found.network)
    await softdelete.soft_delete(session, principal, found.cohort, network_id=found.network.id)


async def restore_cohort(
    session: AsyncSession, principal: Principal, found: InCohort[Cohort]
) -> Cohort:
    policy.require_community_write(principal, found.network)
    await softdelete.restore(session, principal, found.cohort, network_id=found.network.id)
    return found.cohort


# --- enrolments ---------------------------------------------------------------------------


def _topics(topics: Iterable[str]) -> list[str]:
    """Tags without case-insensitive duplicates, first spelling kept."""
    seen: dict[str, str] = {}
    for topic in topics:
        seen.setdefault(topic.casefold(), topic)
    return list(seen.values())


async def enrolment_reads(
    session: AsyncSession, enrolments: Sequence[Enrolment]
) -> list[EnrolmentRead]:
    """Read models with each school's name and local authority (one query)."""
    ids = sorted({e.organisation_id for e in enrolments})
    orgs: dict[int, tuple[str, str | None]] = {}
    if ids:
        rows = await session.execute(
            select(
                col(Organisation.id), col(Organisation.name), col(Organisation.local_authority)
            ).where(col(Organisation.id).in_(ids))
        )
        orgs = {oid: (name, la) for oid, name, la in rows.all() if oid is not None}
    return [
        EnrolmentRead.model_validate(
            {
                **e.model_dump(),
                "organisation_name": orgs.get(e.organisation_id, ("", None))[0],
                "local_authority": orgs.get(e.organisation_id, ("", None))[1],
            }
        )
        for e in enrolments
    ]


async def enrol(
    session: AsyncSession, principal: Principal, found: InCohort[Cohort], *, data: EnrolmentCreate
) -> Enrolment:
    policy.require_community_write(principal, found.network)
    org = await _require_organisation(session, data.organisation_id, ["body", "organisation_id"])
    if org.kind not in ENROLLABLE_KINDS:
        raise Unprocessable(
            f"organisation {org.id} is a {org.kind}; only schools and early learning settings "
            "enrol in a cohort",
            errors=[_issue(["body", "organisation_id"], "not a school", "not_a_school")],
        )
    current = await session.scalar(
        select(col(Enrolment.id)).where(
            col(Enrolment.cohort_id) == found.cohort.id,
            col(Enrolment.organisation_id) == data.organisation_id,
            col(Enrolment.withdrawn_on).is_(None),
        )
    )
    if current is not None:
        raise Conflict(
            f"organisation {data.organisation_id} is already enrolled (enrolment {current})"
        )
    enrolment = Enrolment(
        cohort_id=found.cohort.id or 0,
        organisation_id=data.organisation_id,
        enquiry=data.enquiry,
        topics=_topics(data.topics),
        enrolled_on=data.enrolled_on or today(),
    )
    session.add(enrolment)
    await audit.record(
        session, principal, action="create", obj=enrolment, network_id=found.network.id
    )
    return enrolment


async def list_enrolments(
    session: AsyncSession,
    cohort: Cohort,
    *,
    include_withdrawn: bool,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Enrolment], str | None]:
    stmt = select(Enrolment).where(col(Enrolment.cohort_id) == cohort.id)
    if not include_withdrawn and since is None:  # a sync reports withdrawals too
        stmt = stmt.where(col(Enrolment.withdrawn_on).is_(None))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_enrolment(
    session: AsyncSession,
    principal: Principal,
    found: InCohort[Enrolment],
    *,
    data: EnrolmentUpdate,
) -> Enrolment:
    policy.require_community_write(principal, found.network)
    enrolment = found.obj
    if enrolment.withdrawn_on is not None:
        raise Conflict(f"enrolment {enrolment.id} was withdrawn; enrol the school again")
    changes = data.model_dump(exclude_unset=True)
    if "topics" in changes:
        changes["topics"] = _topics(changes["topics"])
    before = audit.snapshot(enrolment)
    enrolment.sqlmodel_update(changes)
    session.add(enrolment)
    await audit.record(
        session,
        principal,
        action="update",
        obj=enrolment,
        network_id=found.network.id,
        before=before,
    )
    return enrolment


async def withdraw(
    session: AsyncSession, principal: Principal, found: InCohort[Enrolment]
) -> Enrolment:
    """Withdraw a school from a cohort; the enrolment stays as history."""
    policy.require_community_write(principal, found.network)
    enrolment = found.obj
    if enrolment.withdrawn_on is not None:
        raise Conflict(f"enrolment {enrolment.id} is already withdrawn")
    before = audit.snapshot(enrolment)
    enrolment.withdrawn_on = max(today(), enrolment.enrolled_on)
    session.add(enrolment)
    await audit.record(
        session,
        principal,
        action="withdraw",
        obj=enrolment,
        network_id=found.network.id,
        before=before,
    )
    return enrolment


# --- matching -----------------------------------------------------------------------------


async def _candidates(session: AsyncSession, cohort_id: int) -> list[matching.Candidate]:
    rows = await session.execute(
        select(
            col(Enrolment.organisation_id), col(Organisation.local_authority), col(Enrolment.topics)
        )
        .join(Organisation, col(Organisation.id) == col(Enrolment.organisation_id))
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.withdrawn_on).is_(None))
        .order_by(col(Enrolment.organisation_id))
    )
    return [matching.Candidate.of(oid, la, topics or []) for oid, la, topics in rows.all()]


def _team_json(team: matching.Team) -> dict[str, Any]:
    return {
        "organisation_ids": list(team.organisation_ids),
        "score": team.score,
        "shared_topics": list(team.shared_topics),
        "local_authorities": list(team.local_authorities),
        "reasons": [
            {
                "organisation_id": p.organisation_id,
                "shared_topics": list(p.shared_topics),
                "reason": p.reason,
            }
            for p in team.placements
        ],
    }


def _summary_json(summary: matching.Summary) -> dict[str, Any]:
    return {
        "schools": summary.schools,
        "teams": summary.teams,
        "size_distribution": {str(k): v for k, v in summary.size_distribution.items()},
        "mean_topic_overlap": summary.mean_topic_overlap,
        "teams_with_shared_topic": summary.teams_with_shared_topic,
        "cross_authority_teams": summary.cross_authority_teams,
        "single_authority_teams": summary.single_authority_teams,
        "cross_authority_share": summary.cross_authority_share,
        "cross_authority_possible": summary.cross_authority_possible,
    }


def proposal_read(proposal: MatchingProposal) -> MatchingProposalRead:
    return MatchingProposalRead.model_validate(proposal, from_attributes=True)


async def propose_matching(
    session: AsyncSession,
    principal: Principal,
    found: InCohort[Cohort],
    *,
    data: MatchingRequest,
) -> MatchingProposal:
    """Split the cohort's enrolled schools (or the ones named) into teams, as a proposal."""
    policy.require_community_write(principal, found.network)
    assert found.cohort.id is not None
    candidates = await _candidates(session, found.cohort.id)
    if data.organisation_ids is not None:
        enrolled = {c.organisation_id for c in candidates}
        unknown = sorted({i for i in data.organisation_ids if i not in enrolled})
        if unknown:
            raise Unprocessable(
                f"not enrolled in cohort {found.cohort.id}: {unknown}",
                errors=[
                    _issue(["body", "organisation_ids"], "not an enrolled school", "not_enrolled")
                ],
            )
        wanted = set(data.organisation_ids)
        if len(wanted) != len(data.organisation_ids):
            raise Unprocessable(
                "organisation_ids lists a school twice",
                errors=[_issue(["body", "organisation_ids"], "duplicate school", "duplicate")],
            )
        candidates = [c for c in candidates if c.organisation_id in wanted]
    try:
        result = matching.propose(candidates, data.min_size, data.max_size)
    except matching.MatchingError as exc:
        loc = ["path", "cohort_id"] if exc.field == "cohort" else ["body", exc.field]
        raise Unprocessable(exc.message, errors=[_issue(loc, exc.message, exc.kind)]) from exc
    proposal = MatchingProposal(
        cohort_id=found.cohort.id,
        min_size=data.min_size,
        max_size=data.max_size,
        organisation_ids=[c.organisation_id for c in candidates],
        teams=[_team_json(t) for t in result.teams],
        summary=_summary_json(result.summary),
        created_by_user_id=principal.user_id,
    )
    session.add(proposal)
    await audit.record(
        session, principal, action="create", obj=proposal, network_id=found.network.id
    )
    return proposal


async def list_proposals(
    session: AsyncSession,
    cohort: Cohort,
    *,
    status: MatchingProposalStatus | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[MatchingProposal], str | None]:
    stmt = select(MatchingProposal).where(col(MatchingProposal.cohort_id) == cohort.id)
    if status is not None:
        stmt = stmt.where(col(MatchingProposal.status) == status.value)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def accept_proposal(
    session: AsyncSession, principal: Principal, found: InCohort[MatchingProposal]
) -> MatchingProposal:
    """Create one collaborative learning team per proposed team, its schools as members."""
    policy.require_community_write(principal, found.network)
    proposal, cohort = found.obj, found.cohort
    if proposal.status == MatchingProposalStatus.accepted:
        raise Conflict(f"matching proposal {proposal.id} has already been accepted")
    assert cohort.id is not None
    accepted = await session.scalars(
        select(MatchingProposal).where(
            col(MatchingProposal.cohort_id) == cohort.id,
            col(MatchingProposal.status) == MatchingProposalStatus.accepted.value,
        )
    )
    placed = {i for p in accepted.all() for i in p.organisation_ids}
    overlap = sorted(placed & set(proposal.organisation_ids))
    if overlap:
        raise Conflict(
            f"schools {overlap} are already in teams of an accepted proposal for this cohort"
        )
    enrolled = {c.organisation_id for c in await _candidates(session, cohort.id)}
    gone = sorted(set(proposal.organisation_ids) - enrolled)
    if gone:
        raise Conflict(
            f"schools {gone} are no longer enrolled; propose a new matching for the cohort"
        )
    start = today()
    status = CommunityStatus.active if cohort.launch_on <= start else CommunityStatus.forming
    community_ids = []
    for number, team in enumerate(proposal.teams, start=1):
        shared = ", ".join(team["shared_topics"])
        fields = {
            "kind": CommunityKind.collaborative_learning_team.value,
            "title": f"{cohort.name}: team {number}",
            "focus_area": shared[:300] or None,
            "purpose": f"Collaborative learning team of {cohort.name}, matched on shared enquiry "
            f"topics across local authorities (matching proposal {proposal.id}).",
            "status": status.value,
            "cohort_id": cohort.id,
        }
        community = await _insert_community(session, principal, found.network, fields, [])
        for organisation_id in team["organisation_ids"]:
            await _insert_member(
                session,
                principal,
                community,
                {
                    "organisation_id": organisation_id,
                    "role": CommunityRole.member.value,
                    "joined_on": max(start, cohort.launch_on),
                },
            )
        assert community.id is not None
        community_ids.append(community.id)
    before = audit.snapshot(proposal)
    proposal.status = MatchingProposalStatus.accepted.value
    proposal.accepted_at = utcnow()
    proposal.accepted_by_user_id = principal.user_id
    proposal.community_ids = community_ids
    session.add(proposal)
    await audit.record(
        session,
        principal,
        action="accept",
        obj=proposal,
        network_id=found.network.id,
        before=before,
    )
    return proposal


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


register_community_directory(_Directory())
