"""Programmes, their sessions, enrolments and attendance: rules and queries (evaluations are
in ``app/programmes/evaluation_service.py``).

Who may do what is decided in ``app/auth/policy.py``; every write here calls its
``require_partnership_write`` first, records an audit event (the resource kit's ``audited_*``
helpers), and flushes, never commits. A programme's delivering partnerships are checked by the
partnerships service.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.models import User
from app.auth.policy import Principal
from app.cohorts.models import Cohort
from app.core import audit, i18n
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    Scoped,
    audited_create,
    audited_delete,
    audited_update,
    fetch_page,
)
from app.networks.models import Network
from app.partnerships import service as partnership_service
from app.programmes.models import (
    Programme,
    ProgrammeEnrolment,
    ProgrammeSession,
    SessionAttendance,
)
from app.programmes.schemas import (
    AttendanceRead,
    ProgrammeCreate,
    ProgrammeEnrolmentCreate,
    ProgrammeUpdate,
    SessionCreate,
)


def _issue(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


def today() -> date:
    return utcnow().date()


async def _check_programme_links(
    session: AsyncSession,
    network: Network,
    partnership_ids: Iterable[int] | None,
    cohort_id: int | None,
) -> list[int] | None:
    wanted = None
    if partnership_ids is not None:
        wanted = await partnership_service.live_partnership_ids(session, network, partnership_ids)
    if cohort_id is not None:
        cohort = await session.get(Cohort, cohort_id)
        if cohort is None or cohort.deleted_at is not None or cohort.network_id != network.id:
            raise Unprocessable(
                f"no such cohort of network {network.id}: {cohort_id}",
                errors=[_issue(["body", "cohort_id"], "unknown cohort", "unknown")],
            )
    return wanted


async def create_programme(
    session: AsyncSession, principal: Principal, network: Network, *, data: ProgrammeCreate
) -> Programme:
    policy.require_partnership_write(principal, network)
    ids = await _check_programme_links(session, network, data.partnership_ids, data.cohort_id)
    programme = Programme.model_validate(
        {
            **data.model_dump(mode="json"),
            "partnership_ids": ids or [],
            "network_id": network.id,
            "created_by_user_id": principal.user_id,
        }
    )
    return await audited_create(session, principal, programme, network_id=network.id)


async def list_programmes(
    session: AsyncSession,
    network: Network,
    *,
    params: ListParams,
) -> PageResult:
    stmt = select(Programme).where(col(Programme.network_id) == network.id)
    return await fetch_page(session, stmt, params)


async def update_programme(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Programme, Network],
    *,
    data: ProgrammeUpdate,
    language: str | None = None,
) -> Programme:
    """Change a programme; its text in ``language`` (default: the network's default)."""
    policy.require_partnership_write(principal, found.network)
    changes = i18n.localised(
        found.network, found.obj, data.model_dump(exclude_unset=True, mode="json"), language
    )
    ids = await _check_programme_links(
        session, found.network, changes.get("partnership_ids"), changes.get("cohort_id")
    )
    if ids is not None:
        changes["partnership_ids"] = ids
    return await audited_update(session, principal, found.obj, changes, network_id=found.network.id)


async def delete_programme(
    session: AsyncSession, principal: Principal, found: Scoped[Programme, Network]
) -> None:
    policy.require_partnership_write(principal, found.network)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def create_session(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Programme, Network],
    *,
    data: SessionCreate,
) -> ProgrammeSession:
    policy.require_partnership_write(principal, found.network)
    row = ProgrammeSession.model_validate(
        {**data.model_dump(mode="json"), "held_on": data.held_on, "programme_id": found.obj.id}
    )
    return await audited_create(session, principal, row, network_id=found.network.id)


async def list_children(
    model: Any, session: AsyncSession, found: Scoped[Programme, Network], *, params: ListParams
) -> PageResult:
    """A page of a programme's sessions, enrolments or evaluations (``model``)."""
    stmt = select(model).where(col(model.programme_id) == found.obj.id)
    return await fetch_page(session, stmt, params)


async def create_enrolment(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Programme, Network],
    *,
    data: ProgrammeEnrolmentCreate,
) -> ProgrammeEnrolment:
    policy.require_partnership_write(principal, found.network)
    if data.user_id is not None:
        user = await session.get(User, data.user_id)
        if user is None:
            raise Unprocessable(
                f"no such user: {data.user_id}",
                errors=[_issue(["body", "user_id"], "unknown user", "unknown")],
            )
        same = col(ProgrammeEnrolment.user_id) == data.user_id
    else:
        await partnership_service.live_organisation(session, data.organisation_id or 0)
        same = col(ProgrammeEnrolment.organisation_id) == data.organisation_id
    taken = await session.scalar(
        select(col(ProgrammeEnrolment.id)).where(
            col(ProgrammeEnrolment.programme_id) == found.obj.id, same
        )
    )
    if taken is not None:
        raise Conflict(f"already enrolled on programme {found.obj.id} (enrolment {taken})")
    row = ProgrammeEnrolment(
        programme_id=found.obj.id or 0,
        user_id=data.user_id,
        organisation_id=data.organisation_id,
        enrolled_on=data.enrolled_on or today(),
    )
    return await audited_create(session, principal, row, network_id=found.network.id)


async def attendance(session: AsyncSession, session_id: int | None) -> AttendanceRead:
    ids = await session.scalars(
        select(col(SessionAttendance.enrolment_id))
        .where(col(SessionAttendance.session_id) == session_id)
        .order_by(col(SessionAttendance.enrolment_id))
    )
    return AttendanceRead(session_id=session_id or 0, enrolment_ids=list(ids.all()))


async def set_attendance(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[ProgrammeSession, Network],
    *,
    enrolment_ids: list[int],
) -> AttendanceRead:
    policy.require_partnership_write(principal, found.network)
    wanted = sorted(set(enrolment_ids))
    known = (
        set(
            (
                await session.scalars(
                    select(col(ProgrammeEnrolment.id)).where(
                        col(ProgrammeEnrolment.programme_id) == found.obj.programme_id,
                        col(ProgrammeEnrolment.id).in_(wanted),
                    )
                )
            ).all()
        )
        if wanted
        else set()
    )
    unknown = [e for e in wanted if e not in known]
    if unknown:
        raise Unprocessable(
            f"not enrolments of programme {found.obj.programme_id}: {unknown}",
            errors=[_issue(["body", "enrolment_ids"], "unknown enrolment", "unknown")],
        )
    before = await attendance(session, found.obj.id)
    await session.execute(
        delete(SessionAttendance).where(col(SessionAttendance.session_id) == found.obj.id)
    )
    session.add_all(SessionAttendance(session_id=found.obj.id or 0, enrolment_id=e) for e in wanted)
    after = AttendanceRead(session_id=found.obj.id or 0, enrolment_ids=wanted)
    await audit.record(
        session,
        principal,
        action="attendance",
        obj=found.obj,
        network_id=found.network.id,
        before=before.model_dump(),
        after=after.model_dump(),
    )
    return after
