"""Path-object loaders for plans and what is inside them.

Each loads the object with its plan and network in one query, and answers 404 when any of the
three is deleted or the network's private data is not visible to the caller.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends
from sqlalchemy import select
from sqlmodel import col

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, Principal, authorize
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.networks.models import Network
from app.plans.models import Action, Measure, Milestone, Objective, Plan

T = TypeVar("T")


@dataclass
class InPlan(Generic[T]):
    """An object, its plan and the plan's network."""

    obj: T
    plan: Plan
    network: Network


async def load_in_plan(
    session: Any,
    principal: Principal,
    model: Any,
    object_id: int,
    label: str,
    *,
    deleted: bool = False,
) -> InPlan[Any]:
    deleted_clause = (
        col(model.deleted_at).is_not(None) if deleted else col(model.deleted_at).is_(None)
    )
    if model is Plan:
        stmt = select(Plan, Network).where(col(Plan.id) == object_id, deleted_clause)
    else:
        stmt = (
            select(model, Plan, Network)
            .join(Plan, col(Plan.id) == model.plan_id)
            .where(col(model.id) == object_id, deleted_clause, col(Plan.deleted_at).is_(None))
        )
    stmt = stmt.join(Network, col(Network.id) == col(Plan.network_id)).where(
        col(Network.deleted_at).is_(None)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"{label} {object_id} does not exist or is not visible to you")
    found = InPlan(obj=row[0], plan=row[-2], network=row[-1])
    authorize(principal, Permission.network_read, found.network)
    return found


async def valid_plan(
    plan_id: Annotated[int, path_id("plan")], session: SessionDep, principal: CurrentPrincipal
) -> InPlan[Plan]:
    return await load_in_plan(session, principal, Plan, plan_id, "plan")


async def valid_objective(
    objective_id: Annotated[int, path_id("objective")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Objective]:
    return await load_in_plan(session, principal, Objective, objective_id, "objective")


async def valid_action(
    action_id: Annotated[int, path_id("action")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Action]:
    return await load_in_plan(session, principal, Action, action_id, "action")


async def valid_measure(
    measure_id: Annotated[int, path_id("measure")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Measure]:
    return await load_in_plan(session, principal, Measure, measure_id, "measure")


async def valid_milestone(
    milestone_id: Annotated[int, path_id("milestone")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Milestone]:
    return await load_in_plan(session, principal, Milestone, milestone_id, "milestone")


ValidPlan = Annotated[InPlan[Plan], Depends(valid_plan)]
ValidObjective = Annotated[InPlan[Objective], Depends(valid_objective)]
ValidAction = Annotated[InPlan[Action], Depends(valid_action)]
ValidMeasure = Annotated[InPlan[Measure], Depends(valid_measure)]
ValidMilestone = Annotated[InPlan[Milestone], Depends(valid_milestone)]
