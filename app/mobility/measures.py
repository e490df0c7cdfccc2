"""The ``mobility_sum`` measure source: the sum of the plan network's mobility counts.

A measure such as "minimum 25 staff mobilities per annum" reads ``{"participant": "staff"}``.
Months count when their first day falls in the measure's window and is on or before the date
asked about. The window is the current plan year (the one holding ``as_of``, clipped to the plan
period, as the status rule uses) for ``per_annum`` targets, and the whole plan period otherwise.
All the source's measures in a plan are computed from one grouped query.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.mobility.models import EQF_NOT_GIVEN, MobilityCount, MobilityOpportunity
from app.mobility.schemas import MobilityMode, Participant
from app.mobility.service import INCLUDE_DESCENDANTS, network_scope, opportunity_scope
from app.plans.measures import MeasureScope, MeasureSource, plan_year, register
from app.plans.models import Measure
from app.plans.schemas import TargetPeriod

Level = Annotated[int, Field(ge=1, le=8)]


class MobilitySumParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: Participant | None = Field(default=None, description="Only staff or learners.")
    mode: MobilityMode | list[MobilityMode] | None = Field(
        default=None, description="Only this mode, or these modes."
    )
    eqf_min: Level | None = Field(
        default=None, description="Only counts at this EQF level or above (level given)."
    )
    eqf_max: Level | None = Field(
        default=None, description="Only counts at this EQF level or below (level given)."
    )
    include_descendants: bool = Field(
        default=INCLUDE_DESCENDANTS,
        description="Also count the descendant networks' counts (the same default as the "
        "mobility summary's include_descendants).",
    )

    @model_validator(mode="after")
    def _levels(self) -> "MobilitySumParams":
        if self.eqf_min and self.eqf_max and self.eqf_max < self.eqf_min:
            raise ValueError("eqf_max is below eqf_min")
        return self

    def modes(self) -> set[str] | None:
        if self.mode is None:
            return None
        chosen = self.mode if isinstance(self.mode, list) else [self.mode]
        return {m.value for m in chosen}


def window(scope: MeasureScope, target_period: str | None) -> tuple[date, date]:
    """The first days of month that count: [start, end], already capped at ``as_of``."""
    plan = scope.plan
    if target_period == TargetPeriod.per_annum:
        start, end = plan_year(plan.period_start, min(scope.as_of, plan.period_end))
        end = min(end, plan.period_end)
    else:
        start, end = plan.period_start, plan.period_end
    return start, min(end, scope.as_of)


QUESTIONS_PER_STATEMENT = 200


def _condition(key: tuple[Any, ...], network_id: int | None) -> ColumnElement[bool]:
    """The rows one question counts (the statement's WHERE already bounds scope and window)."""
    start, end, participant, modes, eqf_min, eqf_max, descendants = key
    clauses: list[ColumnElement[bool]] = [
        col(MobilityCount.period) >= start,
        col(MobilityCount.period) <= end,
    ]
    if not descendants:
        clauses.append(col(MobilityCount.network_id) == network_id)
    if participant is not None:
        clauses.append(col(MobilityCount.participant) == participant)
    if modes is not None:
        clauses.append(col(MobilityCount.mode).in_(sorted(modes)))
    if eqf_min or eqf_max:
        clauses.append(col(MobilityCount.eqf_level) != EQF_NOT_GIVEN)
    if eqf_min:
        clauses.append(col(MobilityCount.eqf_level) >= eqf_min)
    if eqf_max:
        clauses.append(col(MobilityCount.eqf_level) <= eqf_max)
    return and_(*clauses)


async def _mobility_sum(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    """Every measure's sum in SQL: one conditional sum per distinct question (measures with the
    same parameters and window share one), in one statement for up to 200 distinct questions."""
    params = {m.id: MobilitySumParams.model_validate(m.source_params) for m in measures}
    windows = {m.id: window(scope, m.target_period) for m in measures}
    earliest = min(start for start, _ in windows.values())
    latest = max(end for _, end in windows.values())
    values: dict[int, float | None] = {m.id: 0.0 for m in measures if m.id is not None}
    if latest < earliest:
        return values
    descendants = any(p.include_descendants for p in params.values())
    questions: dict[int, tuple[Any, ...]] = {}
    for measure in measures:
        if measure.id is None:
            continue
        p = params[measure.id]
        start, end = windows[measure.id]
        if end < start:
            continue  # nothing counts yet: 0
        modes = p.modes()
        questions[measure.id] = (
            start,
            end,
            p.participant.value if p.participant is not None else None,
            frozenset(modes) if modes else None,
            p.eqf_min,
            p.eqf_max,
            p.include_descendants,
        )
    distinct = list(dict.fromkeys(questions.values()))
    totals: dict[tuple[Any, ...], float] = {}
    for first in range(0, len(distinct), QUESTIONS_PER_STATEMENT):
        chunk = distinct[first : first + QUESTIONS_PER_STATEMENT]
        sums = [
            func.coalesce(
                func.sum(
                    case((_condition(key, scope.network.id), col(MobilityCount.count)), else_=0)
                ),
                0,
            )
            for key in chunk
        ]
        row = (
            await session.execute(
                select(*sums).where(
                    network_scope(scope.network, descendants),
                    col(MobilityCount.period) >= earliest,
                    col(MobilityCount.period) <= latest,
                )
            )
        ).one()
        totals.update({key: float(amount) for key, amount in zip(chunk, row, strict=True)})
    for measure_id, key in questions.items():
        values[measure_id] = totals[key]
    return values


MOBILITY_SUM = register(
    MeasureSource(
        name="mobility_sum",
        description="The sum of the mobility counts of the plan's network (and, by default, "
        "its descendant networks), optionally only staff or learners, some modes or EQF "
        "levels; per annum targets sum the current plan year, others the plan period so far. "
        "E.g. 'minimum 25 staff mobilities per annum'.",
        params_model=MobilitySumParams,
        compute=_mobility_sum,
    )
)


class OpportunityCount(StrEnum):
    opportunities = "opportunities"
    eqf_levels = "eqf_levels"


class MobilityOpportunitiesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: OpportunityCount = Field(
        default=OpportunityCount.opportunities,
        description="Count the live opportunities, or the EQF levels (1-8) with at least one.",
    )
    include_descendants: bool = Field(
        default=INCLUDE_DESCENDANTS,
        description="Also the descendant networks' registers (default as for mobility_sum).",
    )


async def _mobility_opportunities(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    """The register as it stands (opportunities have no history): one grouped query."""
    params = {m.id: MobilityOpportunitiesParams.model_validate(m.source_params) for m in measures}
    by_scope: dict[bool, dict[int, int]] = {}
    for descendants in sorted({p.include_descendants for p in params.values()}):
        rows = await session.execute(
            select(col(MobilityOpportunity.eqf_level), func.count())
            .where(
                opportunity_scope(scope.network, descendants),
                col(MobilityOpportunity.deleted_at).is_(None),
            )
            .group_by(col(MobilityOpportunity.eqf_level))
        )
        by_scope[descendants] = {int(level): int(n) for level, n in rows.all()}
    values: dict[int, float | None] = {}
    for measure_id, p in params.items():
        levels = by_scope[p.include_descendants]
        if measure_id is not None:
            eqf = p.count is OpportunityCount.eqf_levels
            counted = len(levels) if eqf else sum(levels.values())
            values[measure_id] = float(counted)
    return values


MOBILITY_OPPORTUNITIES = register(
    MeasureSource(
        name="mobility_opportunities",
        description="The plan network's register of mobility opportunities (and, by default, "
        "its descendant networks'): how many live opportunities, or at how many EQF levels "
        "there is at least one. E.g. 'Register of mobility opportunities at each EQF Level'.",
        params_model=MobilityOpportunitiesParams,
        compute=_mobility_opportunities,
    )
)
