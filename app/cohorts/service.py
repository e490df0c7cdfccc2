"""Cohorts of a collaborative learning programme and their enrolled schools: rules and queries
(matching in ``matching_service``).

A cohort belongs to one network: reading it is ``network_read`` there, writing it and what is
in it ``require_community_write`` (``app/auth/policy.py``). Every write records an audit event
and flushes, never commits.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.cohorts.models import Cohort, Enrolment
from app.cohorts.schemas import (
    CohortCreate,
    CohortRead,
    CohortUpdate,
    EnrolmentCreate,
    EnrolmentFilters,
    EnrolmentRead,
    EnrolmentUpdate,
    TargetSizeRead,
)
from app.cohorts.scope import InCohort
from app.communities.service import issue, require_organisation, today
from app.core.errors import Conflict, Unprocessable
from app.core.filters import NameSearch
from app.core.resources import (
    ListParams,
    PageResult,
    Scoped,
    audited_create,
    audited_delete,
    audited_restore,
    audited_update,
    fetch_page,
)
from app.networks.models import Network
from app.organisations.models import Organisation
from app.organisations.schemas import OrganisationKind

ENROLLABLE_KINDS = frozenset({OrganisationKind.school.value, OrganisationKind.early_learning.value})
FoundCohort = Scoped[Cohort, Network]
"""A cohort and its live network, as the kit's scoped loader gives them."""

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
    return await audited_create(session, principal, cohort, network_id=network.id)


async def list_cohorts(
    session: AsyncSession, network: Network, *, filters: NameSearch, params: ListParams
) -> PageResult:
    stmt = select(Cohort).where(col(Cohort.network_id) == network.id)
    if q := filters.q:
        stmt = stmt.where(func.lower(col(Cohort.name)).contains(q.lower(), autoescape=True))
    return await fetch_page(session, stmt, params)


async def update_cohort(
    session: AsyncSession, principal: Principal, found: FoundCohort, *, data: CohortUpdate
) -> Cohort:
    policy.require_community_write(principal, found.network)
    cohort = found.obj
    changes = data.model_dump(exclude_unset=True)
    if "target_size" in changes:
        changes.update(_target_fields(changes.pop("target_size")))
    launch = changes.get("launch_on", cohort.launch_on)
    end = changes.get("end_on", cohort.end_on)
    if end is not None and end < launch:
        raise Unprocessable(
            "end_on is before launch_on",
            errors=[issue(["body", "end_on"], "before launch_on", "dates")],
        )
    return await audited_update(session, principal, cohort, changes, network_id=found.network.id)


async def delete_cohort(session: AsyncSession, principal: Principal, found: FoundCohort) -> None:
    policy.require_community_write(principal, found.network)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_cohort(session: AsyncSession, principal: Principal, found: FoundCohort) -> Cohort:
    policy.require_community_write(principal, found.network)
    return await audited_restore(session, principal, found.obj, network_id=found.network.id)


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
    session: AsyncSession, principal: Principal, found: FoundCohort, *, data: EnrolmentCreate
) -> Enrolment:
    policy.require_community_write(principal, found.network)
    org = await require_organisation(session, data.organisation_id, ["body", "organisation_id"])
    if org.kind not in ENROLLABLE_KINDS:
        raise Unprocessable(
            f"organisation {org.id} is a {org.kind}; only schools and early learning settings "
            "enrol in a cohort",
            errors=[issue(["body", "organisation_id"], "not a school", "not_a_school")],
        )
    current = await session.scalar(
        select(col(Enrolment.id)).where(
            col(Enrolment.cohort_id) == found.obj.id,
            col(Enrolment.organisation_id) == data.organisation_id,
            col(Enrolment.withdrawn_on).is_(None),
        )
    )
    if current is not None:
        raise Conflict(
            f"organisation {data.organisation_id} is already enrolled (enrolment {current})"
        )
    enrolment = Enrolment(
        cohort_id=found.obj.id or 0,
        organisation_id=data.organisation_id,
        enquiry=data.enquiry,
        topics=_topics(data.topics),
        enrolled_on=data.enrolled_on or today(),
    )
    return await audited_create(session, principal, enrolment, network_id=found.network.id)


async def list_enrolments(
    session: AsyncSession, found: FoundCohort, *, filters: EnrolmentFilters, params: ListParams
) -> PageResult:
    stmt = select(Enrolment).where(col(Enrolment.cohort_id) == found.obj.id)
    if not filters.include_withdrawn and params.since is None:  # a sync reports withdrawals too
        stmt = stmt.where(col(Enrolment.withdrawn_on).is_(None))
    return await fetch_page(session, stmt, params)


def _require_enrolled(enrolment: Enrolment, conflict: str) -> None:
    if enrolment.withdrawn_on is not None:
        raise Conflict(f"enrolment {enrolment.id} {conflict}")


async def update_enrolment(
    session: AsyncSession,
    principal: Principal,
    found: InCohort[Enrolment],
    *,
    data: EnrolmentUpdate,
) -> Enrolment:
    policy.require_community_write(principal, found.network)
    _require_enrolled(found.obj, "was withdrawn; enrol the school again")
    changes = data.model_dump(exclude_unset=True)
    if "topics" in changes:
        changes["topics"] = _topics(changes["topics"])
    return await audited_update(session, principal, found.obj, changes, network_id=found.network.id)


async def withdraw(
    session: AsyncSession, principal: Principal, found: InCohort[Enrolment]
) -> Enrolment:
    """Withdraw a school from a cohort; the enrolment stays as history."""
    policy.require_community_write(principal, found.network)
    enrolment = found.obj
    _require_enrolled(enrolment, "is already withdrawn")
    changes = {"withdrawn_on": max(today(), enrolment.enrolled_on)}
    return await audited_update(
        session, principal, enrolment, changes, network_id=found.network.id, action="withdraw"
    )
