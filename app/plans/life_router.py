"""Routes for a plan's life: check-ins on objectives and measures, closing and copying plans."""

from fastapi import Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import tagged
from app.core.routes import Collection, api_router
from app.plans import checkins, lifecycle
from app.plans.checkin_schemas import CheckInCreate, CheckInPage, CheckInRead
from app.plans.deps import ValidMeasure, ValidObjective, ValidPlan
from app.plans.models import Measure, Objective, Plan
from app.plans.router_common import CheckInList
from app.plans.schemas import PlanCopy, PlanRead
from app.plans.scope import InPlan

router = api_router(tags=["plans"])


def same(read: CheckInRead) -> CheckInRead:
    """A check-in as the service reads it (with its author's name)."""
    return read


async def _create(
    data: CheckInCreate,
    found: InPlan[Objective] | InPlan[Measure],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    kind: str,
) -> CheckInRead:
    check_in = await checkins.record(session, principal, found, data=data)
    response.headers["Location"] = f"/api/v1/{kind}s/{found.obj.id}/check-ins"
    return check_in


Collection(
    router, "/objectives/{objective_id}/check-ins", "objective_check_in", ValidObjective
).list(
    "List the check-ins on an objective, newest first",
    CheckInList,
    CheckInPage,
    checkins.list_check_ins,
    read=same,
)


@router.post(
    "/objectives/{objective_id}/check-ins",
    summary="Record a check-in on an objective: a rating, confidence and a note",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckInRead,
    responses=responses.CREATE,
)
async def create_objective_check_in(
    data: CheckInCreate,
    found: ValidObjective,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CheckInRead:
    return await _create(data, found, response, session, principal, "objective")


Collection(router, "/measures/{measure_id}/check-ins", "measure_check_in", ValidMeasure).list(
    "List the check-ins on a measure, newest first",
    CheckInList,
    CheckInPage,
    checkins.list_check_ins,
    read=same,
)


@router.post(
    "/measures/{measure_id}/check-ins",
    summary="Record a check-in on a measure: a rating, confidence and a note",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckInRead,
    responses=responses.CREATE,
)
async def create_measure_check_in(
    data: CheckInCreate,
    found: ValidMeasure,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CheckInRead:
    return await _create(data, found, response, session, principal, "measure")


@router.post(
    "/plans/{plan_id}/close",
    summary="Close a plan: pending milestones missed, final progress kept, read-only",
    response_model=PlanRead,
    responses=responses.ACTION,
)
async def close_plan(
    found: ValidPlan, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> Plan:
    plan = await lifecycle.close_now(session, principal, found)
    return tagged(response, plan)


@router.post(
    "/plans/{plan_id}/copy",
    summary="Start a new plan from this one (objectives, measures, unfinished work)",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRead,
    responses=responses.CREATE,
)
async def copy_plan(
    data: PlanCopy,
    found: ValidPlan,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Plan:
    plan = await lifecycle.copy(session, principal, found, data=data)
    return tagged(response, plan, f"/api/v1/plans/{plan.id}")
