"""What needs attention in a plan, who answers for it, and what changed since a day.

Every function here issues a constant number of statements, whatever the size of the plan
(rows are fetched in batches: problem milestones, problem actions, names of communities and
people, audit events). Severity order is ``AttentionReason``'s: off_track, missed, overdue,
blocked, at_risk, stale, no_data.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import User
from app.core.i18n import Served
from app.core.models import column_views
from app.plans import measures as measure_rules
from app.plans.communities import community_leads, community_titles
from app.plans.measure_service import Judged
from app.plans.milestone_service import milestone_read
from app.plans.models import (
    Action,
    Measure,
    Milestone,
    Objective,
    Plan,
)
from app.plans.progress_schemas import AttentionKind, AttentionReason, Owner
from app.plans.schemas import (
    Frequency,
    MeasureKind,
    MeasureStatus,
    MilestoneStatus,
    TargetPeriod,
    format_due,
)

SEVERITY = {reason: i for i, reason in enumerate(AttentionReason)}
KIND_ORDER = {kind: i for i, kind in enumerate(AttentionKind)}
OPEN_ACTIONS = ("planned", "in_progress")
NAMED_PER_REASON = 3
TITLE_CHARS = 60
COMPARATOR_WORDS = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}
STATUS_REASONS = {
    MeasureStatus.off_track: AttentionReason.off_track,
    MeasureStatus.at_risk: AttentionReason.at_risk,
}


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


# --- owners -------------------------------------------------------------------------------


@dataclass
class _Owner:
    community_id: int | None = None
    user_ids: list[int] = field(default_factory=list)
    text: str | None = None

    def resolve(self, found: "Names") -> Owner:
        return Owner.model_validate(self.fields(found))

    def fields(self, found: "Names") -> dict[str, Any]:
        """``Owner``'s fields (shaped into the answer with the item, not validated apart)."""
        communities, users, leads = found
        community = None
        if self.community_id is not None and self.community_id in communities:
            community = {"id": self.community_id, "name": communities[self.community_id]}
        # Named people, else the responsible community's leads.
        user_ids = self.user_ids or leads.get(self.community_id or 0, [])
        people = [{"id": uid, "name": users[uid]} for uid in user_ids if uid in users]
        return {"community": community, "people": people, "text": self.text}


def objective_owners(objectives: dict[int, Any]) -> dict[int, _Owner]:
    """Each objective's responsible community and group, inherited from the nearest
    ancestor that names one. ``objectives`` rows need ``parent_id``, ``responsible_group``
    and ``responsible_community_id``."""
    owners: dict[int, _Owner] = {}

    def owner(oid: int) -> _Owner:
        if oid in owners:
            return owners[oid]
        row = objectives[oid]
        community = getattr(row, "responsible_community_id", None)
        text = getattr(row, "responsible_group", None)
        if community is None and text is None and row.parent_id in objectives:
            owners[oid] = owner(row.parent_id)
        else:
            owners[oid] = _Owner(community_id=community, text=text)
        return owners[oid]

    for oid in objectives:
        owner(oid)
    return owners


def action_owner(action: Any, fallback: _Owner, served: Served | None = None) -> _Owner:
    if action.owner_user_id is None and action.owner_community_id is None and not action.owner_text:
        return fallback
    return _Owner(
        community_id=action.owner_community_id,
        user_ids=[action.owner_user_id] if action.owner_user_id is not None else [],
        text=served.text(action, "owner_text") if served else action.owner_text,
    )


Names = tuple[dict[int, str], dict[int, str], dict[int, list[int]]]


async def names(session: AsyncSession, owners: Iterable[_Owner]) -> Names:
    """Community titles, user names and communities' leads for owners: at most three
    statements."""
    owners = list(owners)
    community_ids = {o.community_id for o in owners if o.community_id is not None}
    user_ids = {uid for o in owners for uid in o.user_ids}
    communities: dict[int, str] = {}
    leads: dict[int, list[int]] = {}
    users: dict[int, str] = {}
    if community_ids:
        communities = await community_titles(session, community_ids)
        leads = await community_leads(session, community_ids)
    user_ids |= {uid for ids in leads.values() for uid in ids}
    if user_ids:
        users = await user_names(session, user_ids)
    return communities, users, leads


async def user_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    rows = await session.execute(select(col(User.id), col(User.name)).where(col(User.id).in_(ids)))
    return {uid: name for uid, name in rows.all() if uid is not None}


# --- attention ----------------------------------------------------------------------------


def _target_words(measure: Measure) -> str:
    words = (
        f"{COMPARATOR_WORDS.get(measure.target_comparator or '', '')} "
        f"{number(measure.target_value or 0)}"
    )
    if measure.target_unit:
        words += f" {measure.target_unit}"
    if measure.target_period == TargetPeriod.per_annum:
        words += " per year"
    return words


def measure_detail(judged: Judged, plan: Plan, as_of: date) -> str:
    """A readable sentence on why a measure is where it is."""
    measure = judged.measure
    kind = measure.kind
    if judged.status is MeasureStatus.no_data:
        if kind == MeasureKind.qualitative:
            return "no check-in yet"
        if kind == MeasureKind.binary:
            return "no reading yet (record 1 when it is done)"
        if measure.target_comparator is None:
            return "no target set" + ("" if judged.value is not None else " and no value yet")
        if measure.source != measure_rules.MANUAL:
            return f"source {measure.source} gives no value"
        return "no reading yet"
    if judged.stale and judged.status not in STATUS_REASONS:
        frequency = Frequency(measure.update_frequency or Frequency.annually).value
        what = "check-in" if kind == MeasureKind.qualitative else "reading"
        if judged.last_on is None:
            return f"no {what} since the plan started; expected {frequency}"
        return f"last {what} {judged.last_on.isoformat()}; expected {frequency}"
    if kind == MeasureKind.qualitative:
        when = judged.last_on.isoformat() if judged.last_on else "?"
        return f"rated {judged.reported} in the latest check-in ({when})"
    end = measure_rules.window_end(measure, plan, as_of)
    if kind == MeasureKind.binary:
        return f"not done by {end.isoformat()}" if as_of >= end else "not done yet"
    value = number(judged.value or 0)
    detail = f"value {value} of target {_target_words(measure)}"
    if as_of < end and measure.target_comparator != "at_most":
        start = plan.period_start
        if measure.target_period == TargetPeriod.per_annum:
            start = measure_rules.plan_year(plan.period_start, as_of)[0]
        expected = (measure.target_value or 0) * measure_rules.elapsed_fraction(start, end, as_of)
        detail += f" ({number(round(expected, 1))} expected by now)"
    return detail


def _measure_reason(judged: Judged) -> AttentionReason | None:
    if judged.status in STATUS_REASONS:
        return STATUS_REASONS[judged.status]
    if judged.stale:
        return AttentionReason.stale
    if judged.status is MeasureStatus.no_data:
        return AttentionReason.no_data
    return None


def _columns(model: Any) -> Any:
    return model.__table__.columns


def _problem_milestone(as_of: date) -> Any:
    return and_(
        col(Milestone.deleted_at).is_(None),
        or_(
            col(Milestone.status) == MilestoneStatus.missed.value,
            and_(
                col(Milestone.status) == MilestoneStatus.pending.value,
                col(Milestone.due_on) < as_of,
            ),
        ),
    )


def milestone_item(
    milestone: Milestone, as_of: date
) -> tuple[AttentionReason, str, int | None] | None:
    """Reason, detail and days overdue of a milestone that needs attention."""
    due = milestone.due_on
    days = (as_of - due).days if due is not None and due < as_of else None
    if milestone.status == MilestoneStatus.missed:
        was = f"; it was due {format_due(due, milestone.due_precision)}" if due else ""
        return AttentionReason.missed, f"recorded as missed{was}", days
    if milestone.status == MilestoneStatus.pending and days is not None:
        return AttentionReason.overdue, f"{_days(days)} overdue", days
    return None


class Found(SimpleNamespace):
    """An ``AttentionItem``'s fields as attributes: a 1,000-objective plan has thousands of
    items, validated as models they cost more than the rest of ``/progress``; the answer
    shapes them once (app/core/answers.py)."""


async def collect(
    session: AsyncSession,
    plan: Plan,
    as_of: date,
    *,
    objectives: dict[int, Any],
    order: Sequence[int],
    judged: list[Judged],
    unrecorded: set[int],
    served: Served,
) -> list[Found]:
    """Everything that needs attention, most severe first. ``unrecorded`` are the objectives
    with nothing recorded (listed when their parent is not); three to five statements. The
    titles in ``served``'s language (``objectives`` rows carry theirs already)."""
    assert plan.id is not None
    position = {oid: i for i, oid in enumerate(order)}
    owners = objective_owners(objectives)
    raw: list[dict[str, Any]] = []

    def add(kind: AttentionKind, oid: int, owner: _Owner, **fields: Any) -> None:
        raw.append({"kind": kind, "objective_id": oid, "_owner": owner, **fields})

    for one in judged:
        measure = one.measure
        reason = _measure_reason(one)
        if reason is None or measure.objective_id not in objectives or measure.id is None:
            continue
        add(
            AttentionKind.measure,
            measure.objective_id,
            owners[measure.objective_id],
            id=measure.id,
            title=served.text(measure, "description"),
            reason=reason,
            detail=measure_detail(one, plan, as_of),
            due_on=measure_rules.window_end(measure, plan, as_of),
            days_overdue=None,
        )

    problem = _problem_milestone(as_of)
    # Rows as attributes, not ORM objects (a late plan has thousands; nothing is written).
    milestones = column_views(
        Milestone,
        await session.execute(
            select(*_columns(Milestone)).where(col(Milestone.plan_id) == plan.id, problem)
        ),
    )
    late_action = and_(col(Action.status).in_(OPEN_ACTIONS), col(Action.due_on) < as_of)
    actions = {
        a.id: a
        for a in column_views(
            Action,
            await session.execute(
                select(*_columns(Action)).where(
                    col(Action.plan_id) == plan.id,
                    col(Action.deleted_at).is_(None),
                    or_(
                        col(Action.status) == "blocked",
                        late_action,
                        col(Action.id).in_(
                            select(col(Milestone.action_id)).where(
                                col(Milestone.plan_id) == plan.id, problem
                            )
                        ),
                    ),
                )
            ),
        )
    }
    for action in actions.values():
        if action.objective_id not in objectives or action.id is None:
            continue
        due = action.due_on
        late = action.status in OPEN_ACTIONS and due is not None and due < as_of
        if action.status != "blocked" and not late:
            continue
        days = (as_of - due).days if due is not None and due < as_of else None
        if action.status == "blocked":
            reason, detail = AttentionReason.blocked, "blocked" + (f"; due {due}" if due else "")
        else:
            reason = AttentionReason.overdue
            detail = f"{_days(days or 0)} past its due date ({action.status.replace('_', ' ')})"
        add(
            AttentionKind.action,
            action.objective_id,
            action_owner(action, owners[action.objective_id], served),
            id=action.id,
            title=served.text(action, "description"),
            reason=reason,
            detail=detail,
            due_on=due,
            days_overdue=days,
        )
    for milestone in milestones:
        judged_milestone = milestone_item(milestone, as_of)
        if judged_milestone is None or milestone.objective_id not in objectives:
            continue
        reason, detail, days = judged_milestone
        owner = owners[milestone.objective_id]
        if milestone.action_id in actions:
            owner = action_owner(actions[milestone.action_id], owner, served)
        add(
            AttentionKind.milestone,
            milestone.objective_id,
            owner,
            id=milestone.id,
            title=served.text(milestone, "title"),
            reason=reason,
            detail=detail,
            due_on=milestone.due_on,
            days_overdue=days,
        )
    for oid in order:
        parent = objectives[oid].parent_id
        if oid in unrecorded and parent not in unrecorded:
            add(
                AttentionKind.objective,
                oid,
                owners[oid],
                id=oid,
                title=objectives[oid].title,
                reason=AttentionReason.no_data,
                detail="nothing recorded: no measure has a current value, no milestone is "
                "decided and no action has started",
                due_on=None,
                days_overdue=None,
            )

    found_names = await names(session, [r["_owner"] for r in raw])
    raw.sort(
        key=lambda r: (
            SEVERITY[r["reason"]],
            -(r["days_overdue"] or 0),
            position.get(r["objective_id"], 0),
            KIND_ORDER[r["kind"]],
            r["id"],
        )
    )
    return [
        Found(
            **{k: v for k, v in r.items() if k != "_owner"},
            objective_code=objectives[r["objective_id"]].code,
            owner=r["_owner"].fields(found_names),
        )
        for r in raw
    ]


REASON_SENTENCES = {
    AttentionReason.off_track: "{kind} '{title}' is off track: {detail}",
    AttentionReason.at_risk: "{kind} '{title}' is at risk: {detail}",
    AttentionReason.overdue: "{kind} '{title}' is {detail}",
    AttentionReason.missed: "{kind} '{title}' was missed",
    AttentionReason.blocked: "{kind} '{title}' is {detail}",
    AttentionReason.stale: "{kind} '{title}' is stale: {detail}",
}


def named_reasons(
    items: list[Found], order: Sequence[int], children: dict[int | None, list[int]]
) -> dict[int | None, list[str]]:
    """For each objective (with its sub-objectives) and the plan (key None): sentences naming
    the most severe items, up to three per reason, then how many more."""
    by_objective: dict[int, list[Found]] = defaultdict(list)
    for item in items:  # already most severe first
        if item.reason in REASON_SENTENCES:
            by_objective[item.objective_id].append(item)
    tops: dict[int | None, dict[AttentionReason, list[Found]]] = {}
    counts: dict[int | None, dict[AttentionReason, int]] = {}
    rank = {item_key(i): n for n, i in enumerate(items)}

    def merge(key: int | None, parts: list[int]) -> None:
        mine: dict[AttentionReason, list[Found]] = defaultdict(list)
        total: dict[AttentionReason, int] = defaultdict(int)
        for item in by_objective.get(key, []) if key is not None else []:
            mine[item.reason].append(item)
            total[item.reason] += 1
        for part in parts:
            for reason, listed in tops[part].items():
                mine[reason].extend(listed)
            for reason, n in counts[part].items():
                total[reason] += n
        tops[key] = {
            r: sorted(listed, key=lambda i: rank[item_key(i)])[:NAMED_PER_REASON]
            for r, listed in mine.items()
        }
        counts[key] = dict(total)

    for oid in reversed(order):  # children come after their parent in ``order``
        merge(oid, children.get(oid, []))
    merge(None, children.get(None, []))

    sentences: dict[int | None, list[str]] = {}
    for key, by_reason in tops.items():
        lines = []
        for reason in sorted(by_reason, key=lambda r: SEVERITY[r]):
            for item in by_reason[reason]:
                lines.append(
                    REASON_SENTENCES[reason].format(
                        kind=item.kind.value, title=short(item.title), detail=item.detail
                    )
                )
            more = counts[key][reason] - len(by_reason[reason])
            if more > 0:
                lines.append(f"and {more} more {reason.value.replace('_', ' ')}")
        sentences[key] = lines
    return sentences


def item_key(item: Found) -> tuple[str, int]:
    return item.kind.value, item.id


# --- a plan's milestone list --------------------------------------------------------------


async def plan_milestone_reads(
    session: AsyncSession, plan: Plan, milestones: Sequence[Milestone], as_of: date
) -> list[dict[str, Any]]:
    """Milestones with their objective's code, their owner and days overdue: four
    statements at most, whatever the page size."""
    if not milestones:
        return []
    rows = await session.execute(
        select(
            col(Objective.id),
            col(Objective.parent_id),
            col(Objective.code),
            col(Objective.responsible_group),
            col(Objective.responsible_community_id),
        ).where(col(Objective.plan_id) == plan.id)
    )
    objectives = {row.id: row for row in rows.all()}
    owners = objective_owners(objectives)
    action_ids = {m.action_id for m in milestones if m.action_id is not None}
    actions: dict[int | None, Action] = {}
    if action_ids:
        found = await session.execute(select(Action).where(col(Action.id).in_(action_ids)))
        actions = {a.id: a for a in found.scalars().all()}
    chosen = []
    for milestone in milestones:
        owner = owners.get(milestone.objective_id, _Owner())
        if milestone.action_id in actions:
            owner = action_owner(actions[milestone.action_id], owner)
        chosen.append(owner)
    found_names = await names(session, chosen)
    reads = []
    for milestone, owner in zip(milestones, chosen, strict=True):
        judged = milestone_item(milestone, as_of)
        objective = objectives.get(milestone.objective_id)
        reads.append(
            {
                **milestone_read(milestone, as_of).model_dump(),
                "objective_code": objective.code if objective else "",
                "owner": owner.fields(found_names),
                "reason": judged[0] if judged else None,
                "detail": judged[1] if judged else None,
                "days_overdue": judged[2] if judged else None,
            }
        )
    return reads
