"""What changed in a plan since a day, read from the audit trail in a constant number of
statements: actions' status changes, milestones decided, readings, evidence, the plan's status,
and whatever other packages register (check-ins) with ``register_change_source``."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import ServiceAccount
from app.core.audit import AuditEvent
from app.plans.attention import number, short, user_names
from app.plans.models import Action, Evidence, Measure, MeasureReading, Milestone, Plan
from app.plans.progress_schemas import Actor, Change, ChangeKind

CHANGES_LIMIT = 500


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
    people_names = await user_names(session, people) if people else {}
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
        who_names = people_names if event.actor_kind == "user" else account_names
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
