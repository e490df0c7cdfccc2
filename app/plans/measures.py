"""Measures of success: where a value comes from, and how a value is judged.

Derived sources are a small registry: each knows its parameters and computes the values of
all its measures in one plan with a constant number of queries. Later domains (communities,
mobility, badges, programmes) add their sources with ``register``.

Status rule, as of a date inside the plan period (documented in docs/plans.md):

* ``binary`` measures (done or not): no reading → ``no_data``; a reading other than 0 →
  ``achieved``; 0 → ``on_track`` while the window lasts, ``off_track`` once it is over.
* ``qualitative`` measures: the latest check-in's rating (green → ``on_track``, amber →
  ``at_risk``, red → ``off_track``); none → ``no_data``.
* ``numeric`` measures:
* no value or no target → ``no_data``
* ``at_least`` T: value ≥ T → ``achieved``; otherwise, once the period (or, for ``per_annum``,
  the current plan year) is over → ``off_track``; otherwise the expected value so far is
  T * elapsed fraction: value ≥ expected → ``on_track``, ≥ 75 % of it → ``at_risk``, else
  ``off_track``.
* ``at_most`` T: value > T → ``off_track``; else ``achieved`` when the period is over, else
  ``on_track``.
* ``exactly`` T: value = T → ``achieved``; value > T → ``off_track``; below T as ``at_least``.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import graph
from app.core.errors import Unprocessable
from app.networks.models import Network
from app.plans.models import Measure, Plan
from app.plans.schemas import Comparator, Frequency, MeasureKind, MeasureStatus, TargetPeriod

AT_RISK_SHARE = 0.75
FREQUENCY_DAYS = {
    Frequency.monthly: 31,
    Frequency.quarterly: 92,
    Frequency.termly: 122,
    Frequency.annually: 366,
}


@dataclass(frozen=True)
class MeasureScope:
    """What a derived source may look at: the plan, its network, the date of the question."""

    plan: Plan
    network: Network
    as_of: date


Compute = Callable[[AsyncSession, MeasureScope, list[Measure]], Awaitable[dict[int, float | None]]]
Batch = list[tuple[MeasureScope, list[Measure]]]
ComputeMany = Callable[[AsyncSession, Batch], Awaitable[dict[int, float | None]]]


@dataclass(frozen=True)
class MeasureSource:
    name: str
    description: str
    params_model: type[BaseModel]
    compute: Compute
    # The same values for the measures of many plans at once (the network roll-up), in a
    # number of statements that does not grow with the number of plans. Without it, the
    # roll-up calls ``compute`` once per plan using the source.
    compute_many: ComputeMany | None = None


REGISTRY: dict[str, MeasureSource] = {}
MANUAL = "manual"


def register(source: MeasureSource) -> MeasureSource:
    """Add a derived source; names are unique."""
    if source.name in REGISTRY or source.name == MANUAL:
        raise ValueError(f"measure source {source.name!r} is already registered")
    REGISTRY[source.name] = source
    return source


def validate_source(source: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check a measure's source and parameters; return the normalised parameters."""
    if source == MANUAL:
        if params:
            raise Unprocessable(
                "manual measures take no params",
                errors=[{"loc": ["body", "params"], "msg": "must be empty", "type": "extra"}],
            )
        return {}
    if source not in REGISTRY:
        names = ", ".join([MANUAL, *sorted(REGISTRY)])
        raise Unprocessable(
            f"unknown measure source {source!r}; choose one of: {names}",
            errors=[{"loc": ["body", "source"], "msg": "unknown source", "type": "enum"}],
        )
    try:
        model = REGISTRY[source].params_model.model_validate(params)
    except ValidationError as exc:
        raise Unprocessable(
            f"params do not fit source {source!r}",
            errors=[
                {"loc": ["body", "params", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors()
            ],
        ) from exc
    return model.model_dump(mode="json", exclude_none=True)


async def derived_values(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    """Values of every derived measure given, one batch per source."""
    by_source: dict[str, list[Measure]] = {}
    for measure in measures:
        if measure.source != MANUAL:
            by_source.setdefault(measure.source, []).append(measure)
    values: dict[int, float | None] = {}
    for name, group in by_source.items():
        source = REGISTRY.get(name)
        if source is None:
            values.update({m.id: None for m in group if m.id is not None})
            continue
        values.update(await source.compute(session, scope, group))
    return values


async def derived_values_many(session: AsyncSession, batch: Batch) -> dict[int, float | None]:
    """``derived_values`` for the measures of many plans: one batch per source when the
    source has ``compute_many``, else one per plan using it."""
    by_source: dict[str, Batch] = {}
    for scope, measures in batch:
        grouped: dict[str, list[Measure]] = {}
        for measure in measures:
            if measure.source != MANUAL:
                grouped.setdefault(measure.source, []).append(measure)
        for name, group in grouped.items():
            by_source.setdefault(name, []).append((scope, group))
    values: dict[int, float | None] = {}
    for name, scoped in by_source.items():
        source = REGISTRY.get(name)
        if source is None:
            values.update({m.id: None for _, group in scoped for m in group if m.id is not None})
        elif source.compute_many is not None:
            values.update(await source.compute_many(session, scoped))
        else:
            for scope, group in scoped:
                values.update(await source.compute(session, scope, group))
    return values


# --- judging a value ----------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plan_year(plan_start: date, as_of: date) -> tuple[date, date]:
    """The plan year (counted from the period start) that contains ``as_of``."""
    start = plan_start
    while _add_years(start, 1) <= as_of:
        start = _add_years(start, 1)
    return start, _add_years(start, 1) - timedelta(days=1)


def _window(plan: Plan, period: str | None, as_of: date) -> tuple[date, date]:
    if period == TargetPeriod.per_annum:
        start, end = plan_year(plan.period_start, min(as_of, plan.period_end))
        return start, min(end, plan.period_end)
    return plan.period_start, plan.period_end


def elapsed_fraction(start: date, end: date, as_of: date) -> float:
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / ((end - start).days + 1)


def default_kind(has_target: bool, source: str) -> MeasureKind:
    """A measure's kind when none is given: ``numeric`` with a target or a derived source (a
    count), else ``binary`` (a manual measure with nothing to count to: "MoU signed")."""
    if has_target or source != MANUAL:
        return MeasureKind.numeric
    return MeasureKind.binary


# Check-ins judge qualitative measures. The check-ins package registers a reader returning,
# for the measures of a plan, the latest check-in on or before ``as_of``: {measure id: (rating
# green|amber|red, recorded on)}, in one statement. Without one, qualitative measures are
# ``no_data``.
CheckInReader = Callable[[AsyncSession, int, date], Awaitable[dict[int, tuple[str, date]]]]
_check_in_reader: list[CheckInReader] = []


def register_check_in_reader(reader: CheckInReader) -> None:
    _check_in_reader[:] = [reader]


async def measure_check_ins(
    session: AsyncSession, plan_id: int, as_of: date
) -> dict[int, tuple[str, date]]:
    if not _check_in_reader:
        return {}
    return await _check_in_reader[0](session, plan_id, as_of)


REPORTED_STATUS = {
    "green": MeasureStatus.on_track,
    "amber": MeasureStatus.at_risk,
    "red": MeasureStatus.off_track,
}


def window_end(measure: Measure, plan: Plan, as_of: date) -> date:
    """The end of the window a measure is judged in (plan end, or plan-year end)."""
    return _window(plan, measure.target_period, as_of)[1]


def judge(
    measure: Measure,
    value: float | None,
    plan: Plan,
    as_of: date,
    reported: str | None = None,
) -> MeasureStatus:
    """The status of ``value`` against the measure's target (rule in the module docstring);
    ``reported`` is the latest check-in's rating, which judges qualitative measures."""
    if measure.kind == MeasureKind.qualitative:
        return REPORTED_STATUS.get(reported or "", MeasureStatus.no_data)
    if measure.kind == MeasureKind.binary:
        if value is None:
            return MeasureStatus.no_data
        if value != 0:
            return MeasureStatus.achieved
        end = _window(plan, measure.target_period, as_of)[1]
        return MeasureStatus.off_track if as_of >= end else MeasureStatus.on_track
    target = measure.target_value
    if value is None or target is None or measure.target_comparator is None:
        return MeasureStatus.no_data
    start, end = _window(plan, measure.target_period, as_of)
    over = as_of >= end
    comparator = Comparator(measure.target_comparator)
    if comparator is Comparator.at_most:
        if value > target:
            return MeasureStatus.off_track
        return MeasureStatus.achieved if over else MeasureStatus.on_track
    if value >= target and (comparator is Comparator.at_least or value == target):
        return MeasureStatus.achieved
    if value > target:  # exactly, overshot
        return MeasureStatus.off_track
    if over:
        return MeasureStatus.off_track
    expected = target * elapsed_fraction(start, end, as_of)
    if value >= expected:
        return MeasureStatus.on_track
    if value >= AT_RISK_SHARE * expected:
        return MeasureStatus.at_risk
    return MeasureStatus.off_track


def is_stale(measure: Measure, last_reading_on: date | None, plan: Plan, as_of: date) -> bool:
    """A manual measure with a cadence whose latest reading is older than the cadence allows."""
    if measure.source != MANUAL or measure.update_frequency is None:
        return False
    if as_of < plan.period_start:
        return False
    allowed = timedelta(days=FREQUENCY_DAYS[Frequency(measure.update_frequency)])
    since = last_reading_on or plan.period_start
    return as_of - since > allowed


# --- built-in sources ---------------------------------------------------------------------


class ChildNetworksParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(
        default=None, max_length=20, description="Only child networks of this kind."
    )


async def _child_networks_many(session: AsyncSession, batch: Batch) -> dict[int, float | None]:
    """Live child networks by kind, for the networks of every plan asked about: one query."""
    parents = {scope.network.id for scope, _ in batch}
    children = graph.live_children(parents).subquery()
    rows = await session.execute(
        select(children.c.parent_id, children.c.kind, func.count()).group_by(
            children.c.parent_id, children.c.kind
        )
    )
    counts: dict[int | None, dict[str, int]] = {}
    for parent_id, network_kind, n in rows.all():
        counts.setdefault(parent_id, {})[network_kind] = int(n)
    values: dict[int, float | None] = {}
    for scope, measures in batch:
        mine = counts.get(scope.network.id, {})
        for measure in measures:
            kind = measure.source_params.get("kind")
            total = mine.get(kind, 0) if kind else sum(mine.values())
            if measure.id is not None:
                values[measure.id] = float(total)
    return values


async def _child_networks(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    return await _child_networks_many(session, [(scope, measures)])


register(
    MeasureSource(
        name="child_networks",
        description="How many live child networks the plan's network has (optionally of a "
        "kind), e.g. 'a minimum of 5 regional networks'.",
        params_model=ChildNetworksParams,
        compute=_child_networks,
        compute_many=_child_networks_many,
    )
)
