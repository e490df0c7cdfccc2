"""The plan report and the network report, gathered from what ``/progress``, ``/tree`` and the
network roll-up already compute: ratings, coverage, reasons and attention are never
re-derived here, only laid side by side with the plan's text, readings and check-ins."""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.core.db import utcnow
from app.core.i18n import Served
from app.networks.models import Network
from app.plans import attention, checkins, lifecycle, progress, rollup
from app.plans.measure_schemas import MeasureRead
from app.plans.milestone_schemas import MilestoneRead
from app.plans.models import MeasureReading, Plan
from app.plans.progress_schemas import ActionNode, ObjectiveNode
from app.plans.schemas import MeasureKind, Target
from app.plans.scope import InPlan
from app.plans.transfer import roles as partner_roles
from app.reports.renderers.words import owner_text
from app.reports.schemas import (
    ActionLine,
    CheckInLine,
    MeasureLine,
    MilestoneLine,
    NetworkReport,
    NetworkSection,
    ObjectiveSection,
    PlanLine,
    PlanReport,
    Reading,
)

# Without ``since``, the report lists what changed over the 30 days before ``as_of`` (the
# usual gap between two steering meetings).
DEFAULT_SINCE = timedelta(days=30)
# The network report names this many of each plan's attention items (most severe first).
ATTENTION_PER_PLAN = 3
COMPARATOR_WORDS = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}


def target_words(target: Target | None) -> str | None:
    """``at least 25 schools per year``, or None without a target."""
    if target is None:
        return None
    words = f"{COMPARATOR_WORDS[target.comparator]} {attention.number(target.value)}"
    if target.unit:
        words += f" {target.unit}"
    if target.period == "per_annum":
        words += " per year"
    return words


def milestone_state(milestone: MilestoneRead) -> str:
    """achieved / missed as recorded; a pending one is overdue, upcoming, or undated."""
    if milestone.status != "pending":
        return milestone.status.value
    if milestone.is_overdue:
        return "overdue"
    return "upcoming" if milestone.due_on is not None else "pending"


async def _readings(
    session: AsyncSession, measure_ids: list[int], until: date
) -> dict[int, list[Reading]]:
    """Every reading of these measures up to ``until``, oldest first: one statement."""
    found: dict[int, list[Reading]] = defaultdict(list)
    if not measure_ids:
        return found
    rows = await session.execute(
        select(
            col(MeasureReading.measure_id),
            col(MeasureReading.observed_on),
            col(MeasureReading.value),
        )
        .where(
            col(MeasureReading.measure_id).in_(measure_ids),
            col(MeasureReading.observed_on) <= until,
        )
        .order_by(col(MeasureReading.observed_on), col(MeasureReading.id))
    )
    for measure_id, observed_on, value in rows.all():
        found[measure_id].append(Reading(observed_on=observed_on, value=value))
    return found


async def _partner_roles(session: AsyncSession, plan_id: int) -> dict[int, list[tuple[str, str]]]:
    """Objective id → (partner, role), from the registry the partnerships package fills."""
    roles = partner_roles.registered()
    return await roles.objective_roles(session, plan_id) if roles is not None else {}


async def plan_report(
    session: AsyncSession,
    found: InPlan[Plan],
    as_of: date | None,
    since: date | None,
    served: Served | None = None,
) -> PlanReport:
    """The plan report's content at ``as_of`` (by default as ``/progress``), with what changed
    from ``since`` on (by default the 30 days before); the plan's own text (title, aim,
    objectives, actions, measures, milestones) in ``served``'s language."""
    plan = found.plan
    assert plan.id is not None
    when = as_of or lifecycle.default_as_of(plan)
    since = since or when - DEFAULT_SINCE
    standing = await lifecycle.plan_progress(session, found, when, since)
    tree = await progress.tree(session, found, when, served=served)

    nodes: dict[int, ObjectiveNode] = {}
    depth: dict[int, int] = {}

    def walk(node: ObjectiveNode, level: int) -> None:
        nodes[node.id] = node
        depth[node.id] = level
        for child in node.children:
            walk(child, level + 1)

    for top in tree.objectives:
        walk(top, 0)

    owners = attention.objective_owners(nodes)
    all_actions: list[ActionNode] = [a for n in nodes.values() for a in n.actions]
    action_owners = {a.id: attention.action_owner(a, owners[a.objective_id]) for a in all_actions}
    found_names = await attention.names(session, [*owners.values(), *action_owners.values()])
    measure_reads: list[MeasureRead] = [m for n in nodes.values() for m in n.measures]
    readings = await _readings(session, [m.id for m in measure_reads], when)
    latest = await checkins.latest(session, plan.id, when)
    roles = await _partner_roles(session, plan.id)

    def measure_line(code: str, m: MeasureRead) -> MeasureLine:
        return MeasureLine(
            id=m.id,
            objective_code=code,
            description=m.description,
            kind=m.kind.value,
            source=m.source,
            numeric=m.kind == MeasureKind.numeric,
            target=target_words(m.target),
            target_value=m.target.value if m.target else None,
            unit=m.target.unit if m.target else None,
            current_value=m.current_value,
            status=m.status.value,
            is_stale=m.is_stale,
            last_reading_on=m.last_reading_on,
            readings=readings.get(m.id, []),
            check_in=latest.measures.get(m.id),
        )

    def milestone_line(code: str, m: MilestoneRead, action: str | None) -> MilestoneLine:
        return MilestoneLine(
            id=m.id,
            objective_code=code,
            title=m.title,
            due=m.due,
            due_on=m.due_on,
            status=m.status.value,
            state=milestone_state(m),
            achieved_on=m.achieved_on,
            action=action,
        )

    sections: list[ObjectiveSection] = []
    check_in_lines: list[CheckInLine] = []
    for rated in standing.objectives:
        node = nodes[rated.objective_id]
        code = node.code
        milestones = [milestone_line(code, m, None) for m in node.milestones]
        milestones += [
            milestone_line(code, m, a.description) for a in node.actions for m in a.milestones
        ]
        milestones.sort(key=lambda m: (m.due_on or date.max, m.id))
        partners = [f"{name}: {role}" for name, role in roles.get(node.id, [])]
        if node.role_of_partners:
            partners.append(node.role_of_partners)
        measures = [measure_line(code, m) for m in node.measures]
        sections.append(
            ObjectiveSection(
                id=node.id,
                code=code,
                title=node.title,
                depth=depth[node.id],
                owner=owner_text(owners[node.id].resolve(found_names)),
                rating=rated.rating,
                reasons=rated.reasons,
                coverage=rated.coverage,
                actions=rated.actions,
                milestone_counts=rated.milestones,
                measure_counts=rated.measures,
                measures=measures,
                milestones=milestones,
                action_lines=[
                    ActionLine(
                        objective_code=code,
                        description=a.description,
                        status=a.status.value,
                        owner=owner_text(action_owners[a.id].resolve(found_names)),
                        due_on=a.due_on,
                        overdue=a.due_on is not None
                        and a.due_on < when
                        and a.status.value in progress.OPEN_ACTIONS,
                    )
                    for a in node.actions
                ],
                reported=rated.reported_rating,
                partners=partners,
            )
        )
        if rated.reported_rating is not None:
            check_in_lines.append(
                CheckInLine(objective_code=code, about=node.title, check_in=rated.reported_rating)
            )
        check_in_lines += [
            CheckInLine(objective_code=code, about=m.description, check_in=m.check_in)
            for m in measures
            if m.check_in is not None
        ]
    check_in_lines.sort(key=lambda c: c.check_in.recorded_on, reverse=True)
    return PlanReport(
        network_id=found.network.id or 0,
        network_name=found.network.name,
        plan_id=plan.id,
        title=tree.title,
        aim=tree.aim,
        period_start=plan.period_start,
        period_end=plan.period_end,
        status=tree.status.value,
        as_of=standing.as_of,
        since=standing.since,
        generated_at=utcnow(),
        rating=standing.rating,
        reasons=standing.reasons,
        coverage=standing.coverage,
        actions=standing.actions,
        milestone_counts=standing.milestones,
        measure_counts=standing.measures,
        objectives=sections,
        attention=standing.attention,
        changes=standing.changes or [],
        changes_truncated=standing.changes_truncated,
        check_ins=check_in_lines,
    )


async def network_report(
    session: AsyncSession, principal: Principal, network: Network, as_of: date | None
) -> NetworkReport:
    """The roll-up of ``/networks/{id}/progress`` with each plan's most severe attention
    items (taken from the plan's own ``/progress``, one computation per plan)."""
    rolled = await rollup.network_progress(session, principal, network, as_of)
    plan_ids = [p.plan_id for n in rolled.networks for p in n.plans]
    loaded: dict[int, tuple[Plan, Network]] = {}
    if plan_ids:
        rows = await session.execute(
            select(Plan, Network)
            .join(Network, col(Network.id) == col(Plan.network_id))
            .where(col(Plan.id).in_(plan_ids))
        )
        loaded = {plan.id or 0: (plan, net) for plan, net in rows.all()}
    sections = []
    for n in rolled.networks:
        lines = []
        for p in n.plans:
            plan, net = loaded[p.plan_id]
            standing = await progress.progress(session, InPlan(plan, plan, net), p.as_of)
            lines.append(
                PlanLine(
                    plan_id=p.plan_id,
                    title=p.title,
                    period_start=p.period_start,
                    period_end=p.period_end,
                    as_of=p.as_of,
                    rating=p.rating,
                    reasons=p.reasons,
                    coverage=p.coverage,
                    actions=p.actions,
                    milestones=p.milestones,
                    measures=p.measures,
                    attention=standing.attention[:ATTENTION_PER_PLAN],
                )
            )
        sections.append(
            NetworkSection(network_id=n.network_id, name=n.name, depth=n.depth, plans=lines)
        )
    return NetworkReport(
        network_id=network.id or 0,
        network_name=network.name,
        as_of=as_of,
        generated_at=utcnow(),
        networks=sections,
        totals=rolled.totals,
    )
