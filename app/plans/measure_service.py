"""A plan's measures of success: targets, readings, current values and judgements."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, over, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import i18n
from app.core.errors import Conflict, Unprocessable
from app.core.models import columns_of
from app.core.resources import (
    ListParams,
    audited_create,
    audited_update,
    fetch_page,
)
from app.plans import measures as measure_rules
from app.plans.measure_schemas import MeasureCreate, MeasureRead, MeasureUpdate, ReadingCreate
from app.plans.models import (
    Measure,
    MeasureReading,
    Objective,
    Plan,
)
from app.plans.schemas import (
    Comparator,
    MeasureKind,
    MeasureStatus,
    Target,
    TargetPeriod,
)
from app.plans.scope import InPlan
from app.plans.service import (
    appended_page,
    delete_content,
    ensure_open,
    field_issue,
    restore_content,
    today,
)

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
            errors=[field_issue("target", f"not for {kind.value} measures", "kind")],
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
            errors=[field_issue("update_frequency", "only for manual measures", "frequency")],
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
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    changes = data.model_dump(exclude_unset=True)
    changes.setdefault("source", data.source)
    fields = _measure_fields(data, {**changes, "params": data.params}, data.source, data.params)
    measure = Measure.model_validate(
        {**fields, "plan_id": found.plan.id, "objective_id": found.obj.id}
    )
    await audited_create(session, principal, measure, network_id=found.network.id)
    return measure


async def update_measure(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Measure],
    *,
    data: MeasureUpdate,
    language: str | None = None,
) -> Measure:
    """Change a measure; its description in ``language`` (default: the network's default)."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    measure = found.obj
    changes = data.model_dump(exclude_unset=True)
    source = changes.get("source", measure.source)
    params = changes.get("params", measure.source_params if "source" not in changes else {})
    fields = i18n.localised(
        found.network, measure, _measure_fields(data, changes, source, params, measure), language
    )
    await audited_update(session, principal, measure, fields, network_id=found.network.id)
    return measure


async def list_measures(
    session: AsyncSession,
    objective: Objective,
    *,
    params: ListParams,
) -> tuple[list[Measure], str | None]:
    stmt = select(Measure).where(col(Measure.objective_id) == objective.id)
    return await fetch_page(session, stmt, params)


delete_measure = delete_content
restore_measure = restore_content


async def add_reading(
    session: AsyncSession, principal: Principal, found: InPlan[Measure], *, data: ReadingCreate
) -> MeasureReading:
    policy.authorize_progress_record(principal, found.network)
    ensure_open(found)
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
    await audited_create(session, principal, reading, network_id=found.network.id)
    return reading


async def list_readings(
    session: AsyncSession, found: InPlan[Measure], *, params: ListParams
) -> tuple[list[MeasureReading], str | None]:
    return await appended_page(
        session, MeasureReading, MeasureReading.measure_id, found.obj.id, params
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
    session: AsyncSession,
    found: InPlan[Any],
    measures: list[Measure],
    as_of: date,
    *,
    check_ins: dict[int, tuple[str, date]] | None = None,
) -> list[Judged]:
    """Every measure judged as of ``as_of``: readings, derived values and check-ins (read
    here unless given: ``checkins.ratings``), in a constant number of queries."""
    if not measures:
        return []
    plan = found.plan
    assert plan.id is not None
    only = measures[0].id if len(measures) == 1 else None
    readings = await latest_readings(session, plan.id, as_of, only)
    scope = measure_rules.MeasureScope(plan=plan, network=found.network, as_of=as_of)
    derived = await measure_rules.derived_values(session, scope, measures)
    if check_ins is None:
        check_ins = {}
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


async def written_read(session: AsyncSession, found: InPlan[Any], measure: Measure) -> MeasureRead:
    """The measure as answered after a write: flushed first, so its id and version are final."""
    await session.flush()
    return (await measure_reads(session, found, [measure]))[0]


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
    # Validated when it was written; built without validating again (Target is an input
    # model, whose checks of every string cost more than the rest of a measure's view).
    return Target.model_construct(
        comparator=Comparator(measure.target_comparator),
        value=float(measure.target_value),
        unit=measure.target_unit,
        period=TargetPeriod(measure.target_period or "total"),
    )


def measure_fields(judged: Judged) -> dict[str, Any]:
    """A judged measure's columns with what its read model adds: target, current value,
    status, staleness and the latest reading's day."""
    measure = judged.measure
    return {
        **columns_of(measure),
        "params": measure.source_params,
        "target": measure_target(measure),
        "current_value": judged.value,
        "status": judged.status,
        "is_stale": judged.stale,
        "last_reading_on": judged.last_on if measure.kind != MeasureKind.qualitative else None,
    }


def measure_read(judged: Judged) -> MeasureRead:
    return MeasureRead.model_validate(measure_fields(judged))
