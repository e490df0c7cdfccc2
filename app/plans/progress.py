"""The whole plan in one response, and where it stands: constant queries, whatever its size.

RAG rule (per objective, counting its sub-objectives, and for the whole plan):

* **red** — a measure is off track, or more than a quarter of the milestones already due are
  overdue or missed;
* **amber** — a measure is at risk or stale, a milestone is overdue or missed, or an action is
  blocked;
* **green** — otherwise, when there is anything to judge; ``null`` when there is nothing.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.plans import service
from app.plans.deps import InPlan
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.schemas import (
    ActionCounts,
    MeasureCounts,
    MilestoneCounts,
    MilestoneStatus,
    PlanProgress,
    PlanTree,
    Rag,
)

RED_OVERDUE_SHARE = 0.25


def _ordered(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda r: (r.position, r.id))


async def _live(session: AsyncSession, model: Any, plan_id: int) -> list[Any]:
    result = await session.execute(
        select(model).where(col(model.plan_id) == plan_id, col(model.deleted_at).is_(None))
    )
    return list(result.scalars().all())


async def tree(session: AsyncSession, found: InPlan[Plan], as_of: date | None = None) -> PlanTree:
    """The plan with objectives, actions, measures and milestones nested: five queries plus
    one per derived measure source in use."""
    plan = found.plan
    assert plan.id is not None
    when = as_of or service.today()
    objectives = await _live(session, Objective, plan.id)
    actions = await _live(session, Action, plan.id)
    measures = await _live(session, Measure, plan.id)
    milestones = await _live(session, Milestone, plan.id)
    measure_views = {m.id: m for m in await service.measure_reads(session, found, measures, when)}

    milestones_by_action: dict[int, list[Any]] = defaultdict(list)
    milestones_by_objective: dict[int, list[Any]] = defaultdict(list)
    for milestone in _ordered(milestones):
        view = service.milestone_read(milestone, when)
        if milestone.action_id is not None:
            milestones_by_action[milestone.action_id].append(view)
        else:
            milestones_by_objective[milestone.objective_id].append(view)
    actions_by_objective: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in _ordered(actions):
        actions_by_objective[action.objective_id].append(
            {**action.model_dump(), "milestones": milestones_by_action.get(action.id or 0, [])}
        )
    measures_by_objective: dict[int, list[Any]] = defaultdict(list)
    for measure in _ordered(measures):
        measures_by_objective[measure.objective_id].append(measure_views[measure.id])

    children: dict[int | None, list[Objective]] = defaultdict(list)
    for objective in _ordered(objectives):
        children[objective.parent_id].append(objective)

    def node(objective: Objective) -> dict[str, Any]:
        oid = objective.id or 0
        return {
            **objective.model_dump(),
            "actions": actions_by_objective.get(oid, []),
            "measures": measures_by_objective.get(oid, []),
            "milestones": milestones_by_objective.get(oid, []),
            "children": [node(child) for child in children.get(oid, [])],
        }

    # Rows as plain dicts, validated once, as a whole, into the response model (building a
    # model per node and then the tree from them validated every node twice).
    return PlanTree.model_validate(
        {**plan.model_dump(), "objectives": [node(o) for o in children.get(None, [])]}
    )


# Counting is done on plain dicts of ints (a pydantic model per objective and group, with
# validated attribute assignment, cost most of a 1,000-objective plan's time); the response
# models are built once at the end.
Counts = dict[str, dict[str, int]]
GROUPS = {
    "actions": tuple(ActionCounts.model_fields),
    "milestones": tuple(MilestoneCounts.model_fields),
    "measures": tuple(MeasureCounts.model_fields),
}


def _rag(a: dict[str, int], m: dict[str, int], s: dict[str, int]) -> Rag | None:
    """The red/amber/green rule in the module docstring."""
    if a["total"] + m["total"] + s["total"] == 0:
        return None
    late = m["overdue"] + m["missed"]
    if s["off_track"] or (m["due"] and late / m["due"] > RED_OVERDUE_SHARE):
        return Rag.red
    if s["at_risk"] or s["stale"] or late or a["blocked"]:
        return Rag.amber
    return Rag.green


def _zero() -> Counts:
    return {group: dict.fromkeys(fields, 0) for group, fields in GROUPS.items()}


def _add(total: Counts, part: Counts) -> None:
    for group, counts in part.items():
        mine = total[group]
        for name, n in counts.items():
            if n:
                mine[name] += n


# Public names for the network roll-up (app/plans/rollup.py).
zero_counts = _zero
add_counts = _add


def _with_rag(counts: Counts) -> dict[str, Any]:
    return {
        **counts,
        "rag": _rag(counts["actions"], counts["milestones"], counts["measures"]),
    }


async def progress(
    session: AsyncSession, found: InPlan[Plan], as_of: date | None = None
) -> PlanProgress:
    """Actions by status, milestones by state and measures by status, per objective (with its
    sub-objectives) and for the plan: aggregates in SQL, a constant number of queries."""
    plan = found.plan
    assert plan.id is not None
    when = as_of or service.today()
    objective_rows = (
        await session.execute(
            select(
                col(Objective.id),
                col(Objective.parent_id),
                col(Objective.code),
                col(Objective.title),
                col(Objective.position),
            ).where(col(Objective.plan_id) == plan.id, col(Objective.deleted_at).is_(None))
        )
    ).all()
    action_counts = await session.execute(
        select(col(Action.objective_id), col(Action.status), func.count())
        .where(col(Action.plan_id) == plan.id, col(Action.deleted_at).is_(None))
        .group_by(col(Action.objective_id), col(Action.status))
    )
    past_due = case((col(Milestone.due_on) < when, 1), else_=0)
    milestone_counts = await session.execute(
        select(col(Milestone.objective_id), col(Milestone.status), past_due, func.count())
        .where(col(Milestone.plan_id) == plan.id, col(Milestone.deleted_at).is_(None))
        .group_by(col(Milestone.objective_id), col(Milestone.status), past_due)
    )
    measures = await _live(session, Measure, plan.id)
    statuses = await service.measure_statuses(session, found, measures, when)
    return summarise(
        plan.id,
        when,
        objective_rows,
        action_counts.all(),
        milestone_counts.all(),
        [
            (measure.objective_id, status, stale)
            for (status, stale), measure in zip(statuses, measures, strict=True)
        ],
    )


# --- the pure computation: preloaded rows in, PlanProgress out ------------------------------
# Shared with the network roll-up (app/plans/rollup.py), which loads the rows of many plans
# in a constant number of statements and judges each plan with this same function.


def summarise(
    plan_id: int,
    when: date,
    objective_rows: Iterable[Any],
    action_counts: Iterable[tuple[int, str, int]],
    milestone_counts: Iterable[tuple[int, str, Any, int]],
    measure_statuses: Iterable[tuple[int, str, bool]],
) -> PlanProgress:
    """One plan's progress from its rows: objectives (``id, parent_id, code, title,
    position``), ``(objective_id, status, n)`` of actions, ``(objective_id, status, past_due,
    n)`` of milestones and ``(objective_id, status, stale)`` of each measure."""
    objective_rows = list(objective_rows)
    own: dict[int, Counts] = {row.id: _zero() for row in objective_rows}
    for objective_id, status, n in action_counts:
        if objective_id in own:
            counts = own[objective_id]["actions"]
            counts[status] += n
            counts["total"] += n

    for objective_id, status, past, n in milestone_counts:
        if objective_id not in own:
            continue
        counts_m = own[objective_id]["milestones"]
        counts_m["total"] += n
        counts_m[status] += n
        if past:
            counts_m["due"] += n
            if status == MilestoneStatus.pending:
                counts_m["overdue"] += n

    for objective_id, status, stale in measure_statuses:
        if objective_id not in own:
            continue
        counts_s = own[objective_id]["measures"]
        counts_s["total"] += 1
        counts_s[status] += 1
        counts_s["stale"] += int(stale)

    children: dict[int | None, list[int]] = defaultdict(list)
    for row in sorted(objective_rows, key=lambda r: (r.position, r.id)):
        children[row.parent_id].append(row.id)
    rolled: dict[int, Counts] = {}

    def roll(objective_id: int) -> Counts:
        total = _zero()
        _add(total, own[objective_id])
        for child in children.get(objective_id, []):
            _add(total, roll(child))
        rolled[objective_id] = total
        return total

    plan_total = _zero()
    for top in children.get(None, []):
        _add(plan_total, roll(top))

    info = {row.id: row for row in objective_rows}
    ordered_ids: list[int] = []

    def walk(objective_id: int) -> None:
        ordered_ids.append(objective_id)
        for child in children.get(objective_id, []):
            walk(child)

    for top in children.get(None, []):
        walk(top)
    return PlanProgress.model_validate(
        {
            "plan_id": plan_id,
            "as_of": when,
            **_with_rag(plan_total),
            "objectives": [
                {
                    "objective_id": oid,
                    "parent_id": info[oid].parent_id,
                    "code": info[oid].code,
                    "title": info[oid].title,
                    **_with_rag(rolled[oid]),
                }
                for oid in ordered_ids
            ],
        }
    )
