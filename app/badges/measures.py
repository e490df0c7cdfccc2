"""Derived measure sources over badge awards (registered on import; the router imports this).

* ``badge_awards`` — how many awards of the plan network's badges (one ``badge_id`` when given)
  were issued in the plan period up to ``as_of``; for a ``per_annum`` target, within the plan
  year that contains ``as_of`` (``app.plans.measures.plan_year``). Revoked awards do not count.
* ``badge_earners`` — how many distinct earners (salted identity hashes are per award, so an
  earner is counted by their user account or, failing that, by their email) received such
  awards in the same window.

Each source issues one query for all its measures in a plan.
"""

from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.badges.models import BadgeAward
from app.plans.measures import MeasureScope, MeasureSource, plan_year, register
from app.plans.models import Measure
from app.plans.schemas import TargetPeriod


class BadgeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    badge_id: int | None = Field(
        default=None, ge=1, description="Only this badge (all the network's badges otherwise)."
    )


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _window(scope: MeasureScope, measure: Measure) -> tuple[date, date]:
    end = min(scope.as_of, scope.plan.period_end)
    if measure.target_period == TargetPeriod.per_annum:
        start, year_end = plan_year(scope.plan.period_start, end)
        return start, min(year_end, end)
    return scope.plan.period_start, end


async def _rows(session: AsyncSession, scope: MeasureScope) -> list[tuple[int, datetime, str]]:
    end = _start(min(scope.as_of, scope.plan.period_end) + timedelta(days=1))
    rows = await session.execute(
        select(
            col(BadgeAward.badge_id),
            col(BadgeAward.issued_at),
            col(BadgeAward.recipient_user_id),
            col(BadgeAward.recipient_email),
            col(BadgeAward.identity_hash),
        ).where(
            col(BadgeAward.network_id) == scope.network.id,
            col(BadgeAward.revoked_at).is_(None),
            col(BadgeAward.issued_at) >= _start(scope.plan.period_start),
            col(BadgeAward.issued_at) < end,
        )
    )
    result = []
    for badge_id, issued_at, user_id, email, identity in rows.all():
        who = f"user:{user_id}" if user_id else (f"email:{email.lower()}" if email else identity)
        moment = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC)
        result.append((badge_id, moment, who))
    return result


async def _compute(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure], distinct: bool
) -> dict[int, float | None]:
    rows = await _rows(session, scope)
    values: dict[int, float | None] = {}
    for measure in measures:
        params = BadgeParams.model_validate(measure.source_params)
        start, end = _window(scope, measure)
        lo, hi = _start(start), _start(end + timedelta(days=1))
        hits = [
            who
            for badge_id, moment, who in rows
            if lo <= moment < hi and (params.badge_id is None or badge_id == params.badge_id)
        ]
        if measure.id is not None:
            values[measure.id] = float(len(set(hits)) if distinct else len(hits))
    return values


async def _awards(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    return await _compute(session, scope, measures, distinct=False)


async def _earners(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    return await _compute(session, scope, measures, distinct=True)


BADGE_AWARDS = register(
    MeasureSource(
        name="badge_awards",
        description="Awards of the network's badges in the plan period up to the date asked "
        "(per_annum: within the current plan year); revoked awards excluded.",
        params_model=BadgeParams,
        compute=_awards,
    )
)
BADGE_EARNERS = register(
    MeasureSource(
        name="badge_earners",
        description="Distinct earners of the network's badges in the same window as badge_awards.",
        params_model=BadgeParams,
        compute=_earners,
    )
)
