"""A plan's actions and their status history."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import i18n
from app.core.errors import Unprocessable
from app.core.resources import (
    ListParams,
    audited_create,
    audited_update,
    fetch_page,
)
from app.plans.action_schemas import ActionCreate, ActionFilters, ActionUpdate
from app.plans.communities import check_plan_community
from app.plans.models import (
    Action,
    ActionStatusChange,
    Milestone,
    Objective,
)
from app.plans.scope import InPlan
from app.plans.service import (
    appended_page,
    delete_content,
    ensure_open,
    field_issue,
    restore_content,
    set_deleted,
)

# --- actions ------------------------------------------------------------------------------


def _status_change(
    action: Action, principal: Principal, previous: str | None, note: str | None
) -> ActionStatusChange:
    assert action.id is not None
    return ActionStatusChange(
        action_id=action.id,
        from_status=previous,
        to_status=action.status,
        note=note,
        changed_by_kind=principal.actor_kind,
        changed_by_id=principal.actor_id,
    )


async def create_action(
    session: AsyncSession, principal: Principal, found: InPlan[Objective], *, data: ActionCreate
) -> Action:
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    if data.owner_community_id is not None:
        await check_plan_community(
            session, data.owner_community_id, found.plan.network_id, "owner_community_id"
        )
    action = Action.model_validate(
        data, update={"plan_id": found.plan.id, "objective_id": found.obj.id}
    )
    await audited_create(session, principal, action, network_id=found.network.id)
    session.add(_status_change(action, principal, None, None))
    return action


async def list_actions(
    session: AsyncSession, found: InPlan[Objective], *, params: ListParams, filters: ActionFilters
) -> tuple[list[Action], str | None]:
    stmt = select(Action).where(col(Action.objective_id) == found.obj.id)
    if filters.status is not None:
        stmt = stmt.where(col(Action.status) == filters.status.value)
    return await fetch_page(session, stmt, params)


async def update_action(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Action],
    *,
    data: ActionUpdate,
    language: str | None = None,
) -> Action:
    """Chairs and executives edit actions; facilitators may change only their status. Text in
    ``language`` (default: the network's default)."""
    changes = data.model_dump(exclude_unset=True)
    policy.authorize_plan_edit(principal, found.network, "action", changes)
    ensure_open(found)
    action = found.obj
    if changes.get("owner_community_id") is not None:
        await check_plan_community(
            session, changes["owner_community_id"], found.plan.network_id, "owner_community_id"
        )
    note = changes.pop("status_note", None)
    previous = action.status
    start = changes.get("start_on", action.start_on)
    due = changes.get("due_on", action.due_on)
    if start and due and due < start:
        raise Unprocessable(
            "due_on is before start_on", errors=[field_issue("due_on", "before start_on", "dates")]
        )
    changes = i18n.localised(found.network, action, changes, language)
    await audited_update(session, principal, action, changes, network_id=found.network.id)
    if action.status != previous:
        session.add(_status_change(action, principal, previous, note))
    return action


async def action_history(
    session: AsyncSession,
    action: Action,
    *,
    params: ListParams,
) -> tuple[list[ActionStatusChange], str | None]:
    return await appended_page(
        session, ActionStatusChange, ActionStatusChange.action_id, action.id, params
    )


async def delete_action(session: AsyncSession, principal: Principal, found: InPlan[Action]) -> None:
    """Soft-delete an action with its milestones."""
    await delete_content(session, principal, found)
    await set_deleted(
        session,
        Milestone,
        col(Milestone.action_id) == found.obj.id,
        found.obj.deleted_at,
        col(Milestone.deleted_at).is_(None),
    )


async def restore_action(
    session: AsyncSession, principal: Principal, found: InPlan[Action]
) -> Action:
    """Restore an action with the milestones deleted with it."""
    stamp = found.obj.deleted_at
    await restore_content(session, principal, found)
    await set_deleted(
        session,
        Milestone,
        col(Milestone.action_id) == found.obj.id,
        None,
        col(Milestone.deleted_at) == stamp,
    )
    return found.obj
