"""Check-ins: people's judgement of an objective or a measure, next to the computed rating.

A check-in is a rating (green, amber, red), how sure the person is (0-10), a note and the day
it is for. It is append-only, audited, and recorded by whoever may record progress (readings,
evidence) on the plan's network. ``/progress`` shows the latest one per objective as
``reported_rating`` beside the computed rating, which it never replaces.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import and_, func, over, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.models import User
from app.auth.policy import Principal
from app.core.audit import AuditEvent
from app.core.errors import Unprocessable
from app.core.resources import (
    ListParams,
    audited_create,
    fetch_page,
)
from app.plans import measures as measure_rules
from app.plans import service
from app.plans.attention import short
from app.plans.changes import ChangeContext, ChangeSource, Described, register_change_source
from app.plans.checkin_schemas import CheckInCreate, CheckInRead, ReportedRating
from app.plans.models import CheckIn, Measure, Objective
from app.plans.progress_schemas import ChangeKind
from app.plans.scope import InPlan

SORTS = {"recorded_on": CheckIn.recorded_on, "recorded_at": CheckIn.recorded_at}
DEFAULT_SORT = "-recorded_on"

# A check-in's columns and its author's name, in one row (users are joined, not re-read).
_ROW = (*(getattr(CheckIn, c.name) for c in cast(Any, CheckIn).__table__.columns), col(User.name))
_AUTHOR = and_(col(CheckIn.recorded_by_kind) == "user", col(User.id) == col(CheckIn.recorded_by_id))


def read(row: Any) -> CheckInRead:
    return CheckInRead.model_validate(
        {
            **row._mapping,
            "recorded_by": {
                "kind": row.recorded_by_kind,
                "id": row.recorded_by_id,
                "name": row.name,
            },
        }
    )


async def record(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Objective] | InPlan[Measure],
    *,
    data: CheckInCreate,
) -> CheckInRead:
    """A check-in on ``found.obj`` (an objective or a measure)."""
    policy.authorize_progress_record(principal, found.network)
    service.ensure_open(found)
    today = service.today()
    if data.recorded_on is not None and data.recorded_on > today:
        raise Unprocessable(
            "recorded_on is in the future",
            errors=[{"loc": ["body", "recorded_on"], "msg": "after today", "type": "future_date"}],
        )
    target = found.obj
    check_in = CheckIn(
        plan_id=found.plan.id or 0,
        objective_id=target.id if isinstance(target, Objective) else None,
        measure_id=target.id if isinstance(target, Measure) else None,
        rating=data.rating.value,
        confidence=data.confidence,
        note=data.note,
        recorded_on=data.recorded_on or today,
        recorded_by_kind=principal.actor_kind,
        recorded_by_id=principal.actor_id,
    )
    await audited_create(session, principal, check_in, network_id=found.network.id)
    name = principal.name if principal.is_user else None  # as the lists join it
    return CheckInRead.model_validate(
        {
            **check_in.model_dump(),
            "recorded_by": {"kind": principal.actor_kind, "id": principal.actor_id, "name": name},
        }
    )


async def list_check_ins(
    session: AsyncSession, found: InPlan[Objective] | InPlan[Measure], *, params: ListParams
) -> tuple[list[CheckInRead], str | None]:
    """A page of the check-ins on an objective or a measure, with their authors' names."""
    target = found.obj
    on = (
        col(CheckIn.objective_id) == target.id
        if isinstance(target, Objective)
        else col(CheckIn.measure_id) == target.id
    )
    stmt = select(*_ROW).outerjoin(User, _AUTHOR).where(on)
    # Append-only: when a check-in was recorded is its change time.
    rows, next_cursor = await fetch_page(
        session, stmt, params, changed=CheckIn.recorded_at, scalars=False
    )
    return [read(row) for row in rows], next_cursor


@dataclass
class Latest:
    """The latest check-in per objective and per measure of a plan."""

    objectives: dict[int, ReportedRating] = field(default_factory=dict)
    measures: dict[int, ReportedRating] = field(default_factory=dict)


def _reported(row: Any) -> ReportedRating:
    return ReportedRating.model_validate(
        {
            "check_in_id": row.id,
            "rating": row.rating,
            "confidence": row.confidence,
            "note": row.note,
            "recorded_on": row.recorded_on,
            "recorded_by": {
                "kind": row.recorded_by_kind,
                "id": row.recorded_by_id,
                "name": row.name,
            },
        }
    )


async def latest(session: AsyncSession, plan_id: int, as_of: date) -> Latest:
    """The latest check-in on or before ``as_of`` of every objective and measure of a plan,
    with who recorded it: one statement (a window function), whatever the plan's size."""
    rank = over(
        func.row_number(),
        partition_by=(col(CheckIn.objective_id), col(CheckIn.measure_id)),
        order_by=(
            col(CheckIn.recorded_on).desc(),
            col(CheckIn.recorded_at).desc(),
            col(CheckIn.id).desc(),
        ),
    ).label("rank")
    inner = (
        select(*_ROW, rank)
        .outerjoin(User, _AUTHOR)
        .where(col(CheckIn.plan_id) == plan_id, col(CheckIn.recorded_on) <= as_of)
        .subquery()
    )
    rows = await session.execute(select(inner).where(inner.c.rank == 1))
    found = Latest()
    for row in rows.all():
        if row.objective_id is not None:
            found.objectives[row.objective_id] = _reported(row)
        elif row.measure_id is not None:
            found.measures[row.measure_id] = _reported(row)
    return found


def ratings(found: Latest) -> dict[int, tuple[str, date]]:
    """What a qualitative measure is judged by: its latest check-in's rating and day."""
    return {mid: (r.rating.value, r.recorded_on) for mid, r in found.measures.items()}


async def _measure_check_ins(
    session: AsyncSession, plan_id: int, as_of: date
) -> dict[int, tuple[str, date]]:
    return ratings(await latest(session, plan_id, as_of))


def _describe(event: AuditEvent, context: ChangeContext) -> Described | None:
    after = event.after or {}
    rating, note = after.get("rating"), after.get("note")
    what = f"check-in: {rating}" + (f" — {short(str(note))}" if note else "")
    measure = context.measures.get(after.get("measure_id") or 0)
    if measure is not None:
        return measure.description, measure.objective_id, what
    objective_id = after.get("objective_id")
    code = context.codes.get(objective_id or 0)
    if code is None:
        return None
    return f"objective {code}", objective_id, what


measure_rules.register_check_in_reader(_measure_check_ins)
register_change_source(
    ChangeSource(
        CheckIn.__tablename__,
        "create",
        ChangeKind.check_in,
        lambda plan_id: select(col(CheckIn.id)).where(col(CheckIn.plan_id) == plan_id),
        _describe,
    )
)
