"""Path dependencies for plans and what is inside them (see ``app/plans/scope.py``)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentPrincipal
from app.core.db import SessionDep
from app.core.models import path_id
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.scope import InPlan, load_in_plan


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


async def deleted_plan(
    plan_id: Annotated[int, path_id("plan")], session: SessionDep, principal: CurrentPrincipal
) -> InPlan[Plan]:
    return await load_in_plan(session, principal, Plan, plan_id, "deleted plan", deleted=True)


async def deleted_objective(
    objective_id: Annotated[int, path_id("objective")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Objective]:
    return await load_in_plan(
        session, principal, Objective, objective_id, "deleted objective", deleted=True
    )


async def deleted_action(
    action_id: Annotated[int, path_id("action")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Action]:
    return await load_in_plan(session, principal, Action, action_id, "deleted action", deleted=True)


async def deleted_measure(
    measure_id: Annotated[int, path_id("measure")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Measure]:
    return await load_in_plan(
        session, principal, Measure, measure_id, "deleted measure", deleted=True
    )


async def deleted_milestone(
    milestone_id: Annotated[int, path_id("milestone")],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> InPlan[Milestone]:
    return await load_in_plan(
        session, principal, Milestone, milestone_id, "deleted milestone", deleted=True
    )


ValidPlan = Annotated[InPlan[Plan], Depends(valid_plan)]
ValidObjective = Annotated[InPlan[Objective], Depends(valid_objective)]
ValidAction = Annotated[InPlan[Action], Depends(valid_action)]
ValidMeasure = Annotated[InPlan[Measure], Depends(valid_measure)]
ValidMilestone = Annotated[InPlan[Milestone], Depends(valid_milestone)]
DeletedPlan = Annotated[InPlan[Plan], Depends(deleted_plan)]
DeletedObjective = Annotated[InPlan[Objective], Depends(deleted_objective)]
DeletedAction = Annotated[InPlan[Action], Depends(deleted_action)]
DeletedMeasure = Annotated[InPlan[Measure], Depends(deleted_measure)]
DeletedMilestone = Annotated[InPlan[Milestone], Depends(deleted_milestone)]
