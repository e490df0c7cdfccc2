"""Where a network of networks stands: every readable network's active plans, judged at once.

``GET /networks/{id}/progress`` answers for the network and each live descendant the caller
may read. Every plan is judged by the same function as its own ``/progress``
(``progress.summarise``, measures by ``service.judge_measures``); what differs is the loading:
the rows of all the plans come in a constant number of statements (networks, plans,
objectives, action counts, milestone counts, measures, latest readings, and one batch per
derived source in use), so the answer's cost in statements does not grow with the number of
networks or plans.

Without ``as_of``, each plan is judged at today, or at its period end once its period is
over (a finished plan is judged on its whole period, not on years after it).
"""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal, can_see
from app.networks.models import Network
from app.plans import measures as measure_rules
from app.plans import progress, service
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.schemas import MeasureStatus, NetworkProgress, PlanStatus


def plan_day(plan: Plan, as_of: date | None) -> date:
    """The date a plan is judged at: the one asked for, else today capped at its period end."""
    return as_of if as_of is not None else min(service.today(), plan.period_end)


def coverage(statuses: list[tuple[str, bool]]) -> float | None:
    """Share of measures with a current value that is not stale; None with no measures."""
    if not statuses:
        return None
    covered = sum(1 for status, stale in statuses if status != MeasureStatus.no_data and not stale)
    return covered / len(statuses)


async def _networks(session: AsyncSession, principal: Principal, network: Network) -> list[Network]:
    """The network and its live descendants the caller may read, depth-first by name."""
    rows = await session.execute(
        select(Network).where(
            col(Network.path).startswith(network.path, autoescape=True),
            col(Network.deleted_at).is_(None),
        )
    )
    found = [n for n in rows.scalars().all() if can_see(principal, n)]
    by_id = {n.id: n for n in found}

    def key(n: Network) -> list[tuple[str, int]]:
        # names along the lineage below the asked network, so siblings sort by name and
        # children follow their parent
        return [
            (by_id[i].name.lower(), i) if i in by_id else ("", i)
            for i in n.lineage_ids[len(network.lineage_ids) - 1 :]
        ]

    return sorted(found, key=key)


async def _rows(session: AsyncSession, model: Any, columns: list[Any], plan_ids: list[int]) -> Any:
    return await session.execute(
        select(*columns).where(col(model.plan_id).in_(plan_ids), col(model.deleted_at).is_(None))
    )


async def network_progress(
    session: AsyncSession, principal: Principal, network: Network, as_of: date | None
) -> NetworkProgress:
    networks = await _networks(session, principal, network)
    network_ids = [n.id for n in networks]
    plans = list(
        (
            await session.execute(
                select(Plan)
                .where(
                    col(Plan.network_id).in_(network_ids),
                    col(Plan.status) == PlanStatus.active.value,
                    col(Plan.deleted_at).is_(None),
                )
                .order_by(col(Plan.period_start), col(Plan.id))
            )
        )
        .scalars()
        .all()
    )
    plan_ids = [p.id for p in plans if p.id is not None]
    objectives: dict[int, list[Any]] = defaultdict(list)
    actions: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    milestones: dict[int, list[tuple[int, str, date | None, int]]] = defaultdict(list)
    measures: dict[int, list[Measure]] = defaultdict(list)
    readings: dict[int, tuple[float, date]] = {}
    derived: dict[int, float | None] = {}
    if plan_ids:
        for row in await _rows(
            session,
            Objective,
            [
                col(Objective.plan_id),
                col(Objective.id),
                col(Objective.parent_id),
                col(Objective.code),
                col(Objective.title),
                col(Objective.position),
            ],
            plan_ids,
        ):
            objectives[row.plan_id].append(row)
        counted = await session.execute(
            select(col(Action.plan_id), col(Action.objective_id), col(Action.status), func.count())
            .where(col(Action.plan_id).in_(plan_ids), col(Action.deleted_at).is_(None))
            .group_by(col(Action.plan_id), col(Action.objective_id), col(Action.status))
        )
        for plan_id, objective_id, status, n in counted.all():
            actions[plan_id].append((objective_id, status, n))
        # Grouped by due date (not past-due) since each plan may be judged at its own date.
        due = await session.execute(
            select(
                col(Milestone.plan_id),
                col(Milestone.objective_id),
                col(Milestone.status),
                col(Milestone.due_on),
                func.count(),
            )
            .where(col(Milestone.plan_id).in_(plan_ids), col(Milestone.deleted_at).is_(None))
            .group_by(
                col(Milestone.plan_id),
                col(Milestone.objective_id),
                col(Milestone.status),
                col(Milestone.due_on),
            )
        )
        for plan_id, objective_id, status, due_on, n in due.all():
            milestones[plan_id].append((objective_id, status, due_on, n))
        for measure in (await _rows(session, Measure, [Measure], plan_ids)).scalars().all():
            measures[measure.plan_id].append(measure)
        # One reading query for all plans; without as_of each plan reads up to today capped
        # at its own period end, which the query applies per plan.
        readings = await service.latest_readings(
            session, plan_ids, as_of or service.today(), until_period_end=as_of is None
        )
        by_id = {n.id: n for n in networks}
        batch = [
            (
                measure_rules.MeasureScope(
                    plan=p, network=by_id[p.network_id], as_of=plan_day(p, as_of)
                ),
                measures[p.id or 0],
            )
            for p in plans
            if measures[p.id or 0]
        ]
        derived = await measure_rules.derived_values_many(session, batch)
    return _answer(
        network,
        networks,
        plans,
        as_of,
        objectives,
        actions,
        milestones,
        measures,
        readings,
        derived,
    )


def _answer(
    network: Network,
    networks: list[Network],
    plans: list[Plan],
    as_of: date | None,
    objectives: dict[int, list[Any]],
    actions: dict[int, list[tuple[int, str, int]]],
    milestones: dict[int, list[tuple[int, str, date | None, int]]],
    measures: dict[int, list[Measure]],
    readings: dict[int, tuple[float, date]],
    derived: dict[int, float | None],
) -> NetworkProgress:
    """Judge each plan with ``progress.summarise`` and add the plans up per network."""
    by_network: dict[int, list[dict[str, Any]]] = defaultdict(list)
    totals = progress.zero_counts()
    ratings: dict[str, int] = defaultdict(int)
    all_statuses: list[tuple[str, bool]] = []
    for plan in plans:
        assert plan.id is not None
        when = plan_day(plan, as_of)
        mine = measures[plan.id]
        statuses = service.judge_measures(mine, plan, when, readings, derived)
        judged = progress.summarise(
            plan.id,
            when,
            objectives[plan.id],
            actions[plan.id],
            [
                (objective_id, status, due_on is not None and due_on < when, n)
                for objective_id, status, due_on, n in milestones[plan.id]
            ],
            [(m.objective_id, s, stale) for m, (s, stale) in zip(mine, statuses, strict=True)],
        )
        counts = judged.model_dump(include={"actions", "milestones", "measures"})
        progress.add_counts(totals, counts)
        rating = judged.rag.value if judged.rag is not None else "none"
        ratings[rating] += 1
        all_statuses.extend(statuses)
        by_network[plan.network_id].append(
            {
                **counts,
                "rag": judged.rag,
                "plan_id": plan.id,
                "title": plan.title,
                "period_start": plan.period_start,
                "period_end": plan.period_end,
                "as_of": when,
                "coverage": coverage(statuses),
            }
        )
    depth0 = len(network.lineage_ids)
    return NetworkProgress.model_validate(
        {
            "network_id": network.id,
            "as_of": as_of,
            "networks": [
                {
                    "network_id": n.id,
                    "name": n.name,
                    "parent_id": n.parent_id,
                    "depth": len(n.lineage_ids) - depth0,
                    "plans": by_network.get(n.id or 0, []),
                }
                for n in networks
            ],
            "totals": {
                **totals,
                "networks": len(networks),
                "plans": len(plans),
                "ratings": dict(ratings),
                "coverage": coverage(all_statuses),
            },
        }
    )
