"""What needs attention in a plan, who answers for it, and what changed since a day.

Every function here issues a constant number of statements, whatever the size of the plan
(rows are fetched in batches: problem milestones, problem actions, names of communities and
people, audit events). Severity order is ``AttentionReason``'s: off_track, missed, overdue,
blocked, at_risk, stale, no_data.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import ServiceAccount, User
from app.communities.models import Community
from app.core.audit import AuditEvent
from app.plans import measures as measure_rules
from app.plans.models import (
    Action,
    Evidence,
    Measure,
    MeasureReading,
    Milestone,
    Objective,
    Plan,
)
from app.plans.schemas import (
    Actor,
    AttentionItem,
    AttentionKind,
    AttentionReason,
    Change,
    ChangeKind,
    Frequency,
    MeasureKind,
    MeasureStatus,
    MilestoneStatus,
    Owner,
    TargetPeriod,
    format_due,
)
from app.plans.service import Judged, milestone_read

SEVERITY = {reason: i for i, reason in enumerate(AttentionReason)}
KIND_ORDER = {kind: i for i, kind in enumerate(AttentionKind)}
OPEN_ACTIONS = ("planned", "in_progress")
NAMED_PER_REASON = 3
TITLE_CHARS = 60
CHANGES_LIMIT = 500
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

    def resolve(self, communities: dict[int, str], users: dict[int, str]) -> Owner:
        community = None
        if self.community_id is not None and self.community_id in communities:
            community = {"id": self.community_id, "name": communities[self.community_id]}
        people = [{"id": uid, "name": users[uid]} for uid in self.user_ids if uid in users]
        return Owner.model_validate({"community": community, "people": people, "text": self.text})


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


def action_owner(action: Any, fallback: _Owner) -> _Owner:
    if action.owner_user_id is None and action.owner_community_id is None and not action.owner_text:
        return fallback
    return _Owner(
        community_id=action.owner_community_id,
        user_ids=[action.owner_user_id] if action.owner_user_id is not None else [],
        text=action.owner_text,
    )


async def names(
    session: AsyncSession, owners: Iterable[_Owner]
) -> tuple[dict[int, str], dict[int, str]]:
    """Community titles and user names for owners: at most two statements."""
    community_ids = {o.community_id for o in owners if o.community_id is not None}
    user_ids = {uid for o in owners for uid in o.user_ids}
    communities: dict[int, str] = {}
    users: dict[int, str] = {}
    if community_ids:
        rows = await session.execute(
            select(col(Community.id), col(Community.title)).where(
                col(Community.id).in_(community_ids)
            )
        )
        communities = {cid: title for cid, title in rows.all() if cid is not None}
    if user_ids:
        users = await _user_names(session, user_ids)
    return communities, users


async def _user_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
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


async def collect(
    session: AsyncSession,
    plan: Plan,
    as_of: date,
    *,
    objectives: dict[int, Any],
    order: Sequence[int],
    judged: list[Judged],
    unrecorded: set[int],
) -> list[AttentionItem]:
    """Everything that needs attention, most severe first. ``unrecorded`` are the objectives
    with nothing recorded (listed when their parent is not); three to five statements."""
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
            title=measure.description,
            reason=reason,
            detail=measure_detail(one, plan, as_of),
            due_on=measure_rules.window_end(measure, plan, as_of),
            days_overdue=None,
        )

    problem = _problem_milestone(as_of)
    milestones = (
        (await session.execute(select(Milestone).where(col(Milestone.plan_id) == plan.id, problem)))
        .scalars()
        .all()
    )
    late_action = and_(col(Action.status).in_(OPEN_ACTIONS), col(Action.due_on) < as_of)
    actions = {
        a.id: a
        for a in (
            await session.execute(
                select(Action).where(
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
            )
        )
        .scalars()
        .all()
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
            action_owner(action, owners[action.objective_id]),
            id=action.id,
            title=action.description,
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
            owner = action_owner(actions[milestone.action_id], owner)
        add(
            AttentionKind.milestone,
            milestone.objective_id,
            owner,
            id=milestone.id,
            title=milestone.title,
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

    communities, users = await names(session, [r["_owner"] for r in raw])
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
        AttentionItem.model_validate(
            {
                **{k: v for k, v in r.items() if k != "_owner"},
                "objective_code": objectives[r["objective_id"]].code,
                "owner": r["_owner"].resolve(communities, users),
            }
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
    items: list[AttentionItem], order: Sequence[int], children: dict[int | None, list[int]]
) -> dict[int | None, list[str]]:
    """For each objective (with its sub-objectives) and the plan (key None): sentences naming
    the most severe items, up to three per reason, then how many more."""
    by_objective: dict[int, list[AttentionItem]] = defaultdict(list)
    for item in items:  # already most severe first
        if item.reason in REASON_SENTENCES:
            by_objective[item.objective_id].append(item)
    tops: dict[int | None, dict[AttentionReason, list[AttentionItem]]] = {}
    counts: dict[int | None, dict[AttentionReason, int]] = {}
    rank = {item_key(i): n for n, i in enumerate(items)}

    def merge(key: int | None, parts: list[int]) -> None:
        mine: dict[AttentionReason, list[AttentionItem]] = defaultdict(list)
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


def item_key(item: AttentionItem) -> tuple[str, int]:
    return item.kind.value, item.id


# --- changes since a day ------------------------------------------------------------------


@dataclass
class ChangeContext:
    codes: dict[int, str]
    measures: dict[int, Measure]
    milestones: dict[int, tuple[str, int]] = field(default_factory=dict)


Described = tuple[str, int | None, str]  # title, objective id, what happened


@dataclass(frozen=True)
class ChangeSource:
    """An audited object whose events are changes worth listing: its table, the audit
    action, the ids of its objects in a plan (a subquery), and how to describe an event
    (None: not worth listing, e.g. an update that left the status as it was)."""

    object_type: str
    action: str
    kind: ChangeKind
    ids: Callable[[int], Select[Any]]
    describe: Callable[[AuditEvent, ChangeContext], Described | None]


CHANGE_SOURCES: dict[str, ChangeSource] = {}


def register_change_source(source: ChangeSource) -> None:
    """Add a kind of change (check-ins register theirs)."""
    CHANGE_SOURCES[source.object_type] = source


def _status_change(event: AuditEvent) -> tuple[str, str] | None:
    before, after = event.before or {}, event.after or {}
    if before.get("status") == after.get("status"):
        return None
    return str(before.get("status")), str(after.get("status"))


def _describe_action(event: AuditEvent, _: ChangeContext) -> Described | None:
    change = _status_change(event)
    if change is None:
        return None
    after = event.after or {}
    return str(after.get("description", "")), after.get("objective_id"), " → ".join(change)


def _describe_milestone(event: AuditEvent, _: ChangeContext) -> Described | None:
    change = _status_change(event)
    if change is None:
        return None
    after = event.after or {}
    status = change[1]
    what = {"achieved": "achieved", "missed": "recorded as missed"}.get(status, f"set {status}")
    if status == "achieved" and after.get("achieved_on"):
        what += f" on {after['achieved_on']}"
    return str(after.get("title", "")), after.get("objective_id"), what


def _describe_reading(event: AuditEvent, context: ChangeContext) -> Described | None:
    after = event.after or {}
    measure = context.measures.get(after.get("measure_id") or 0)
    if measure is None:
        return None
    what = f"reading {number(float(after.get('value', 0)))} (observed {after.get('observed_on')})"
    return measure.description, measure.objective_id, what


def _describe_evidence(event: AuditEvent, context: ChangeContext) -> Described | None:
    after = event.after or {}
    title, objective_id = context.milestones.get(after.get("milestone_id") or 0, ("", None))
    content = after.get("url") or after.get("text") or ""
    return title, objective_id, f"evidence ({after.get('kind')}): {short(str(content))}"


def _describe_plan(event: AuditEvent, _: ChangeContext) -> Described | None:
    change = _status_change(event)
    if change is None:
        return None
    return str((event.after or {}).get("title", "")), None, "plan " + " → ".join(change)


for _source in (
    ChangeSource(
        "actions",
        "update",
        ChangeKind.status,
        lambda plan_id: select(col(Action.id)).where(col(Action.plan_id) == plan_id),
        _describe_action,
    ),
    ChangeSource(
        "milestones",
        "update",
        ChangeKind.milestone,
        lambda plan_id: select(col(Milestone.id)).where(col(Milestone.plan_id) == plan_id),
        _describe_milestone,
    ),
    ChangeSource(
        "measure_readings",
        "create",
        ChangeKind.reading,
        lambda plan_id: (
            select(col(MeasureReading.id))
            .join(Measure, col(Measure.id) == col(MeasureReading.measure_id))
            .where(col(Measure.plan_id) == plan_id)
        ),
        _describe_reading,
    ),
    ChangeSource(
        "milestone_evidence",
        "create",
        ChangeKind.evidence,
        lambda plan_id: (
            select(col(Evidence.id))
            .join(Milestone, col(Milestone.id) == col(Evidence.milestone_id))
            .where(col(Milestone.plan_id) == plan_id)
        ),
        _describe_evidence,
    ),
    ChangeSource(
        "plans",
        "update",
        ChangeKind.plan,
        lambda plan_id: select(col(Plan.id)).where(col(Plan.id) == plan_id),
        _describe_plan,
    ),
):
    register_change_source(_source)


async def changes(
    session: AsyncSession,
    plan: Plan,
    since: date,
    *,
    codes: dict[int, str],
    measures: dict[int, Measure],
) -> tuple[list[Change], bool]:
    """What happened in the plan from ``since`` on, newest first, from the audit trail: one
    statement for the events, one for milestone titles (when evidence was added), one each
    for the names of people and service accounts."""
    assert plan.id is not None
    start = datetime.combine(since, time.min, tzinfo=UTC)
    kinds = [
        and_(
            col(AuditEvent.object_type) == source.object_type,
            col(AuditEvent.action) == source.action,
            col(AuditEvent.object_id).in_(source.ids(plan.id)),
        )
        for source in CHANGE_SOURCES.values()
    ]
    events = list(
        (
            await session.execute(
                select(AuditEvent)
                .where(
                    col(AuditEvent.network_id) == plan.network_id,
                    col(AuditEvent.occurred_at) >= start,
                    or_(*kinds),
                )
                .order_by(col(AuditEvent.id).desc())
                .limit(CHANGES_LIMIT + 1)
            )
        )
        .scalars()
        .all()
    )
    truncated = len(events) > CHANGES_LIMIT
    events = events[:CHANGES_LIMIT]
    context = ChangeContext(codes=codes, measures=measures)
    milestone_ids = {
        (e.after or {}).get("milestone_id") for e in events if e.object_type == "milestone_evidence"
    } - {None}
    if milestone_ids:
        rows = await session.execute(
            select(col(Milestone.id), col(Milestone.title), col(Milestone.objective_id)).where(
                col(Milestone.id).in_(milestone_ids)
            )
        )
        context.milestones = {
            mid: (title, oid) for mid, title, oid in rows.all() if mid is not None
        }
    described = []
    for event in events:
        source = CHANGE_SOURCES[event.object_type]
        found = source.describe(event, context)
        if found is not None:
            described.append((event, source.kind, found))
    people = {e.actor_id for e, _, _ in described if e.actor_kind == "user" and e.actor_id}
    accounts = {
        e.actor_id for e, _, _ in described if e.actor_kind == "service_account" and e.actor_id
    }
    user_names = await _user_names(session, people) if people else {}
    account_names: dict[int, str] = {}
    if accounts:
        found_accounts = await session.execute(
            select(col(ServiceAccount.id), col(ServiceAccount.name)).where(
                col(ServiceAccount.id).in_(accounts)
            )
        )
        account_names = {aid: name for aid, name in found_accounts.all() if aid is not None}
    result = []
    for event, kind, (title, objective_id, what) in described:
        who_names = user_names if event.actor_kind == "user" else account_names
        result.append(
            Change(
                occurred_at=event.occurred_at,
                kind=kind,
                object_type=event.object_type,
                object_id=event.object_id,
                objective_code=codes.get(objective_id) if objective_id else None,
                title=title,
                what=what,
                who=Actor(
                    kind=event.actor_kind,
                    id=event.actor_id,
                    name=who_names.get(event.actor_id or 0),
                ),
            )
        )
    return result, truncated


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
    communities, users = await names(session, chosen)
    reads = []
    for milestone, owner in zip(milestones, chosen, strict=True):
        judged = milestone_item(milestone, as_of)
        objective = objectives.get(milestone.objective_id)
        reads.append(
            {
                **milestone_read(milestone, as_of).model_dump(),
                "objective_code": objective.code if objective else "",
                "owner": owner.resolve(communities, users),
                "days_overdue": judged[2] if judged else None,
            }
        )
    return reads
