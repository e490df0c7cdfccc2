"""Routes for a plan's actions and their status history."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.resources import tagged
from app.core.routing import CohesionRoute
from app.core.versioning import IfMatchHeader, check_if_match
from app.plans import action_service
from app.plans.action_schemas import (
    ActionCreate,
    ActionPage,
    ActionRead,
    ActionUpdate,
    StatusChangePage,
)
from app.plans.deps import DeletedAction, ValidAction, ValidObjective
from app.plans.models import (
    Action,
)
from app.plans.router_common import ActionList, StatusChangeList
from app.plans.schemas import ActionStatus

router = APIRouter(tags=["plans"], route_class=CohesionRoute)

# --- actions ------------------------------------------------------------------------------


@router.get(
    "/objectives/{objective_id}/actions",
    operation_id="list_objective_actions",
    summary="List an objective's actions",
    response_model=ActionPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_actions(
    found: ValidObjective,
    session: SessionDep,
    query: ActionList,
    lang: Lang,
    action_status: Annotated[
        ActionStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
) -> ActionPage:
    result = await action_service.list_actions(
        session, found.obj, status=action_status, params=query.params
    )
    return lang.answer(query.page(ActionPage, result, lang.read(found.network).reader(ActionRead)))


@router.post(
    "/objectives/{objective_id}/actions",
    operation_id="create_objective_action",
    summary="Add an action to an objective",
    status_code=status.HTTP_201_CREATED,
    response_model=ActionRead,
    responses=responses.CREATE,
)
async def create_objective_action(
    data: ActionCreate,
    found: ValidObjective,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Action:
    action = await action_service.create_action(session, principal, found, data=data)
    return tagged(response, action, f"/api/v1/actions/{action.id}")


@router.get(
    "/actions/{action_id}",
    operation_id="get_action",
    summary="Get an action",
    response_model=ActionRead,
    responses=responses.READ,
)
async def get_action(found: ValidAction, response: Response, lang: Lang) -> Action | ActionRead:
    return lang.answer(tagged(response, lang.read(found.network).read(ActionRead, found.obj)))


@router.patch(
    "/actions/{action_id}",
    operation_id="update_action",
    summary="Update an action (facilitators: its status only)",
    response_model=ActionRead,
    responses=responses.UPDATE,
)
async def update_action(
    data: ActionUpdate,
    found: ValidAction,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> Action | ActionRead:
    check_if_match(if_match, found.obj.version)
    served = lang.write(found.network)
    action = await action_service.update_action(
        session, principal, found, data=data, language=served.language
    )
    return lang.answer(tagged(response, served.read(ActionRead, action)))


@router.delete(
    "/actions/{action_id}",
    operation_id="delete_action",
    summary="Delete an action (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_action(
    found: ValidAction,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await action_service.delete_action(session, principal, found)


@router.post(
    "/actions/{action_id}/restore",
    operation_id="restore_action",
    summary="Restore a deleted action",
    response_model=ActionRead,
    responses=responses.ACTION,
)
async def restore_action(
    found: DeletedAction,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Action:
    action = await action_service.restore_action(session, principal, found)
    return tagged(response, action)


@router.get(
    "/actions/{action_id}/history",
    operation_id="list_action_status_changes",
    summary="An action's status history",
    response_model=StatusChangePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_action_status_changes(
    found: ValidAction, session: SessionDep, query: StatusChangeList
) -> StatusChangePage:
    result = await action_service.action_history(session, found.obj, params=query.params)
    return query.page(StatusChangePage, result)
