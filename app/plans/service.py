"""Plans and their contents: the rules (who may write, closed plans, codes, cycles) and queries."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, over, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Permission, Principal, authorize
from app.communities import service as community_service
from app.core import audit, softdelete
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.pagination import Sort, paginate
from app.networks.models import Network
from app.plans import evidence as evidence_links
from app.plans import measures as measure_rules
from app.plans.deps import InPlan
from app.plans.models import (
    Action,
    ActionStatusChange,
    Evidence,
    Measure,
    MeasureReading,
    Milestone,
    Objective,
    Plan,
)
from app.plans.schemas import (
    ActionCreate,
    ActionStatus,
    ActionUpdate,
    EvidenceCreate,
    MeasureCreate,
    MeasureKind,
    MeasureRead,
    MeasureStatus,
    MeasureUpdate,
    MilestoneCreate,
    MilestoneRead,
    MilestoneStatus,
    MilestoneUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
    PlanCreate,
    PlanReadStatus,
    PlanStatus,
    PlanUpdate,
    ReadingCreate,
    Target,
    format_due,
    parse_due,
)

PROGRESS_FIELDS_ACTION = frozenset({"status", "status_note"})
PROGRESS_FIELDS_MILESTONE = frozenset({"status", "achieved_on"})


def _issue(field: str, msg: str, kind: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": msg, "type": kind}


def today() -> date:
    return utcnow().date()


def ensure_writable(
    principal: Principal, found: InPlan[Any], permission: Permission = Permission.plan_write
) -> None:
    """The caller may ``permission`` on the plan's network, and the plan is not closed."""
    authorize(principal, permission, found.network)
    if found.plan.status == PlanStatus.closed:
        raise Conflict(f"plan {found.plan.id} is closed and read-only; reopen it first")


async def _record(
    session: AsyncSession,
    principal: Principal,
    action: str,
    obj: Any,
    found: InPlan[Any],
    before: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        session, principal, action=action, obj=obj, network_id=found.network.id, before=before
    )


# --- plans --------------------------------------------------------------------------------


async def create_plan(
    session: AsyncSession, principal: Principal, network: Network, *, data: PlanCreate
) -> Plan:
    authorize(principal, Permission.plan_write, network)
    plan = Plan.model_validate(data, update={"network_id": network.id})
    session.add(plan)
    await audit.record(session, principal, action="create", obj=plan, network_id=network.id)
    return plan


async def list_plans(
    session: AsyncSession,
    network: Network,
    *,
    status: PlanReadStatus | None,
    q: str | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Plan], str | None]:
    stmt = select(Plan).where(col(Plan.network_id) == network.id)
    if status is not None:
        # ``ended`` is read, not stored: an active plan whose period has passed.
        stored = PlanStatus.active if status is PlanReadStatus.ended else PlanStatus(status)
        stmt = stmt.where(col(Plan.status) == stored.value)
        if status is PlanReadStatus.ended:
            stmt = stmt.where(col(Plan.period_end) < today())
        elif status is PlanReadStatus.active:
            stmt = stmt.where(col(Plan.period_end) >= today())
    if q:
        stmt = stmt.where(func.lower(col(Plan.title)).contains(q.lower(), autoescape=True))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_plan(
    session: AsyncSession, principal: Principal, found: InPlan[Plan], *, data: PlanUpdate
) -> Plan:
    authorize(principal, Permission.plan_write, found.network)
    plan = found.plan
    changes = data.model_dump(exclude_unset=True)
    if plan.status == PlanStatus.closed and set(changes) - {"status"}:
        raise Conflict(f"plan {plan.id} is closed and read-only; reopen it first")
    start = changes.get("period_start", plan.period_start)
    end = changes.get("period_end", plan.period_end)
    if end < start:
        raise Unprocessable(
            "period_end is before period_start",
            errors=[_issue("period_end", "before period_start", "period")],
        )
    closing = changes.get("status") == PlanStatus.closed and plan.status != PlanStatus.closed
    reopening = plan.status == PlanStatus.closed and changes.get("status", plan.status) != (
        PlanStatus.closed
    )
    before = audit.snapshot(plan)
    before.pop("final_progress", None)  # kept out of the trail: large, and in the plan row
    plan.sqlmodel_update(changes)
    if closing:
        from app.plans import lifecycle  # late: lifecycle reads progress, which reads us

        plan.status = before["status"]
        return await lifecycle.close(session, principal, found, before=before)
    if reopening:
        plan.closed_at = None
        plan.final_progress = None
    session.add(plan)
    await _record(session, principal, "update", plan, found, before)
    return plan


async def delete_plan(session: AsyncSession, principal: Principal, found: InPlan[Plan]) -> None:
    authorize(principal, Permission.plan_write, found.network)
    await softdelete.soft_delete(session, principal, found.plan, network_id=found.network.id)


async def restore_plan(session: AsyncSession, principal: Principal, found: InPlan[Plan]) -> Plan:
    authorize(principal, Permission.plan_write, found.network)
    await softdelete.restore(session, principal, found.plan, network_id=found.network.id)
    return found.plan


# --- objectives ---------------------------------------------------------------------------


async def _code_free(
    session: AsyncSession, plan_id: int, code: str, except_id: int | None = None
) -> None:
    stmt = select(col(Objective.id)).where(
        col(Objective.plan_id) == plan_id,
        col(Objective.code) == code,
        col(Objective.deleted_at).is_(None),
    )
    if except_id is not None:
        stmt = stmt.where(col(Objective.id) != except_id)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"objective code {code!r} is already used in this plan")


async def _parent_links(session: AsyncSession, plan_id: int) -> dict[int, int | None]:
    rows = await session.execute(
        select(col(Objective.id), col(Objective.parent_id)).where(
            col(Objective.plan_id) == plan_id, col(Objective.deleted_at).is_(None)
        )
    )
    return {oid: parent for oid, parent in rows.all() if oid is not None}


async def create_objective(
    session: AsyncSession, principal: Principal, found: InPlan[Plan], *, data: ObjectiveCreate
) -> Objective:
    ensure_writable(principal, found)
    assert found.plan.id is not None
    if data.parent_id is not None:
        links = await _parent_links(session, found.plan.id)
        if data.parent_id not in links:
            raise Unprocessable(
                f"objective {data.parent_id} is not an objective of this plan",
                errors=[_issue("parent_id", "unknown parent", "unknown_parent")],
            )
    await _code_free(session, found.plan.id, data.code)
    if data.responsible_community_id is not None:
        await community_service.check_plan_community(
            session,
            data.responsible_community_id,
            found.plan.network_id,
            "responsible_community_id",
        )
    objective = Objective.model_validate(data, update={"plan_id": found.plan.id})
    session.add(objective)
    await _record(session, principal, "create", objective, found)
    return objective


async def list_objectives(
    session: AsyncSession,
    plan: Plan,
    *,
    parent_id: int | None,
    top_level: bool,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Objective], str | None]:
    stmt = select(Objective).where(col(Objective.plan_id) == plan.id)
    if parent_id is not None:
        stmt = stmt.where(col(Objective.parent_id) == parent_id)
    elif top_level:
        stmt = stmt.where(col(Objective.parent_id).is_(None))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_objective(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Objective],
    *,
    data: ObjectiveUpdate,
) -> Objective:
    ensure_writable(principal, found)
    objective = found.obj
    changes = data.model_dump(exclude_unset=True)
    if changes.get("responsible_community_id") is not None:
        await community_service.check_plan_community(
            session,
            changes["responsible_community_id"],
            found.plan.network_id,
            "responsible_community_id",
        )
    if "code" in changes and changes["code"] != objective.code:
        await _code_free(session, objective.plan_id, changes["code"], except_id=objective.id)
    if changes.get("parent_id") is not None:
        links = await _parent_links(session, objective.plan_id)
        target = changes["parent_id"]
        if target not in links:
            raise Unprocessable(
                f"objective {target} is not an objective of this plan",
                errors=[_issue("parent_id", "unknown parent", "unknown_parent")],
            )
        node: int | None = target
        while node is not None:
            if node == objective.id:
                raise Unprocessable(
                    "an objective cannot move under itself or one of its descendants",
                    errors=[_issue("parent_id", "would create a cycle", "cycle")],
                )
            node = links.get(node)
    before = audit.snapshot(objective)
    objective.sqlmodel_update(changes)
    session.add(objective)
    await _record(session, principal, "update", objective, found, before)
    return objective


def _subtree(links: dict[int, int | None], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for oid, parent in links.items():
        children.setdefault(parent, []).append(oid)
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


async def _set_deleted(
    session: AsyncSession, model: Any, where: Any, value: datetime | None, match: Any = None
) -> None:
    stmt = sa_update(model).where(where)
    if match is not None:
        stmt = stmt.where(match)
    await session.execute(
        stmt.values(
            deleted_at=value, version=model.version + 1, updated_at=utcnow()
        ).execution_options(synchronize_session=False)
    )


async def delete_objective(
    session: AsyncSession, principal: Principal, found: InPlan[Objective]
) -> None:
    """Soft-delete an objective with its sub-objectives, actions, measures and milestones."""
    ensure_writable(principal, found)
    objective = found.obj
    assert objective.id is not None
    ids = _subtree(await _parent_links(session, objective.plan_id), objective.id)
    await softdelete.soft_delete(session, principal, objective, network_id=found.network.id)
    stamp = objective.deleted_at
    others = ids - {objective.id}
    if others:
        await _set_deleted(
            session,
            Objective,
            col(Objective.id).in_(others),
            stamp,
            col(Objective.deleted_at).is_(None),
        )
    for model in (Action, Measure, Milestone):
        await _set_deleted(
            session, model, col(model.objective_id).in_(ids), stamp, col(model.deleted_at).is_(None)
        )


async def restore_objective(
    session: AsyncSession, principal: Principal, found: InPlan[Objective]
) -> Objective:
    """Restore an objective and everything deleted with it."""
    ensure_writable(principal, found)
    objective = found.obj
    if objective.parent_id is not None:
        parent = await session.get(Objective, objective.parent_id)
        if parent is None or parent.deleted_at is not None:
            raise Conflict("restore the parent objective first")
    await _code_free(session, objective.plan_id, objective.code, except_id=objective.id)
    stamp = objective.deleted_at
    await softdelete.restore(session, principal, objective, network_id=found.network.id)
    plan_objectives = col(Objective.plan_id) == objective.plan_id
    await _set_deleted(
        session, Objective, plan_objectives, None, col(Objective.deleted_at) == stamp
    )
    for model in (Action, Measure, Milestone):
        await _set_deleted(
            session,
            model,
            col(model.plan_id) == objective.plan_id,
            None,
            col(model.deleted_at) == stamp,
        )
    return objective


# --- actions ------------------------------------------------------------------------------


def _status_change(
    action: Action, principal: Principal, previous: str | None, note: str | None
) -> ActionStatusChange:
    assert action.id is not None
    return ActionStatusChange(
        action_id=action.id,
        from_status=previous,
        to_status=action.status,
        note=note,
        changed_by_kind=principal.actor_kind,
        changed_by_id=principal.actor_id,
    )


async def create_action(
    session: AsyncSession, principal: Principal, found: InPlan[Objective], *, data: ActionCreate
) -> Action:
    ensure_writable(principal, found)
    if data.owner_community_id is not None:
        await community_service.check_plan_community(
            session, data.owner_community_id, found.plan.network_id, "owner_community_id"
        )
    action = Action.model_validate(
        data, update={"plan_id": found.plan.id, "objective_id": found.obj.id}
    )
    session.add(action)
    await _record(session, principal, "create", action, found)
    session.add(_status_change(action, principal, None, None))
    return action


async def list_actions(
    session: AsyncSession,
    objective: Objective,
    *,
    status: ActionStatus | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Action], str | None]:
    stmt = select(Action).where(col(Action.objective_id) == objective.id)
    if status is not None:
        stmt = stmt.where(col(Action.status) == status.value)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_action(
    session: AsyncSession, principal: Principal, found: InPlan[Action], *, data: ActionUpdate
) -> Action:
    """Chairs and executives edit actions; facilitators may change only their status."""
    changes = data.model_dump(exclude_unset=True)
    progress_only = set(changes) <= PROGRESS_FIELDS_ACTION
    ensure_writable(
        principal, found, Permission.progress_record if progress_only else Permission.plan_write
    )
    action = found.obj
    if changes.get("owner_community_id") is not None:
        await community_service.check_plan_community(
            session, changes["owner_community_id"], found.plan.network_id, "owner_community_id"
        )
    note = changes.pop("status_note", None)
    previous = action.status
    start = changes.get("start_on", action.start_on)
    due = changes.get("due_on", action.due_on)
    if start and due and due < start:
        raise Unprocessable(
            "due_on is before start_on", errors=[_issue("due_on", "before start_on", "dates")]
        )
    before = audit.snapshot(action)
    action.sqlmodel_update(changes)
    session.add(action)
    await _record(session, principal, "update", action, found, before)
    if action.status != previous:
        session.add(_status_change(action, principal, previous, note))
    return action


async def action_history(
    session: AsyncSession,
    action: Action,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[ActionStatusChange], str | None]:
    stmt = select(ActionStatusChange).where(col(ActionStatusChange.action_id) == action.id)
    # Append-only: a change is never edited, so its time is its change time.
    return await paginate(
        session,
        stmt,
        sort=sort,
        limit=limit,
        cursor=cursor,
        since=since,
        changed=ActionStatusChange.changed_at,
    )


async def delete_action(session: AsyncSession, principal: Principal, found: InPlan[Action]) -> None:
    ensure_writable(principal, found)
    await softdelete.soft_delete(session, principal, found.obj, network_id=found.network.id)
    await _set_deleted(
        session,
        Milestone,
        col(Milestone.action_id) == found.obj.id,
        found.obj.deleted_at,
        col(Milestone.deleted_at).is_(None),
    )


async def restore_action(
    session: AsyncSession, principal: Principal, found: InPlan[Action]
) -> Action:
    ensure_writable(principal, found)
    await _require_live_objective(session, found.obj.objective_id)
    stamp = found.obj.deleted_at
    await softdelete.restore(session, principal, found.obj, network_id=found.network.id)
    await _set_deleted(
        session,
        Milestone,
        col(Milestone.action_id) == found.obj.id,
        None,
        col(Milestone.deleted_at) == stamp,
    )
    return found.obj


async def _require_live_objective(session: AsyncSession, objective_id: int) -> None:
    objective = await session.get(Objective, objective_id)
    if objective is None or objective.deleted_at is not None:
        raise Conflict("restore its objective first")


# --- measures -----------------------------------------------------------------------------


def _measure_fields(
    data: MeasureCreate | MeasureUpdate,
    changes: dict[str, Any],
    source: str,
    params: dict[str, Any],
    current: Measure | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {k: v for k, v in changes.items() if k not in {"target", "params"}}
    has_target = (
        data.target is not None
        if "target" in changes
        else current is not None and current.target_comparator is not None
    )
    kind = changes.get("kind")
    if kind is None:
        if current is None:
            kind = measure_rules.default_kind(has_target, source)
        elif "target" in changes and data.target is not None:
            kind = MeasureKind.numeric
        else:
            kind = MeasureKind(current.kind)
    if kind is not MeasureKind.numeric and has_target:
        raise Unprocessable(
            f"{kind.value} measures take no target; send target: null or kind: numeric",
            errors=[_issue("target", f"not for {kind.value} measures", "kind")],
        )
    fields["kind"] = kind.value
    if "params" in changes or "source" in changes:
        fields["source_params"] = measure_rules.validate_source(source, params)
    if "target" in changes:
        target: Target | None = data.target
        fields.update(
            target_comparator=target.comparator.value if target else None,
            target_value=target.value if target else None,
            target_unit=target.unit if target else None,
            target_period=target.period.value if target else None,
        )
    frequency = changes.get("update_frequency")
    if frequency is not None and source != measure_rules.MANUAL:
        raise Unprocessable(
            "only manual measures have an update frequency",
            errors=[_issue("update_frequency", "only for manual measures", "frequency")],
        )
    if source != measure_rules.MANUAL:
        fields["update_frequency"] = None
    return fields


async def create_measure(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Objective],
    *,
    data: MeasureCreate,
) -> Measure:
    ensure_writable(principal, found)
    changes = data.model_dump(exclude_unset=True)
    changes.setdefault("source", data.source)
    fields = _measure_fields(data, {**changes, "params": data.params}, data.source, data.params)
    measure = Measure.model_validate(
        {**fields, "plan_id": found.plan.id, "objective_id": found.obj.id}
    )
    session.add(measure)
    await _record(session, principal, "create", measure, found)
    return measure


async def update_measure(
    session: AsyncSession, principal: Principal, found: InPlan[Measure], *, data: MeasureUpdate
) -> Measure:
    ensure_writable(principal, found)
    measure = found.obj
    changes = data.model_dump(exclude_unset=True)
    source = changes.get("source", measure.source)
    params = changes.get("params", measure.source_params if "source" not in changes else {})
    fields = _measure_fields(data, changes, source, params, measure)
    before = audit.snapshot(measure)
    measure.sqlmodel_update(fields)
    session.add(measure)
    await _record(session, principal, "update", measure, found, before)
    return measure


async def list_measures(
    session: AsyncSession,
    objective: Objective,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Measure], str | None]:
    stmt = select(Measure).where(col(Measure.objective_id) == objective.id)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def delete_measure(
    session: AsyncSession, principal: Principal, found: InPlan[Measure]
) -> None:
    ensure_writable(principal, found)
    await softdelete.soft_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_measure(
    session: AsyncSession, principal: Principal, found: InPlan[Measure]
) -> Measure:
    ensure_writable(principal, found)
    await _require_live_objective(session, found.obj.objective_id)
    await softdelete.restore(session, principal, found.obj, network_id=found.network.id)
    return found.obj


async def add_reading(
    session: AsyncSession, principal: Principal, found: InPlan[Measure], *, data: ReadingCreate
) -> MeasureReading:
    ensure_writable(principal, found, Permission.progress_record)
    measure = found.obj
    if measure.source != measure_rules.MANUAL:
        raise Conflict(
            f"measure {measure.id} is derived from live data ({measure.source}); "
            "it takes no readings"
        )
    assert measure.id is not None
    reading = MeasureReading(
        measure_id=measure.id,
        value=data.value,
        observed_on=data.observed_on or today(),
        note=data.note,
        recorded_by_kind=principal.actor_kind,
        recorded_by_id=principal.actor_id,
    )
    session.add(reading)
    await _record(session, principal, "create", reading, found)
    return reading


async def list_readings(
    session: AsyncSession,
    measure: Measure,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[MeasureReading], str | None]:
    stmt = select(MeasureReading).where(col(MeasureReading.measure_id) == measure.id)
    # Append-only: a reading is never edited, so when it was recorded is its change time.
    return await paginate(
        session,
        stmt,
        sort=sort,
        limit=limit,
        cursor=cursor,
        since=since,
        changed=MeasureReading.recorded_at,
    )


async def latest_readings(
    session: AsyncSession,
    plan_id: int | Collection[int],
    as_of: date,
    measure_id: int | None = None,
    *,
    until_period_end: bool = False,
) -> dict[int, tuple[float, date]]:
    """The latest reading on or before ``as_of`` of every manual measure in a plan (or in
    several plans), in one query (a window function, so it does not grow with the number of
    measures). ``until_period_end`` also ignores readings after each plan's period end."""
    plans = [plan_id] if isinstance(plan_id, int) else list(plan_id)
    rank = over(
        func.row_number(),
        partition_by=col(MeasureReading.measure_id),
        order_by=(col(MeasureReading.observed_on).desc(), col(MeasureReading.id).desc()),
    ).label("rank")
    inner = (
        select(
            col(MeasureReading.measure_id),
            col(MeasureReading.value),
            col(MeasureReading.observed_on),
            rank,
        )
        .join(Measure, col(Measure.id) == col(MeasureReading.measure_id))
        .where(col(Measure.plan_id).in_(plans), col(MeasureReading.observed_on) <= as_of)
    )
    if measure_id is not None:
        inner = inner.where(col(MeasureReading.measure_id) == measure_id)
    if until_period_end:
        inner = inner.join(Plan, col(Plan.id) == col(Measure.plan_id)).where(
            col(MeasureReading.observed_on) <= col(Plan.period_end)
        )
    sub = inner.subquery()
    rows = await session.execute(
        select(sub.c.measure_id, sub.c.value, sub.c.observed_on).where(sub.c.rank == 1)
    )
    return {mid: (value, observed) for mid, value, observed in rows.all()}


@dataclass(frozen=True)
class Judged:
    """A measure as of a date: its current value, when that value was observed (the latest
    reading, or for qualitative measures the latest check-in), its status and staleness."""

    measure: Measure
    value: float | None
    last_on: date | None
    reported: str | None
    status: MeasureStatus
    stale: bool

    @property
    def current(self) -> bool:
        """Evidence that counts towards coverage: a judged (not ``no_data``), non-stale value."""
        return self.status is not MeasureStatus.no_data and not self.stale


async def judge_measures(
    session: AsyncSession, found: InPlan[Any], measures: list[Measure], as_of: date
) -> list[Judged]:
    """Every measure judged as of ``as_of``: readings, derived values and check-ins, in a
    constant number of queries."""
    if not measures:
        return []
    plan = found.plan
    assert plan.id is not None
    only = measures[0].id if len(measures) == 1 else None
    readings = await latest_readings(session, plan.id, as_of, only)
    scope = measure_rules.MeasureScope(plan=plan, network=found.network, as_of=as_of)
    derived = await measure_rules.derived_values(session, scope, measures)
    check_ins: dict[int, tuple[str, date]] = {}
    if any(m.kind == MeasureKind.qualitative for m in measures):
        check_ins = await measure_rules.measure_check_ins(session, plan.id, as_of)
    return judge_loaded(measures, plan, as_of, readings, derived, check_ins)


def judge_loaded(
    measures: list[Measure],
    plan: Plan,
    as_of: date,
    readings: dict[int, tuple[float, date]],
    derived: dict[int, float | None],
    check_ins: dict[int, tuple[str, date]],
) -> list[Judged]:
    """The pure half of ``judge_measures``, from preloaded readings, derived values and
    check-ins (shared with the network roll-up, which loads them for many plans at once)."""
    judged = []
    for measure in measures:
        assert measure.id is not None
        last = readings.get(measure.id)
        value = _current_value(measure, last, derived)
        last_on = last[1] if last and measure.source == measure_rules.MANUAL else None
        reported = None
        if measure.kind == MeasureKind.qualitative:
            check_in = check_ins.get(measure.id)
            reported, last_on = check_in if check_in else (None, None)
        judged.append(
            Judged(
                measure=measure,
                value=value,
                last_on=last_on,
                reported=reported,
                status=measure_rules.judge(measure, value, plan, as_of, reported),
                stale=measure_rules.is_stale(measure, last_on, plan, as_of),
            )
        )
    return judged


async def measure_reads(
    session: AsyncSession, found: InPlan[Any], measures: list[Measure], as_of: date | None = None
) -> list[MeasureRead]:
    """Measures with their current value, status and staleness, in a constant number of
    queries."""
    judged = await judge_measures(session, found, measures, as_of or today())
    return [measure_read(j) for j in judged]


def _current_value(
    measure: Measure, last: tuple[float, date] | None, derived: dict[int, float | None]
) -> float | None:
    if measure.source == measure_rules.MANUAL:
        return last[0] if last else None
    assert measure.id is not None
    return derived.get(measure.id)


def measure_target(measure: Measure) -> Target | None:
    if measure.target_comparator is None or measure.target_value is None:
        return None
    return Target.model_validate(
        {
            "comparator": measure.target_comparator,
            "value": measure.target_value,
            "unit": measure.target_unit,
            "period": measure.target_period or "total",
        }
    )


def measure_read(judged: Judged) -> MeasureRead:
    measure = judged.measure
    return MeasureRead.model_validate(
        {
            **measure.model_dump(),
            "params": measure.source_params,
            "target": measure_target(measure),
            "current_value": judged.value,
            "status": judged.status,
            "is_stale": judged.stale,
            "last_reading_on": judged.last_on if measure.kind != MeasureKind.qualitative else None,
        }
    )


# --- milestones ---------------------------------------------------------------------------


def milestone_read(milestone: Milestone, as_of: date | None = None) -> MilestoneRead:
    when = as_of or today()
    return MilestoneRead.model_validate(
        {
            **milestone.model_dump(),
            "due": format_due(milestone.due_on, milestone.due_precision),
            "is_overdue": is_overdue(milestone.status, milestone.due_on, when),
        }
    )


def is_overdue(status: str, due_on: date | None, as_of: date) -> bool:
    """Pending after the due date has passed (a month-precise due date is its last day)."""
    return status == MilestoneStatus.pending and due_on is not None and due_on < as_of


def _milestone_fields(changes: dict[str, Any]) -> dict[str, Any]:
    fields = dict(changes)
    if "due" in fields:
        due = fields.pop("due")
        if due is None:
            fields.update(due_on=None, due_precision="day")
        else:
            fields["due_on"], fields["due_precision"] = parse_due(due)
    return fields


async def create_milestone(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Any],
    *,
    data: MilestoneCreate,
) -> Milestone:
    """A milestone on an objective, or on an action (``found.obj``)."""
    ensure_writable(principal, found)
    owner = found.obj
    objective_id, action_id = (
        (owner.objective_id, owner.id) if isinstance(owner, Action) else (owner.id, None)
    )
    fields = _milestone_fields(data.model_dump(exclude_unset=True))
    if fields.get("status") == MilestoneStatus.achieved and not fields.get("achieved_on"):
        fields["achieved_on"] = today()
    milestone = Milestone.model_validate(
        {
            **fields,
            "plan_id": found.plan.id,
            "objective_id": objective_id,
            "action_id": action_id,
        }
    )
    session.add(milestone)
    await _record(session, principal, "create", milestone, found)
    return milestone


async def update_milestone(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Milestone],
    *,
    data: MilestoneUpdate,
) -> Milestone:
    """Chairs and executives edit milestones; facilitators may record them achieved/missed."""
    changes = data.model_dump(exclude_unset=True)
    progress_only = set(changes) <= PROGRESS_FIELDS_MILESTONE
    ensure_writable(
        principal, found, Permission.progress_record if progress_only else Permission.plan_write
    )
    milestone = found.obj
    fields = _milestone_fields(changes)
    status = fields.get("status", milestone.status)
    if status == MilestoneStatus.achieved:
        fields.setdefault("achieved_on", milestone.achieved_on or today())
    elif fields.get("achieved_on") is not None:
        raise Unprocessable(
            "achieved_on is only for achieved milestones",
            errors=[_issue("achieved_on", "milestone not achieved", "status")],
        )
    else:
        fields["achieved_on"] = None
    before = audit.snapshot(milestone)
    milestone.sqlmodel_update(fields)
    session.add(milestone)
    await _record(session, principal, "update", milestone, found, before)
    return milestone


async def list_milestones(
    session: AsyncSession,
    *,
    plan_id: int,
    objective_id: int | None = None,
    action_id: int | None = None,
    status: MilestoneStatus | None = None,
    overdue: bool | None = None,
    as_of: date,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Milestone], str | None]:
    stmt = select(Milestone).where(col(Milestone.plan_id) == plan_id)
    if objective_id is not None:
        stmt = stmt.where(col(Milestone.objective_id) == objective_id)
    if action_id is not None:
        stmt = stmt.where(col(Milestone.action_id) == action_id)
    if status is not None:
        stmt = stmt.where(col(Milestone.status) == status.value)
    overdue_clause = (col(Milestone.status) == MilestoneStatus.pending.value) & (
        col(Milestone.due_on) < as_of
    )
    if overdue is True:
        stmt = stmt.where(overdue_clause)
    elif overdue is False:
        stmt = stmt.where(~overdue_clause | col(Milestone.due_on).is_(None))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def delete_milestone(
    session: AsyncSession, principal: Principal, found: InPlan[Milestone]
) -> None:
    ensure_writable(principal, found)
    await softdelete.soft_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_milestone(
    session: AsyncSession, principal: Principal, found: InPlan[Milestone]
) -> Milestone:
    ensure_writable(principal, found)
    await _require_live_objective(session, found.obj.objective_id)
    await softdelete.restore(session, principal, found.obj, network_id=found.network.id)
    return found.obj


async def add_evidence(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Milestone],
    *,
    data: EvidenceCreate,
) -> Evidence:
    ensure_writable(principal, found, Permission.progress_record)
    assert found.obj.id is not None
    if data.evaluation_id is not None:
        await evidence_links.check_evaluation(session, data.evaluation_id, found.plan.network_id)
    evidence = Evidence(
        milestone_id=found.obj.id,
        kind=data.kind.value,
        text=data.text,
        url=data.url,
        evaluation_id=data.evaluation_id,
        recorded_by_kind=principal.actor_kind,
        recorded_by_id=principal.actor_id,
    )
    session.add(evidence)
    await _record(session, principal, "create", evidence, found)
    return evidence


async def list_evidence(
    session: AsyncSession,
    milestone: Milestone,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Evidence], str | None]:
    stmt = select(Evidence).where(col(Evidence.milestone_id) == milestone.id)
    # Append-only: evidence is never edited, so when it was recorded is its change time.
    return await paginate(
        session,
        stmt,
        sort=sort,
        limit=limit,
        cursor=cursor,
        since=since,
        changed=Evidence.recorded_at,
    )


def by_key(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped
