"""A plan document to and from the database."""

from datetime import datetime
from typing import Any

from pydantic import (
    ValidationError,
)
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Unprocessable
from app.core.i18n import Served, fields_of
from app.networks.models import Network
from app.plans import measures as measure_rules
from app.plans.models import Action, ActionStatusChange, Measure, Milestone, Objective, Plan
from app.plans.schemas import MeasureKind, MilestoneStatus, TargetPeriod, format_due, parse_due
from app.plans.transfer.document import (
    MeasureDoc,
    MilestoneDoc,
    ObjectiveDoc,
    PlanDocument,
    counts,
    document_errors,
    pydantic_problems,
    refuse,
)
from app.plans.transfer.roles import registered, split_partner_roles, with_partner_roles


async def create_from_document(
    session: AsyncSession, principal: Principal, network: Network, doc: PlanDocument
) -> Plan:
    """Write the plan and everything in it in the caller's transaction (no commit), after
    checking all of it; one audit event (``import``) records the plan and the counts."""
    policy.authorize_plan_write(principal, network)
    errors = document_errors(doc)
    if errors:
        raise refuse(errors)
    assert network.id is not None
    registry = registered()
    partners = await registry.partner_names(session, network.id) if registry else {}
    plan = Plan(
        network_id=network.id,
        title=doc.title,
        aim=doc.aim,
        period_start=doc.period_start,
        period_end=doc.period_end,
        status=doc.status.value,
    )
    session.add(plan)
    await session.flush()
    assert plan.id is not None
    plan_id = plan.id

    placed: list[tuple[ObjectiveDoc, Objective]] = []
    roles: list[tuple[Objective, list[tuple[int, str]]]] = []
    level: list[tuple[ObjectiveDoc, int | None, int]] = [
        (o, None, i) for i, o in enumerate(doc.objectives)
    ]
    while level:
        rows = []
        for o, parent_id, position in level:
            text, linked = split_partner_roles(o.role_of_partners, partners)
            row = Objective(
                plan_id=plan_id,
                parent_id=parent_id,
                code=o.code,
                kind=o.kind.value,
                title=o.title,
                description=o.description,
                position=position,
                workstreams=list(o.workstreams),
                responsible_group=o.responsible_group,
                role_of_partners=text,
            )
            rows.append(row)
            if linked:
                roles.append((row, linked))
        session.add_all(rows)
        await session.flush()
        placed.extend(zip([o for o, _, _ in level], rows, strict=True))
        level = [
            (child, row.id, i)
            for (o, _, _), row in zip(level, rows, strict=True)
            for i, child in enumerate(o.children)
        ]

    actions = [
        (
            a,
            Action(
                plan_id=plan_id,
                objective_id=objective.id,
                description=a.description,
                status=a.status.value,
                owner_text=a.owner_text,
                start_on=a.start_on,
                due_on=a.due_on,
                position=i,
            ),
        )
        for o, objective in placed
        if objective.id is not None
        for i, a in enumerate(o.actions)
    ]
    session.add_all([action for _, action in actions])
    await session.flush()

    # Nothing refers to these rows, so they go in as bulk inserts of plain values (one batched
    # statement per table; flushing objects would cost a statement per row on SQLite).
    now = utcnow()
    changes: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for a, action in actions:
        assert action.id is not None
        changes.append(
            {
                "action_id": action.id,
                "from_status": None,
                "to_status": action.status,
                "note": None,
                "changed_at": now,
                "changed_by_kind": principal.actor_kind,
                "changed_by_id": principal.actor_id,
            }
        )
        milestones.extend(
            _milestone_values(m, plan_id, action.objective_id, action.id, i, now)
            for i, m in enumerate(a.milestones)
        )
    for o, objective in placed:
        assert objective.id is not None
        measures.extend(
            _measure_values(m, plan_id, objective.id, i, now) for i, m in enumerate(o.measures)
        )
        milestones.extend(
            _milestone_values(m, plan_id, objective.id, None, i, now)
            for i, m in enumerate(o.milestones)
        )
    leaves: list[tuple[Any, list[dict[str, Any]]]] = [
        (ActionStatusChange, changes),
        (Measure, measures),
        (Milestone, milestones),
    ]
    for model, values in leaves:
        if values:
            await session.execute(insert(model), values)
    commitments = [
        (partnership_id, objective.id, role)
        for objective, linked in roles
        if objective.id is not None
        for partnership_id, role in linked
    ]
    if commitments and registry is not None:
        await registry.add_objective_roles(session, commitments)
    await audit.record(
        session,
        principal,
        action="import",
        obj=plan,
        network_id=network.id,
        after={
            **audit.snapshot(plan),
            "imported": {**counts(doc), "partner_commitments": len(commitments)},
        },
    )
    return plan


def _record_values(now: datetime) -> dict[str, Any]:
    return {"version": 1, "created_at": now, "updated_at": now, "deleted_at": None}


def _measure_values(
    measure: MeasureDoc, plan_id: int, objective_id: int, position: int, now: datetime
) -> dict[str, Any]:
    target = measure.target
    return {
        **_record_values(now),
        "plan_id": plan_id,
        "objective_id": objective_id,
        "description": measure.description,
        "kind": (
            MeasureKind(measure.kind)
            if measure.kind
            else measure_rules.default_kind(target is not None, measure.source)
        ).value,
        "target_comparator": target.comparator.value if target else None,
        "target_value": target.value if target else None,
        "target_unit": target.unit if target else None,
        "target_period": target.period.value if target else None,
        "source": measure.source,
        "source_params": measure_rules.validate_source(measure.source, measure.params),
        "update_frequency": (measure.update_frequency.value if measure.update_frequency else None),
        "position": position,
    }


def _milestone_values(
    milestone: MilestoneDoc,
    plan_id: int,
    objective_id: int,
    action_id: int | None,
    position: int,
    now: datetime,
) -> dict[str, Any]:
    due_on, precision = parse_due(milestone.due) if milestone.due else (None, "day")
    achieved_on = milestone.achieved_on
    if milestone.status is MilestoneStatus.achieved and achieved_on is None:
        achieved_on = now.date()
    return {
        **_record_values(now),
        "plan_id": plan_id,
        "objective_id": objective_id,
        "action_id": action_id,
        "title": milestone.title,
        "due_on": due_on,
        "due_precision": precision,
        "status": milestone.status.value,
        "achieved_on": achieved_on,
        "position": position,
    }


async def load_document(
    session: AsyncSession, plan: Plan, *, served: Served | None = None
) -> PlanDocument:
    """The plan's live contents as a document, in five queries (four levels, and the partners'
    roles), each level ordered by position then id; its text in ``served``'s language (where
    translated, else the default's)."""

    def text(row: Any) -> dict[str, Any]:
        return {name: getattr(row, name) for name in fields_of(row)} | (
            served.texts(row) if served is not None else {}
        )

    async def live(model: Any) -> list[Any]:
        stmt = (
            select(model)
            .where(col(model.plan_id) == plan.id, col(model.deleted_at).is_(None))
            .order_by(col(model.position), col(model.id))
        )
        return list((await session.scalars(stmt)).all())

    objectives: list[Objective] = await live(Objective)
    actions: list[Action] = await live(Action)
    measures: list[Measure] = await live(Measure)
    milestones: list[Milestone] = await live(Milestone)
    assert plan.id is not None
    registry = registered()
    partner_roles = await registry.objective_roles(session, plan.id) if registry else {}

    children: dict[int | None, list[Objective]] = {}
    for o in objectives:
        children.setdefault(o.parent_id, []).append(o)
    actions_of: dict[int, list[Action]] = {}
    for a in actions:
        actions_of.setdefault(a.objective_id, []).append(a)
    measures_of: dict[int, list[Measure]] = {}
    for m in measures:
        measures_of.setdefault(m.objective_id, []).append(m)
    on_objective: dict[int, list[Milestone]] = {}
    on_action: dict[int, list[Milestone]] = {}
    for s in milestones:
        if s.action_id is None:
            on_objective.setdefault(s.objective_id, []).append(s)
        else:
            on_action.setdefault(s.action_id, []).append(s)

    def milestone(s: Milestone) -> dict[str, Any]:
        return {
            "title": text(s)["title"],
            "due": format_due(s.due_on, s.due_precision),
            "status": s.status,
            "achieved_on": s.achieved_on,
        }

    def measure(m: Measure) -> dict[str, Any]:
        target = None
        if m.target_comparator is not None and m.target_value is not None:
            target = {
                "comparator": m.target_comparator,
                "value": m.target_value,
                "unit": m.target_unit,
                "period": m.target_period or TargetPeriod.total.value,
            }
        return {
            "description": text(m)["description"],
            "target": target,
            "source": m.source,
            "params": m.source_params or {},
            "update_frequency": m.update_frequency,
            # Left out only where every import takes it anyway (numeric with a target); without
            # a target a table import would infer it from the text, so it is written.
            "kind": None if target is not None and m.kind == MeasureKind.numeric else m.kind,
        }

    def action(a: Action) -> dict[str, Any]:
        assert a.id is not None
        own = text(a)
        return {
            "description": own["description"],
            "status": a.status,
            "start_on": a.start_on,
            "due_on": a.due_on,
            "owner_text": own["owner_text"],
            "milestones": [milestone(s) for s in on_action.get(a.id, [])],
        }

    seen: set[int] = set()

    def node(o: Objective) -> dict[str, Any]:
        assert o.id is not None
        seen.add(o.id)
        own = text(o)
        return {
            "code": o.code,
            "kind": o.kind,
            "title": own["title"],
            "description": own["description"],
            "workstreams": list(o.workstreams or []),
            "responsible_group": own["responsible_group"],
            "role_of_partners": with_partner_roles(
                own["role_of_partners"], partner_roles.get(o.id, [])
            ),
            "actions": [action(a) for a in actions_of.get(o.id, [])],
            "measures": [measure(m) for m in measures_of.get(o.id, [])],
            "milestones": [milestone(s) for s in on_objective.get(o.id, [])],
            "children": [node(c) for c in children.get(o.id, []) if c.id not in seen],
        }

    data = {
        **text(plan),
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "status": plan.status,
        "objectives": [node(o) for o in children.get(None, [])],
    }
    try:
        return PlanDocument.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(
            f"plan {plan.id} does not fit the export format",
            errors=pydantic_problems(exc, ["plan"]),
        ) from None
