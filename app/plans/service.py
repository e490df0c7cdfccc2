"""Plans: the rules (who may write, closed plans) and queries, and what the
services of their contents share."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit, i18n
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    audited_create,
    audited_delete,
    audited_restore,
    fetch_page,
)
from app.networks.models import Network
from app.plans.models import (
    Objective,
    Plan,
)
from app.plans.schemas import (
    PlanCreate,
    PlanFilters,
    PlanReadStatus,
    PlanStatus,
    PlanUpdate,
)
from app.plans.scope import InPlan

T = TypeVar("T", bound=SQLModel)


def field_issue(field: str, msg: str, kind: str) -> dict[str, Any]:
    """One problem with a body field, as a 422 lists it."""
    return {"loc": ["body", field], "msg": msg, "type": kind}


def today() -> date:
    return utcnow().date()


def ensure_open(found: InPlan[Any]) -> None:
    """The plan is not closed: a closed plan is read-only until it is reopened."""
    if found.plan.status == PlanStatus.closed:
        raise Conflict(f"plan {found.plan.id} is closed and read-only; reopen it first")


# --- plans --------------------------------------------------------------------------------


async def create_plan(
    session: AsyncSession, principal: Principal, network: Network, *, data: PlanCreate
) -> Plan:
    policy.authorize_plan_write(principal, network)
    plan = Plan.model_validate(data, update={"network_id": network.id})
    await audited_create(session, principal, plan, network_id=network.id)
    return plan


async def list_plans(
    session: AsyncSession, network: Network, *, params: ListParams, filters: PlanFilters
) -> tuple[list[Plan], str | None]:
    stmt = select(Plan).where(col(Plan.network_id) == network.id)
    status, q = filters.status, filters.q
    if status is not None:
        # ``ended`` is read, not stored: an active plan whose period has passed.
        stored = PlanStatus.active if status is PlanReadStatus.ended else PlanStatus(status)
        stmt = stmt.where(col(Plan.status) == stored.value)
        if status is PlanReadStatus.ended:
            stmt = stmt.where(col(Plan.period_end) < today())
        elif status is PlanReadStatus.active:
            stmt = stmt.where(col(Plan.period_end) >= today())
    if q:
        stmt = stmt.where(func.lower(col(Plan.title)).contains(q.lower(), autoescape=True))
    return await fetch_page(session, stmt, params)


async def update_plan(
    session: AsyncSession,
    principal: Principal,
    found: InPlan[Plan],
    *,
    data: PlanUpdate,
    language: str | None = None,
) -> Plan:
    """Change a plan; translatable text in ``language`` (default: the network's default)."""
    policy.authorize_plan_write(principal, found.network)
    plan = found.plan
    changes = i18n.localised(found.network, plan, data.model_dump(exclude_unset=True), language)
    if plan.status == PlanStatus.closed and set(changes) - {"status"}:
        raise Conflict(f"plan {plan.id} is closed and read-only; reopen it first")
    start = changes.get("period_start", plan.period_start)
    end = changes.get("period_end", plan.period_end)
    if end < start:
        raise Unprocessable(
            "period_end is before period_start",
            errors=[field_issue("period_end", "before period_start", "period")],
        )
    closing = changes.get("status") == PlanStatus.closed and plan.status != PlanStatus.closed
    reopening = plan.status == PlanStatus.closed and changes.get("status", plan.status) != (
        PlanStatus.closed
    )
    before = audit.snapshot(plan)
    before.pop("final_progress", None)  # kept out of the trail: large, and in the plan row
    plan.sqlmodel_update(changes)
    if closing:
        from app.plans import lifecycle  # late: lifecycle reads progress, which reads us

        plan.status = before["status"]
        return await lifecycle.close(session, principal, found, before=before)
    if reopening:
        plan.closed_at = None
        plan.final_progress = None
    session.add(plan)
    await audit.record(
        session, principal, action="update", obj=plan, network_id=found.network.id, before=before
    )
    return plan


async def delete_plan(session: AsyncSession, principal: Principal, found: InPlan[Plan]) -> None:
    policy.authorize_plan_write(principal, found.network)
    await audited_delete(session, principal, found.plan, network_id=found.network.id)


async def restore_plan(session: AsyncSession, principal: Principal, found: InPlan[Plan]) -> Plan:
    policy.authorize_plan_write(principal, found.network)
    await audited_restore(session, principal, found.plan, network_id=found.network.id)
    return found.plan


async def delete_content(session: AsyncSession, principal: Principal, found: InPlan[Any]) -> None:
    """Soft-delete something inside an open plan (a measure, a milestone, an action)."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_content(session: AsyncSession, principal: Principal, found: InPlan[T]) -> T:
    """Restore something inside an open plan, once its objective is live again."""
    policy.authorize_plan_write(principal, found.network)
    ensure_open(found)
    await require_live_objective(session, found.obj.objective_id)  # type: ignore[attr-defined]
    await audited_restore(session, principal, found.obj, network_id=found.network.id)
    return found.obj


async def appended_page(
    session: AsyncSession, model: Any, owner: Any, owner_id: Any, params: ListParams
) -> PageResult:
    """A page of an append-only table (readings, evidence, status changes) of one ``owner``:
    a row is never edited, so when it was recorded (``changed_at`` or ``recorded_at``) is its
    change time."""
    changed = getattr(model, "recorded_at", None) or model.changed_at
    stmt = select(model).where(owner == owner_id)
    return await fetch_page(session, stmt, params, changed=changed)


async def set_deleted(
    session: AsyncSession, model: Any, where: Any, value: datetime | None, match: Any = None
) -> None:
    """Set (or clear) ``deleted_at`` on every ``model`` row ``where`` says, in one UPDATE."""
    stmt = sa_update(model).where(where)
    if match is not None:
        stmt = stmt.where(match)
    await session.execute(
        stmt.values(
            deleted_at=value, version=model.version + 1, updated_at=utcnow()
        ).execution_options(synchronize_session=False)
    )


async def require_live_objective(session: AsyncSession, objective_id: int) -> None:
    """``409`` when the objective is deleted: restore it before what hangs below it."""
    objective = await session.get(Objective, objective_id)
    if objective is None or objective.deleted_at is not None:
        raise Conflict("restore its objective first")


def by_key(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped
