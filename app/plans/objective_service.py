"""A plan's objectives: codes, the parent tree (no cycles), deletion with what hangs below."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import i18n
from app.core.errors import Conflict, Unprocessable
from app.core.resources import (
    ListParams,
    audited_create,
    audited_delete,
    audited_restore,
    audited_update,
    fetch_page,
)
from app.plans.communities import check_plan_community
from app.plans.models import (
    Action,
    Measure,
    Milestone,
    Objective,
    Plan,
)
from app.plans.objective_schemas import ObjectiveCreate, ObjectiveFilters, ObjectiveUpdate
from app.plans.scope import InPlan
from app.plans.service import ensure_open, field_issue, set_deleted

# --- objectives ---------------------------------------------------------------------------


async def _code_free(
    session: AsyncSession, plan_id: int, code: str, except_id: int | None = None
) -> None:
    stmt = select(col(Objective.id)).where(
        col(Objective.plan_id) == plan_id,
        col(Objective.code) == code,
        col(Objective.deleted_at).is_(None),
    )
    if except_id is not None:
        stmt = stmt.where(col(Objective.id) != except_id)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"objective code {code!r} is already used in this plan")


async def _parent_links(session: AsyncSession, plan_id: int) -> dict[int, int | None]:
    rows = await session.execute(
        select(col(Objective.id), col(Objective.parent_id)).where(
            col(Objective.plan_id) == plan_id, col(Objective.deleted_at).is_(None)
        )
    )
    return {oid: parent for oid, parent in rows.all() if oid is not None}


async def create_objective(
    session: AsyncSession, principal: Principal, found: InPlan[Plan], *, data: ObjectiveCreate
) -> Objective:
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    assert found.plan.id is not None
    if data.parent_id is not None:
        links = await _parent_links(session, found.plan.id)
        if data.parent_id not in links:
            raise Unprocessable(
                f"objective {data.parent_id} is not an objective of this plan",
                errors=[field_issue("parent_id", "unknown parent", "unknown_parent")],
            )
    await _code_free(session, found.plan.id, data.code)
    if data.responsible_community_id is not None:
        await check_plan_community(
            session,
            data.responsible_community_id,
            found.plan.network_id,
            "responsible_community_id",
        )
    objective = Objective.model_validate(data, update={"plan_id": found.plan.id})
    await audited_create(session, principal, objective, network_id=found.network.id)
    return objective


async def list_objectives(
    session: AsyncSession, found: InPlan[Plan], *, params: ListParams, filters: ObjectiveFilters
) -> tuple[list[Objective], str | None]:
    stmt = select(Objective).where(col(Objective.plan_id) == found.plan.id)
    if filters.parent_id is not None:
        stmt = stmt.where(col(Objective.parent_id) == filters.parent_id)
    elif filters.top_level:
        stmt = stmt.where(col(Objective.parent_id).is_(None))
    return await fetch_page(session, stmt, params)


async def update_objective(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Objective],
    *,
    data: ObjectiveUpdate,
    language: str | None = None,
) -> Objective:
    """Change or move an objective; translatable text in ``language`` (default: the
    network's default)."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    objective = found.obj
    changes = i18n.localised(
        found.network, objective, data.model_dump(exclude_unset=True), language
    )
    if changes.get("responsible_community_id") is not None:
        await check_plan_community(
            session,
            changes["responsible_community_id"],
            found.plan.network_id,
            "responsible_community_id",
        )
    if "code" in changes and changes["code"] != objective.code:
        await _code_free(session, objective.plan_id, changes["code"], except_id=objective.id)
    if changes.get("parent_id") is not None:
        links = await _parent_links(session, objective.plan_id)
        target = changes["parent_id"]
        if target not in links:
            raise Unprocessable(
                f"objective {target} is not an objective of this plan",
                errors=[field_issue("parent_id", "unknown parent", "unknown_parent")],
            )
        node: int | None = target
        while node is not None:
            if node == objective.id:
                raise Unprocessable(
                    "an objective cannot move under itself or one of its descendants",
                    errors=[field_issue("parent_id", "would create a cycle", "cycle")],
                )
            node = links.get(node)
    await audited_update(session, principal, objective, changes, network_id=found.network.id)
    return objective


def _subtree(links: dict[int, int | None], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for oid, parent in links.items():
        children.setdefault(parent, []).append(oid)
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


async def delete_objective(
    session: AsyncSession, principal: Principal, found: InPlan[Objective]
) -> None:
    """Soft-delete an objective with its sub-objectives, actions, measures and milestones."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    objective = found.obj
    assert objective.id is not None
    ids = _subtree(await _parent_links(session, objective.plan_id), objective.id)
    await audited_delete(session, principal, objective, network_id=found.network.id)
    stamp = objective.deleted_at
    others = ids - {objective.id}
    if others:
        await set_deleted(
            session,
            Objective,
            col(Objective.id).in_(others),
            stamp,
            col(Objective.deleted_at).is_(None),
        )
    for model in (Action, Measure, Milestone):
        await set_deleted(
            session, model, col(model.objective_id).in_(ids), stamp, col(model.deleted_at).is_(None)
        )


async def restore_objective(
    session: AsyncSession, principal: Principal, found: InPlan[Objective]
) -> Objective:
    """Restore an objective and everything deleted with it."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    objective = found.obj
    if objective.parent_id is not None:
        parent = await session.get(Objective, objective.parent_id)
        if parent is None or parent.deleted_at is not None:
            raise Conflict("restore the parent objective first")
    await _code_free(session, objective.plan_id, objective.code, except_id=objective.id)
    stamp = objective.deleted_at
    await audited_restore(session, principal, objective, network_id=found.network.id)
    plan_objectives = col(Objective.plan_id) == objective.plan_id
    await set_deleted(session, Objective, plan_objectives, None, col(Objective.deleted_at) == stamp)
    for model in (Action, Measure, Milestone):
        await set_deleted(
            session,
            model,
            col(model.plan_id) == objective.plan_id,
            None,
            col(model.deleted_at) == stamp,
        )
    return objective
