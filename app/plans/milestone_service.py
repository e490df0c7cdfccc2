"""A plan's milestones and their evidence."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import i18n
from app.core.errors import Unprocessable
from app.core.models import columns_of
from app.core.resources import (
    ListParams,
    audited_create,
    audited_update,
    fetch_page,
)
from app.plans import evidence as evidence_links
from app.plans.milestone_schemas import (
    EvidenceCreate,
    MilestoneCreate,
    MilestoneRead,
    MilestoneUpdate,
)
from app.plans.models import (
    Action,
    Evidence,
    Milestone,
)
from app.plans.schemas import MilestoneStatus, format_due, parse_due
from app.plans.scope import InPlan
from app.plans.service import (
    appended_page,
    delete_content,
    ensure_open,
    field_issue,
    restore_content,
    today,
)

# --- milestones ---------------------------------------------------------------------------


def milestone_read(milestone: Milestone, as_of: date | None = None) -> MilestoneRead:
    return milestone_view(columns_of(milestone), as_of)


def milestone_fields(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    """A milestone's columns (a row read without the ORM, or a model's) with what its read
    model derives from them: the due date as written and whether it is overdue."""
    return {
        **row,
        "due": format_due(row["due_on"], row["due_precision"]),
        "is_overdue": is_overdue(row["status"], row["due_on"], as_of),
    }


def milestone_view(row: dict[str, Any], as_of: date | None = None) -> MilestoneRead:
    """The read model of a milestone's columns (a row read without the ORM, or a model's)."""
    return MilestoneRead.model_validate(milestone_fields(row, as_of or today()))


def is_overdue(status: str, due_on: date | None, as_of: date) -> bool:
    """Pending after the due date has passed (a month-precise due date is its last day)."""
    return status == MilestoneStatus.pending and due_on is not None and due_on < as_of


def _milestone_fields(changes: dict[str, Any]) -> dict[str, Any]:
    fields = dict(changes)
    if "due" in fields:
        due = fields.pop("due")
        if due is None:
            fields.update(due_on=None, due_precision="day")
        else:
            fields["due_on"], fields["due_precision"] = parse_due(due)
    return fields


async def create_milestone(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Any],
    *,
    data: MilestoneCreate,
) -> Milestone:
    """A milestone on an objective, or on an action (``found.obj``)."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    owner = found.obj
    objective_id, action_id = (
        (owner.objective_id, owner.id) if isinstance(owner, Action) else (owner.id, None)
    )
    fields = _milestone_fields(data.model_dump(exclude_unset=True))
    if fields.get("status") == MilestoneStatus.achieved and not fields.get("achieved_on"):
        fields["achieved_on"] = today()
    milestone = Milestone.model_validate(
        {
            **fields,
            "plan_id": found.plan.id,
            "objective_id": objective_id,
            "action_id": action_id,
        }
    )
    await audited_create(session, principal, milestone, network_id=found.network.id)
    return milestone


async def update_milestone(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Milestone],
    *,
    data: MilestoneUpdate,
    language: str | None = None,
) -> Milestone:
    """Chairs and executives edit milestones; facilitators may record them achieved/missed.
    Its title in ``language`` (default: the network's default)."""
    changes = data.model_dump(exclude_unset=True)
    policy.authorize_plan_edit(principal, found.network, "milestone", changes)
    ensure_open(found)
    milestone = found.obj
    fields = _milestone_fields(changes)
    status = fields.get("status", milestone.status)
    if status == MilestoneStatus.achieved:
        fields.setdefault("achieved_on", milestone.achieved_on or today())
    elif fields.get("achieved_on") is not None:
        raise Unprocessable(
            "achieved_on is only for achieved milestones",
            errors=[field_issue("achieved_on", "milestone not achieved", "status")],
        )
    else:
        fields["achieved_on"] = None
    fields = i18n.localised(found.network, milestone, fields, language)
    await audited_update(session, principal, milestone, fields, network_id=found.network.id)
    return milestone


async def list_milestones(
    session: AsyncSession,
    *,
    plan_id: int,
    objective_id: int | None = None,
    action_id: int | None = None,
    status: MilestoneStatus | None = None,
    overdue: bool | None = None,
    as_of: date,
    params: ListParams,
) -> tuple[list[Milestone], str | None]:
    stmt = select(Milestone).where(col(Milestone.plan_id) == plan_id)
    if objective_id is not None:
        stmt = stmt.where(col(Milestone.objective_id) == objective_id)
    if action_id is not None:
        stmt = stmt.where(col(Milestone.action_id) == action_id)
    if status is not None:
        stmt = stmt.where(col(Milestone.status) == status.value)
    overdue_clause = (col(Milestone.status) == MilestoneStatus.pending.value) & (
        col(Milestone.due_on) < as_of
    )
    if overdue is True:
        stmt = stmt.where(overdue_clause)
    elif overdue is False:
        stmt = stmt.where(~overdue_clause | col(Milestone.due_on).is_(None))
    return await fetch_page(session, stmt, params)


delete_milestone = delete_content
restore_milestone = restore_content


async def add_evidence(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Milestone],
    *,
    data: EvidenceCreate,
) -> Evidence:
    policy.authorize_progress_record(principal, found.network)
    ensure_open(found)
    assert found.obj.id is not None
    if data.evaluation_id is not None:
        await evidence_links.check_evaluation(session, data.evaluation_id, found.plan.network_id)
    evidence = Evidence(
        milestone_id=found.obj.id,
        kind=data.kind.value,
        text=data.text,
        url=data.url,
        evaluation_id=data.evaluation_id,
        recorded_by_kind=principal.actor_kind,
        recorded_by_id=principal.actor_id,
    )
    await audited_create(session, principal, evidence, network_id=found.network.id)
    return evidence


async def list_evidence(
    session: AsyncSession, found: InPlan[Milestone], *, params: ListParams
) -> tuple[list[Evidence], str | None]:
    return await appended_page(session, Evidence, Evidence.milestone_id, found.obj.id, params)
