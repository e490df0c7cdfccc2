"""Routes for a plan's actions and their status history."""

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.routes import Collection, ItemRoutes, api_router
from app.plans import action_service
from app.plans.action_schemas import (
    ActionCreate,
    ActionFilters,
    ActionPage,
    ActionRead,
    ActionUpdate,
    StatusChangePage,
)
from app.plans.deps import DeletedAction, ValidAction, ValidObjective
from app.plans.router_common import ActionList, StatusChangeList

router = api_router(tags=["plans"])

actions = Collection(
    router, "/objectives/{objective_id}/actions", "objective_action", ValidObjective
)
actions.caller = CurrentPrincipal
actions.list(
    "List an objective's actions",
    ActionList,
    ActionPage,
    action_service.list_actions,
    filters=ActionFilters,
    translated=ActionRead,
    lang_first=False,
)
actions.create(
    "Add an action to an objective",
    ActionCreate,
    action_service.create_action,
    ActionRead,
    location="/api/v1/actions/{id}",
)

action = ItemRoutes(router, "/actions/{action_id}", "action", ValidAction, CurrentPrincipal)
action.read, action.deleted, action.translated = ActionRead, DeletedAction, True
action.get("Get an action")
action.update(
    "Update an action (facilitators: its status only)", ActionUpdate, action_service.update_action
)
action.delete("Delete an action (restorable)", action_service.delete_action)
action.restore("Restore a deleted action", action_service.restore_action)


@router.get(
    "/actions/{action_id}/history",
    summary="An action's status history",
    response_model=StatusChangePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_action_status_changes(
    found: ValidAction, session: SessionDep, query: StatusChangeList
) -> StatusChangePage:
    result = await action_service.action_history(session, found.obj, params=query.params)
    return query.page(StatusChangePage, result)
