"""Routes for a plan's life: check-ins on objectives and measures, closing and copying plans."""

from fastapi import APIRouter, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, tagged
from app.core.routing import CohesionRoute
from app.plans import checkins, lifecycle
from app.plans.checkin_schemas import CheckInCreate, CheckInPage, CheckInRead
from app.plans.deps import ValidMeasure, ValidObjective, ValidPlan
from app.plans.models import Measure, Objective, Plan
from app.plans.router_common import CheckInList
from app.plans.schemas import PlanCopy, PlanRead
from app.plans.scope import InPlan

router = APIRouter(tags=["plans"], route_class=CohesionRoute)


async def _list(session: SessionDep, target: Objective | Measure, query: ListQuery) -> CheckInPage:
    result = await checkins.list_check_ins(session, target, params=query.params)
    return query.page(CheckInPage, result, lambda read: read)


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


@router.get(
    "/objectives/{objective_id}/check-ins",
    operation_id="list_objective_check_ins",
    summary="List the check-ins on an objective, newest first",
    response_model=CheckInPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_check_ins(
    found: ValidObjective, session: SessionDep, query: CheckInList
) -> CheckInPage:
    return await _list(session, found.obj, query)


@router.post(
    "/objectives/{objective_id}/check-ins",
    operation_id="create_objective_check_in",
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


@router.get(
    "/measures/{measure_id}/check-ins",
    operation_id="list_measure_check_ins",
    summary="List the check-ins on a measure, newest first",
    response_model=CheckInPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_measure_check_ins(
    found: ValidMeasure, session: SessionDep, query: CheckInList
) -> CheckInPage:
    return await _list(session, found.obj, query)


@router.post(
    "/measures/{measure_id}/check-ins",
    operation_id="create_measure_check_in",
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
    operation_id="close_plan",
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
    operation_id="copy_plan",
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
