"""Where a network of networks stands: every readable network's active plans, judged at once.

``GET /networks/{id}/progress`` answers for the network and each live descendant the caller
may read. Every plan is judged by the same function as its own ``/progress``
(``progress.rated``, measures by ``measure_service.judge_loaded``); what differs is the loading:
the rows of all the plans come in a constant number of statements (networks, plans,
action counts, milestone counts, measures, latest readings, and one batch per derived source
in use; plus one per plan with qualitative measures, for their check-ins), so the answer's
cost in statements does not grow with the number of networks or plans.

Without ``as_of``, each plan is judged at today, or at its period end once its period is
over (a finished plan is judged on its whole period, not on years after it).
"""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import graph
from app.auth.policy import Principal, can_see
from app.core.i18n import Served
from app.networks.models import Network
from app.plans import measure_service, progress, service
from app.plans import measures as measure_rules
from app.plans.models import Action, Measure, Milestone, Plan
from app.plans.progress_schemas import NetworkProgress
from app.plans.schemas import MeasureKind, MilestoneStatus, PlanStatus


def plan_day(plan: Plan, as_of: date | None) -> date:
    """The date a plan is judged at: the one asked for, else today capped at its period end."""
    return as_of if as_of is not None else min(service.today(), plan.period_end)


async def _networks(
    session: AsyncSession, principal: Principal, network: Network
) -> list[tuple[Network, int | None, int]]:
    """The network and its live descendants (over live links, each once however many paths
    lead to it) the caller may read, depth-first by name, with the parent each is shown under
    and its depth: a network in two parents below the asked one appears once, under the
    first by name."""
    assert network.id is not None
    below = graph.descendant_ids(network.id)
    rows = await session.execute(graph.live_children(below).where(col(Network.id).in_(below)))
    children: dict[int, list[Network]] = defaultdict(list)
    for parent_id, child in rows.all():
        children[parent_id].append(child)
    found: list[tuple[Network, int | None, int]] = []
    seen: set[int] = set()

    def visit(n: Network, parent_id: int | None, depth: int) -> None:
        if n.id is None or n.id in seen:
            return
        seen.add(n.id)
        if can_see(principal, n):
            found.append((n, parent_id, depth))
        for child in sorted(children.get(n.id, []), key=lambda c: (c.name.lower(), c.id)):
            visit(child, n.id, depth + 1)

    visit(network, network.parent_id, 0)
    return found


async def _rows(session: AsyncSession, model: Any, columns: list[Any], plan_ids: list[int]) -> Any:
    return await session.execute(
        select(*columns).where(col(model.plan_id).in_(plan_ids), col(model.deleted_at).is_(None))
    )


async def network_progress(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    as_of: date | None,
    served: Served | None = None,
) -> NetworkProgress:
    """Every readable network's active plans, rated and added up; the plans' titles in
    ``served``'s language where their network offers it (else in its default)."""
    placed = await _networks(session, principal, network)
    networks = [n for n, _, _ in placed]
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
    actions: dict[int, list[tuple[str, date | None, int]]] = defaultdict(list)
    milestones: dict[int, list[tuple[str, date | None, int]]] = defaultdict(list)
    check_ins: dict[int, dict[int, tuple[str, date]]] = {}
    measures: dict[int, list[Measure]] = defaultdict(list)
    readings: dict[int, tuple[float, date]] = {}
    derived: dict[int, float | None] = {}
    if plan_ids:
        # Grouped by due date, since each plan may be judged at its own day.
        counted = await session.execute(
            select(col(Action.plan_id), col(Action.status), col(Action.due_on), func.count())
            .where(col(Action.plan_id).in_(plan_ids), col(Action.deleted_at).is_(None))
            .group_by(col(Action.plan_id), col(Action.status), col(Action.due_on))
        )
        for plan_id, status, due_on, n in counted.all():
            actions[plan_id].append((status, due_on, n))
        due = await session.execute(
            select(
                col(Milestone.plan_id), col(Milestone.status), col(Milestone.due_on), func.count()
            )
            .where(col(Milestone.plan_id).in_(plan_ids), col(Milestone.deleted_at).is_(None))
            .group_by(col(Milestone.plan_id), col(Milestone.status), col(Milestone.due_on))
        )
        for plan_id, status, due_on, n in due.all():
            milestones[plan_id].append((status, due_on, n))
        for measure in (await _rows(session, Measure, [Measure], plan_ids)).scalars().all():
            measures[measure.plan_id].append(measure)
        # One reading query for all plans; without as_of each plan reads up to today capped
        # at its own period end, which the query applies per plan.
        readings = await measure_service.latest_readings(
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
        # Check-ins judge qualitative measures: one statement per plan that has any (plans
        # judged only by numbers, the usual case, cost nothing here).
        for p in plans:
            if any(m.kind == MeasureKind.qualitative for m in measures[p.id or 0]):
                check_ins[p.id or 0] = await measure_rules.measure_check_ins(
                    session, p.id or 0, plan_day(p, as_of)
                )
    served = served or Served(network.default_language, network.default_language)
    by_network = {n.id: n for n in networks}
    titles = {p.id: served.in_network(by_network[p.network_id], p, "title") for p in plans}
    return _answer(
        network,
        placed,
        plans,
        as_of,
        actions,
        milestones,
        measures,
        readings,
        derived,
        check_ins,
        titles,
    )


def _answer(
    network: Network,
    placed: list[tuple[Network, int | None, int]],
    plans: list[Plan],
    as_of: date | None,
    actions: dict[int, list[tuple[str, date | None, int]]],
    milestones: dict[int, list[tuple[str, date | None, int]]],
    measures: dict[int, list[Measure]],
    readings: dict[int, tuple[float, date]],
    derived: dict[int, float | None],
    check_ins: dict[int, dict[int, tuple[str, date]]],
    titles: dict[int | None, str],
) -> NetworkProgress:
    """Count each plan at its own day, rate it with ``progress.rate`` (the rule and reasons of
    ``/plans/{id}/progress``) and add the plans up per network."""
    by_network: dict[int, list[dict[str, Any]]] = defaultdict(list)
    totals = progress.zero_counts()
    ratings: dict[str, int] = defaultdict(int)
    for plan in plans:
        assert plan.id is not None
        when = plan_day(plan, as_of)
        counts = progress.zero_counts()
        for status, due_on, n in actions[plan.id]:
            group = counts["actions"]
            group[status] += n
            group["total"] += n
            if due_on is not None and due_on < when and status in progress.OPEN_ACTIONS:
                group["overdue"] += n
        for status, due_on, n in milestones[plan.id]:
            group = counts["milestones"]
            group["total"] += n
            group[status] += n
            if due_on is not None and due_on < when:
                group["due"] += n
                if status == MilestoneStatus.pending.value:
                    group["overdue"] += n
        judged = measure_service.judge_loaded(
            measures[plan.id], plan, when, readings, derived, check_ins.get(plan.id, {})
        )
        for one in judged:
            group = counts["measures"]
            group["total"] += 1
            group[one.status.value] += 1
            group["stale"] += int(one.stale)
            group["current"] += int(one.current)
        rated = progress.rated(counts)
        progress.add_counts(totals, counts)
        ratings[rated["rating"].value] += 1
        by_network[plan.network_id].append(
            {
                **rated,
                "plan_id": plan.id,
                "title": titles.get(plan.id, plan.title),
                "period_start": plan.period_start,
                "period_end": plan.period_end,
                "as_of": when,
            }
        )
    return NetworkProgress.model_validate(
        {
            "network_id": network.id,
            "as_of": as_of,
            "networks": [
                {
                    "network_id": n.id,
                    "name": n.name,
                    "parent_id": parent_id,
                    "depth": depth,
                    "plans": by_network.get(n.id or 0, []),
                }
                for n, parent_id, depth in placed
            ],
            "totals": {
                **totals,
                "networks": len(placed),
                "plans": len(plans),
                "ratings": dict(ratings),
                "coverage": progress.coverage(totals),
            },
        }
    )
