"""Routes for a plan's objectives."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.models import Id
from app.core.resources import tagged
from app.core.routing import CohesionRoute
from app.core.versioning import IfMatchHeader, check_if_match
from app.plans import objective_service
from app.plans.deps import DeletedObjective, ValidObjective, ValidPlan
from app.plans.models import (
    Objective,
)
from app.plans.objective_schemas import (
    ObjectiveCreate,
    ObjectivePage,
    ObjectiveRead,
    ObjectiveUpdate,
)
from app.plans.router_common import ObjectiveList

router = APIRouter(tags=["plans"], route_class=CohesionRoute)

# --- objectives ---------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/objectives",
    operation_id="list_plan_objectives",
    summary="List a plan's objectives",
    response_model=ObjectivePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_plan_objectives(
    found: ValidPlan,
    session: SessionDep,
    lang: Lang,
    query: ObjectiveList,
    parent_id: Annotated[Id | None, Query(description="Only children of this objective.")] = None,
    top_level: Annotated[bool, Query(description="Only objectives without a parent.")] = False,
) -> ObjectivePage:
    result = await objective_service.list_objectives(
        session, found.plan, parent_id=parent_id, top_level=top_level, params=query.params
    )
    read = lang.read(found.network).reader(ObjectiveRead)
    return lang.answer(query.page(ObjectivePage, result, read=read))


@router.post(
    "/plans/{plan_id}/objectives",
    operation_id="create_plan_objective",
    summary="Add an objective to a plan",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectiveRead,
    responses=responses.CREATE,
)
async def create_plan_objective(
    data: ObjectiveCreate,
    found: ValidPlan,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Objective:
    objective = await objective_service.create_objective(session, principal, found, data=data)
    return tagged(response, objective, f"/api/v1/objectives/{objective.id}")


@router.get(
    "/objectives/{objective_id}",
    operation_id="get_objective",
    summary="Get an objective",
    response_model=ObjectiveRead,
    responses=responses.READ,
)
async def get_objective(
    found: ValidObjective, response: Response, lang: Lang
) -> Objective | ObjectiveRead:
    return lang.answer(tagged(response, lang.read(found.network).read(ObjectiveRead, found.obj)))


@router.patch(
    "/objectives/{objective_id}",
    operation_id="update_objective",
    summary="Update or move an objective",
    response_model=ObjectiveRead,
    responses=responses.UPDATE,
)
async def update_objective(
    data: ObjectiveUpdate,
    found: ValidObjective,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> Objective | ObjectiveRead:
    check_if_match(if_match, found.obj.version)
    served = lang.write(found.network)
    objective = await objective_service.update_objective(
        session, principal, found, data=data, language=served.language
    )
    return lang.answer(tagged(response, served.read(ObjectiveRead, objective)))


@router.delete(
    "/objectives/{objective_id}",
    operation_id="delete_objective",
    summary="Delete an objective with everything under it (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_objective(
    found: ValidObjective,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await objective_service.delete_objective(session, principal, found)


@router.post(
    "/objectives/{objective_id}/restore",
    operation_id="restore_objective",
    summary="Restore a deleted objective and what was deleted with it",
    response_model=ObjectiveRead,
    responses=responses.ACTION,
)
async def restore_objective(
    found: DeletedObjective,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Objective:
    objective = await objective_service.restore_objective(session, principal, found)
    return tagged(response, objective)
