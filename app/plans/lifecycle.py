"""A plan's life: the day it is judged at, its end, closing it, and copying it into the next.

* ``as_of`` defaults to today within the plan's period and to ``period_end`` after it (before
  the period, today: nothing is due yet, and judging a day that has not come would be a guess);
  a closed plan is judged at the day it was closed for.
* An ``active`` plan whose period has passed reads ``ended`` (``PlanRead``) until it is closed.
* Closing marks the pending milestones ``missed`` and keeps the ``/progress`` answer of that
  moment, which ``/progress`` returns from then on (an explicit ``as_of`` still computes).
* Copying starts the next plan from this one in a constant number of statements
  (``INSERT … SELECT``, whatever the plan's size): objectives and measures always, actions and
  milestones per ``carry_over``; every copied row names its original in ``copied_from_id``.
"""

from datetime import date
from typing import Any

from sqlalchemy import Select, case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.i18n import Served
from app.core.resources import audited_create
from app.plans import progress, service
from app.plans.models import Action, ActionStatusChange, Measure, Milestone, Objective, Plan
from app.plans.progress_schemas import PlanProgress
from app.plans.schemas import ActionStatus, CarryOver, MilestoneStatus, PlanCopy, PlanStatus
from app.plans.scope import InPlan

UNFINISHED_ACTIONS = (ActionStatus.planned, ActionStatus.in_progress, ActionStatus.blocked)


def default_as_of(plan: Plan) -> date:
    """The day a plan is judged at when the caller names none (module docstring)."""
    if plan.status == PlanStatus.closed and plan.final_progress:
        return date.fromisoformat(plan.final_progress["as_of"])
    return min(service.today(), plan.period_end)


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan for the audit trail, without its (large) final progress snapshot."""
    snap = audit.snapshot(plan)
    snap.pop("final_progress", None)
    return snap


def _kept(
    found: InPlan[Plan], as_of: date | None, since: date | None, served: Served | None
) -> PlanProgress | None:
    """The snapshot a closed plan kept, when it answers (no day or ``since`` asked for). It
    was kept in the default language: served in another, it says it fell back."""
    plan = found.plan
    closed = plan.status == PlanStatus.closed and plan.final_progress is not None
    if as_of is not None or since is not None or not closed:
        return None
    if served is not None and not served.is_default:
        served.fell_back = True
    return PlanProgress.model_validate(plan.final_progress)


async def plan_progress(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None,
    since: date | None = None,
    *,
    served: Served | None = None,
) -> PlanProgress:
    """``/progress``: the kept snapshot of a closed plan (unless a day or ``since`` is asked
    for), or computed at ``as_of`` (its text in ``served``'s language)."""
    kept = _kept(found, as_of, since, served)
    if kept is not None:
        return kept
    return await progress.progress(
        session, found, as_of or default_as_of(found.plan), since, served=served
    )


async def plan_progress_body(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None,
    since: date | None = None,
    *,
    served: Served | None = None,
) -> dict[str, Any]:
    """``plan_progress`` as the answer's JSON-ready dict (app/core/answers.py)."""
    kept = _kept(found, as_of, since, served)
    if kept is not None:
        return kept.model_dump(mode="json")
    return await progress.progress_body(
        session, found, as_of or default_as_of(found.plan), since, served=served
    )


async def close(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Plan],
    *,
    before: dict[str, Any] | None = None,
) -> Plan:
    """Close a plan: pending milestones become missed, the progress answer is kept, the plan
    becomes read-only. ``409`` when it is closed already."""
    policy.authorize_plan_write(principal, found.network)
    plan = found.plan
    if plan.status == PlanStatus.closed:
        raise Conflict(f"plan {plan.id} is closed already")
    before = before if before is not None else plan_snapshot(plan)
    now = utcnow()
    missed = await session.execute(
        update(Milestone)
        .where(
            col(Milestone.plan_id) == plan.id,
            col(Milestone.status) == MilestoneStatus.pending.value,
            col(Milestone.deleted_at).is_(None),
        )
        .values(status=MilestoneStatus.missed.value, version=Milestone.version + 1, updated_at=now)
        .returning(col(Milestone.id))
        .execution_options(synchronize_session=False)
    )
    missed_ids = sorted(i for i in missed.scalars().all() if i is not None)
    final = await progress.progress(session, found, min(service.today(), plan.period_end))
    plan.status = PlanStatus.closed
    plan.closed_at = now
    plan.final_progress = final.model_dump(mode="json")
    session.add(plan)
    await audit.record(
        session,
        principal,
        action="update",
        obj=plan,
        network_id=found.network.id,
        before=before,
        after={**plan_snapshot(plan), "missed_milestone_ids": missed_ids},
    )
    return plan


def _table(model: Any) -> Any:
    return model.__table__


def _columns(model: Any, skip: set[str]) -> list[str]:
    """The columns an INSERT … SELECT copies as they are."""
    fixed = {"id", "plan_id", "copied_from_id", "created_at", "updated_at", "version", "deleted_at"}
    return [c.name for c in model.__table__.columns if c.name not in fixed | skip]


async def _insert_select(
    session: AsyncSession, model: Any, names: list[str], query: Select[Any]
) -> None:
    await session.execute(
        model.__table__.insert().from_select(names, query),
        execution_options={"synchronize_session": False},
    )


async def close_now(session: AsyncSession, principal: Principal, found: InPlan[Plan]) -> Plan:
    """Close the plan (``close``) and write it, so its new version can be answered."""
    plan = await close(session, principal, found)
    await session.flush()
    return plan


async def copy(
    session: AsyncSession, principal: Principal, found: InPlan[Plan], *, data: PlanCopy
) -> Plan:
    """Start a new plan from ``found.plan`` (module docstring): six INSERT … SELECT / UPDATE
    statements after the plan's own insert and audit, however large the plan."""
    policy.authorize_plan_write(principal, found.network)
    source = found.plan
    new = Plan(
        network_id=source.network_id,
        title=data.title,
        aim=source.aim,
        period_start=data.period_start,
        period_end=data.period_end,
        status=data.status.value,
        copied_from_id=source.id,
        # The aim is copied, so are its translations; the new title has none yet. The items'
        # translations are columns, copied with them below.
        translations={
            lang: {"aim": texts["aim"]}
            for lang, texts in (source.translations or {}).items()
            if "aim" in texts
        }
        or None,
    )
    await audited_create(session, principal, new, network_id=found.network.id)
    assert new.id is not None and source.id is not None
    now = utcnow()
    stamp = {
        "plan_id": literal(new.id),
        "created_at": literal(now, _table(Objective).c.created_at.type),
        "updated_at": literal(now, _table(Objective).c.updated_at.type),
        "version": literal(1),
    }
    stamp_names = list(stamp)
    everything = CarryOver(data.carry_over) is CarryOver.all

    # Objectives, then their parents re-pointed at the copies.
    names = _columns(Objective, {"parent_id"})
    await _insert_select(
        session,
        Objective,
        [*stamp_names, *names, "copied_from_id"],
        select(*stamp.values(), *(_table(Objective).c[n] for n in names), col(Objective.id)).where(
            col(Objective.plan_id) == source.id, col(Objective.deleted_at).is_(None)
        ),
    )
    copied, original = aliased(Objective), aliased(Objective)
    await session.execute(
        update(Objective)
        .where(col(Objective.plan_id) == new.id)
        .values(
            parent_id=select(col(copied.id))
            .join(original, col(original.parent_id) == col(copied.copied_from_id))
            .where(
                col(original.id) == col(Objective.copied_from_id),
                col(copied.plan_id) == new.id,
            )
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )

    def into_copy(model: Any) -> Any:
        """The copy of ``model``'s objective in the new plan (a join)."""
        return (
            copied,
            (col(copied.copied_from_id) == model.objective_id) & (col(copied.plan_id) == new.id),
        )

    # Measures: targets kept, readings not.
    names = _columns(Measure, {"objective_id"})
    await _insert_select(
        session,
        Measure,
        [*stamp_names, "objective_id", *names, "copied_from_id"],
        select(
            *stamp.values(),
            col(copied.id),
            *(_table(Measure).c[n] for n in names),
            col(Measure.id),
        )
        .join(*into_copy(Measure))
        .where(col(Measure.plan_id) == source.id, col(Measure.deleted_at).is_(None)),
    )

    # Actions: unfinished ones as they are; with ``all`` the finished ones start again.
    names = _columns(Action, {"objective_id", "status"})
    action_status: Any = col(Action.status)
    if everything:
        action_status = case(
            (col(Action.status).in_([s.value for s in UNFINISHED_ACTIONS]), col(Action.status)),
            else_=literal(ActionStatus.planned.value),
        )
    actions = (
        select(
            *stamp.values(),
            col(copied.id),
            action_status,
            *(_table(Action).c[n] for n in names),
            col(Action.id),
        )
        .join(*into_copy(Action))
        .where(col(Action.plan_id) == source.id, col(Action.deleted_at).is_(None))
    )
    if not everything:
        actions = actions.where(col(Action.status).in_([s.value for s in UNFINISHED_ACTIONS]))
    await _insert_select(
        session, Action, [*stamp_names, "objective_id", "status", *names, "copied_from_id"], actions
    )
    await _insert_select(
        session,
        ActionStatusChange,
        ["action_id", "to_status", "note", "changed_at", "changed_by_kind", "changed_by_id"],
        select(
            col(Action.id),
            col(Action.status),
            literal(f"carried over from plan {source.id}"),
            stamp["created_at"],
            literal(principal.actor_kind),
            literal(principal.actor_id),
        ).where(col(Action.plan_id) == new.id),
    )

    # Milestones: on the copy of their action when it came along, else on the objective.
    names = _columns(Milestone, {"objective_id", "action_id", "status", "achieved_on"})
    carried_action = aliased(Action)
    pending = col(Milestone.status) == MilestoneStatus.pending.value
    milestones = (
        select(
            *stamp.values(),
            col(copied.id),
            col(carried_action.id),
            literal(MilestoneStatus.pending.value),
            literal(None, _table(Milestone).c.achieved_on.type),
            *(_table(Milestone).c[n] for n in names),
            col(Milestone.id),
        )
        .join(*into_copy(Milestone))
        .outerjoin(
            carried_action,
            (col(carried_action.copied_from_id) == col(Milestone.action_id))
            & (col(carried_action.plan_id) == new.id),
        )
        .where(col(Milestone.plan_id) == source.id, col(Milestone.deleted_at).is_(None))
    )
    if not everything:
        milestones = milestones.where(pending)
    await _insert_select(
        session,
        Milestone,
        [
            *stamp_names,
            "objective_id",
            "action_id",
            "status",
            "achieved_on",
            *names,
            "copied_from_id",
        ],
        milestones,
    )
    return new
