"""The whole plan in one response, and where it stands: constant queries, whatever its size.

The rating rule (per objective, counting its sub-objectives, and for the whole plan) is
``RATING_RULE`` in app/plans/progress_schemas.py, also in docs/plans.md and the OpenAPI
descriptions; ``rate`` applies it to counts. Named reasons and the attention list come from
app/plans/attention.py.
"""

from collections import defaultdict
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core import answers
from app.core.i18n import Served
from app.core.models import column_views, columns_of
from app.plans import attention, checkins, measure_service, milestone_service, service
from app.plans import changes as plan_changes
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.progress_schemas import (
    ActionCounts,
    MeasureCounts,
    MilestoneCounts,
    ObjectiveNode,
    PlanProgress,
    PlanTree,
)
from app.plans.schemas import ActionStatus, MilestoneStatus, PlanRead, Rag
from app.plans.scope import InPlan

RED_OVERDUE_SHARE = 0.25
# Green needs more than this share of the measures with a current value ("most").
MIN_COVERAGE = 0.5
OPEN_ACTIONS = (ActionStatus.planned.value, ActionStatus.in_progress.value)
STARTED_ACTIONS = ("in_progress", "done", "blocked")


async def _live(session: AsyncSession, model: Any, plan_id: int) -> list[Any]:
    """The plan's live rows of ``model`` with their columns as attributes (no ORM objects:
    the measure rules only read them)."""
    table = model.__table__
    result = await session.execute(
        select(*table.columns).where(table.c.plan_id == plan_id, table.c.deleted_at.is_(None))
    )
    return column_views(model, result.all())


async def _live_rows(session: AsyncSession, model: Any, plan_id: int) -> list[dict[str, Any]]:
    """The plan's live rows of ``model`` as dicts of its columns: nothing is written, so no
    ORM objects (building 1,000 of them cost more than the rest of the answer)."""
    table = model.__table__
    result = await session.execute(
        select(*table.columns).where(table.c.plan_id == plan_id, table.c.deleted_at.is_(None))
    )
    names = tuple(result.keys())
    return [dict(zip(names, row, strict=True)) for row in result.all()]


def _in_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["position"], r["id"]))


async def tree(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None = None,
    *,
    served: Served | None = None,
) -> PlanTree:
    """``tree_body`` as the response model (for reports)."""
    return PlanTree.model_validate(await tree_body(session, found, as_of, served=served))


async def tree_body(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None = None,
    *,
    served: Served | None = None,
) -> dict[str, Any]:
    """The plan with objectives, actions, measures and milestones nested, as ``PlanTree``'s
    JSON-ready dict: five queries plus one per derived measure source in use (``served``: its
    text in that language, no more)."""
    served = served or Served(found.network.default_language, found.network.default_language)
    plan = found.plan
    assert plan.id is not None
    when = as_of or service.today()
    objectives = await _live_rows(session, Objective, plan.id)
    actions = await _live_rows(session, Action, plan.id)
    measures = await _live(session, Measure, plan.id)  # judged as models (measure_service)
    milestones = await _live_rows(session, Milestone, plan.id)
    judged = await measure_service.judge_measures(session, found, measures, when)

    milestones_by_action: dict[int, list[Any]] = defaultdict(list)
    milestones_by_objective: dict[int, list[Any]] = defaultdict(list)
    for milestone in _in_order(milestones):
        view = milestone_service.milestone_fields(milestone, when)
        view.update(served.row_texts("milestones", milestone))
        if milestone["action_id"] is not None:
            milestones_by_action[milestone["action_id"]].append(view)
        else:
            milestones_by_objective[milestone["objective_id"]].append(view)
    actions_by_objective: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in _in_order(actions):
        action.update(served.row_texts("actions", action))
        action["milestones"] = milestones_by_action.get(action["id"], [])
        actions_by_objective[action["objective_id"]].append(action)
    measures_by_objective: dict[int, list[Any]] = defaultdict(list)
    for one in sorted(judged, key=lambda j: (j.measure.position, j.measure.id)):
        fields = measure_service.measure_fields(one)
        fields.update(served.texts(one.measure))
        measures_by_objective[one.measure.objective_id].append(fields)

    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for objective in _in_order(objectives):
        children[objective["parent_id"]].append(objective)

    def node(objective: dict[str, Any]) -> dict[str, Any]:
        oid = objective["id"]
        objective.update(
            served.row_texts("objectives", objective),
            actions=actions_by_objective.get(oid, []),
            measures=measures_by_objective.get(oid, []),
            milestones=milestones_by_objective.get(oid, []),
            children=[node(child) for child in children.get(oid, [])],
        )
        return objective

    # The plan itself is validated (its status is derived: ``ended``); its thousands of rows
    # are shaped, not validated again (app/core/answers.py).
    head = PlanRead.model_validate({**columns_of(plan), **served.texts(plan)})
    shape_node = answers.shaper(ObjectiveNode)
    return {
        **head.model_dump(mode="json"),
        "objectives": [shape_node(node(o)) for o in children.get(None, [])],
    }


# Counting is done on plain dicts of ints (a pydantic model per objective and group, with
# validated attribute assignment, cost most of a 1,000-objective plan's time); the response
# models are built once at the end.
Counts = dict[str, dict[str, int]]
GROUPS = {
    "actions": tuple(ActionCounts.model_fields),
    "milestones": tuple(MilestoneCounts.model_fields),
    "measures": tuple(MeasureCounts.model_fields),
}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def coverage(counts: Counts) -> float | None:
    """Share of the measures with a current, non-stale value; None without measures."""
    s = counts["measures"]
    return round(s["current"] / s["total"], 3) if s["total"] else None


def nothing_recorded(counts: Counts) -> bool:
    """No measure has a current value, no milestone is decided, no action has started."""
    a, m, s = counts["actions"], counts["milestones"], counts["measures"]
    started = sum(a[status] for status in STARTED_ACTIONS)
    return s["current"] == 0 and m["achieved"] + m["missed"] == 0 and started == 0


def rate(counts: Counts) -> tuple[Rag, list[str]]:
    """The rating (``RATING_RULE``) of counts, with the reasons counts alone can give.
    Usable on counts aggregated elsewhere (e.g. across networks)."""
    a, m, s = counts["actions"], counts["milestones"], counts["measures"]
    reasons: list[str] = []
    late = m["overdue"] + m["missed"]
    share = coverage(counts)
    if s["no_data"]:
        verb = "has" if s["no_data"] == 1 else "have"
        reasons.append(f"{s['no_data']} of {_plural(s['total'], 'measure')} {verb} no data")
    if s["stale"]:
        reasons.append(f"{_plural(s['stale'], 'measure')} overdue for a reading (stale)")
    too_late = bool(m["due"]) and late / m["due"] > RED_OVERDUE_SHARE
    if too_late:
        reasons.append(
            f"{late} of {_plural(m['due'], 'milestone')} due by now "
            f"{'is' if late == 1 else 'are'} overdue or missed (more than 25 %)"
        )
    if s["off_track"]:
        return Rag.red, reasons
    if too_late:
        return Rag.red, reasons
    started = sum(a[status] for status in STARTED_ACTIONS)
    decided = m["achieved"] + m["missed"]
    if a["total"] + m["total"] + s["total"] == 0:
        return Rag.grey, ["nothing to judge yet: no measures, milestones or actions"]
    if nothing_recorded(counts):
        reasons.append(
            "nothing recorded yet: no measure has a current value, no milestone is decided "
            "and no action has started"
        )
        return Rag.grey, reasons
    if share is not None and share <= MIN_COVERAGE:
        reasons.append(
            f"only {s['current']} of {_plural(s['total'], 'measure')} "
            f"{'has' if s['current'] == 1 else 'have'} current data; green needs more "
            "than half"
        )
        return Rag.grey, reasons
    if s["at_risk"] or s["stale"] or late or a["blocked"] or a["overdue"]:
        return Rag.amber, reasons
    parts = []
    if s["total"]:
        parts.append(f"{s['current']} of {_plural(s['total'], 'measure')} with current data")
    if decided:
        parts.append(f"{_plural(m['achieved'], 'milestone')} achieved")
    if started:
        parts.append(f"{_plural(started, 'action')} started")
    reasons.append("on track: " + ", ".join(parts) + "; nothing off track or late")
    return Rag.green, reasons


def _zero() -> Counts:
    return {group: dict.fromkeys(fields, 0) for group, fields in GROUPS.items()}


def _add_counts(total: Counts, part: Counts) -> None:
    for group, counts in part.items():
        mine = total[group]
        for name, n in counts.items():
            if n:
                mine[name] += n


# Public names for the network roll-up (app/plans/rollup.py).
zero_counts = _zero
add_counts = _add_counts


def rated(counts: Counts, named: list[str] | None = None) -> dict[str, Any]:
    rating, reasons = rate(counts)
    return {
        **counts,
        "rating": rating,
        "computed_rating": rating,
        "rag": rating,
        "coverage": coverage(counts),
        "reasons": [*(named or []), *reasons],
    }


def _measure_rows(
    judged: list[measure_service.Judged],
    objectives: dict[int, Any],
    order: list[int],
    reported: checkins.Latest,
    served: Served,
) -> list[dict[str, Any]]:
    """Each measure's computed status with its latest check-in, in plan order."""
    place = {oid: i for i, oid in enumerate(order)}
    listed = [j for j in judged if j.measure.objective_id in place]
    listed.sort(key=lambda j: (place[j.measure.objective_id], j.measure.position, j.measure.id))
    return [
        {
            "measure_id": one.measure.id,
            "objective_id": one.measure.objective_id,
            "objective_code": objectives[one.measure.objective_id].code,
            "description": served.text(one.measure, "description"),
            "kind": one.measure.kind,
            "status": one.status,
            "is_stale": one.stale,
            "current_value": one.value,
            "latest_check_in": reported.measures.get(one.measure.id or 0),
        }
        for one in listed
    ]


async def progress(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None = None,
    since: date | None = None,
    *,
    served: Served | None = None,
) -> PlanProgress:
    """``progress_body`` as the response model (for reports and the closing snapshot)."""
    return PlanProgress.model_validate(
        await progress_body(session, found, as_of, since, served=served)
    )


async def progress_body(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None = None,
    since: date | None = None,
    *,
    served: Served | None = None,
) -> dict[str, Any]:
    """Actions by status, milestones by state and measures by status, per objective (with its
    sub-objectives) and for the plan, with ratings, coverage, reasons, what needs attention
    and (with ``since``) what changed, as ``PlanProgress``'s JSON-ready dict: a constant
    number of queries (``served``: the titles and owners' text in that language, no more
    statements)."""
    served = served or Served(found.network.default_language, found.network.default_language)
    plan = found.plan
    assert plan.id is not None
    when = as_of or service.today()
    objective_rows: list[Any] = list(
        (
            await session.execute(
                select(
                    col(Objective.id),
                    col(Objective.parent_id),
                    col(Objective.code),
                    col(Objective.title),
                    col(Objective.position),
                    col(Objective.responsible_group),
                    col(Objective.responsible_community_id),
                    col(Objective.translations),
                ).where(col(Objective.plan_id) == plan.id, col(Objective.deleted_at).is_(None))
            )
        ).all()
    )
    if not served.is_default:  # the rows' text in the served language
        objective_rows = [
            SimpleNamespace(
                **{**row._mapping, **served.row_texts("objectives", dict(row._mapping))}
            )
            for row in objective_rows
        ]
    own: dict[int, Counts] = {row.id: _zero() for row in objective_rows}

    action_late = case(
        ((col(Action.due_on) < when) & col(Action.status).in_(OPEN_ACTIONS), 1), else_=0
    )
    action_counts = await session.execute(
        select(col(Action.objective_id), col(Action.status), action_late, func.count())
        .where(col(Action.plan_id) == plan.id, col(Action.deleted_at).is_(None))
        .group_by(col(Action.objective_id), col(Action.status), action_late)
    )
    for objective_id, status, late, n in action_counts.all():
        if objective_id in own:
            counts = own[objective_id]["actions"]
            counts[status] += n
            counts["total"] += n
            if late:
                counts["overdue"] += n

    past_due = case((col(Milestone.due_on) < when, 1), else_=0)
    milestone_counts = await session.execute(
        select(col(Milestone.objective_id), col(Milestone.status), past_due, func.count())
        .where(col(Milestone.plan_id) == plan.id, col(Milestone.deleted_at).is_(None))
        .group_by(col(Milestone.objective_id), col(Milestone.status), past_due)
    )
    for objective_id, status, past, n in milestone_counts.all():
        if objective_id not in own:
            continue
        counts_m = own[objective_id]["milestones"]
        counts_m["total"] += n
        counts_m[status] += n
        if past:
            counts_m["due"] += n
            if status == MilestoneStatus.pending:
                counts_m["overdue"] += n

    measures = await _live(session, Measure, plan.id)
    # The latest check-ins, read once: shown beside the ratings, and what qualitative
    # measures are judged by.
    reported = await checkins.latest(session, plan.id, when)
    judged = await measure_service.judge_measures(
        session, found, measures, when, check_ins=checkins.ratings(reported)
    )
    for one in judged:
        if one.measure.objective_id not in own:
            continue
        counts_s = own[one.measure.objective_id]["measures"]
        counts_s["total"] += 1
        counts_s[one.status.value] += 1
        counts_s["stale"] += int(one.stale)
        counts_s["current"] += int(one.current)

    children: dict[int | None, list[int]] = defaultdict(list)
    for row in sorted(objective_rows, key=lambda r: (r.position, r.id)):
        children[row.parent_id].append(row.id)
    rolled: dict[int, Counts] = {}

    def roll(objective_id: int) -> Counts:
        total = _zero()
        _add_counts(total, own[objective_id])
        for child in children.get(objective_id, []):
            _add_counts(total, roll(child))
        rolled[objective_id] = total
        return total

    plan_total = _zero()
    for top in children.get(None, []):
        _add_counts(plan_total, roll(top))

    info = {row.id: row for row in objective_rows}
    ordered_ids: list[int] = []

    def walk(objective_id: int) -> None:
        ordered_ids.append(objective_id)
        for child in children.get(objective_id, []):
            walk(child)

    for top in children.get(None, []):
        walk(top)

    found_items = await attention.collect(
        session,
        plan,
        when,
        objectives={oid: info[oid] for oid in ordered_ids},
        order=ordered_ids,
        judged=judged,
        unrecorded={oid for oid in ordered_ids if nothing_recorded(rolled[oid])},
        served=served,
    )
    named = attention.named_reasons(found_items, ordered_ids, children)
    changes = None
    truncated = False
    if since is not None:
        changes, truncated = await plan_changes.changes(
            session,
            plan,
            since,
            codes={oid: info[oid].code for oid in ordered_ids},
            measures={m.id: m for m in measures if m.id is not None},
        )
    # Built from rows and shaped once (app/core/answers.py): validating ~1,000 objective
    # entries and thousands of attention items as models cost most of the answer.
    return answers.shape(
        PlanProgress,
        {
            "plan_id": plan.id,
            "as_of": when,
            **rated(plan_total, named.get(None, [])),
            "objectives": [
                {
                    "objective_id": oid,
                    "parent_id": info[oid].parent_id,
                    "code": info[oid].code,
                    "title": info[oid].title,
                    **rated(rolled[oid], named.get(oid, [])),
                    "reported_rating": reported.objectives.get(oid),
                }
                for oid in ordered_ids
            ],
            "measure_statuses": _measure_rows(judged, info, ordered_ids, reported, served),
            "attention": found_items,
            "since": since,
            "changes": changes,
            "changes_truncated": truncated,
        },
    )
