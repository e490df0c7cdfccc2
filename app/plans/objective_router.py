"""Routes for a plan's objectives."""

from app.auth.deps import CurrentPrincipal
from app.core.routes import Collection, ItemRoutes, api_router
from app.plans import objective_service
from app.plans.deps import DeletedObjective, ValidObjective, ValidPlan
from app.plans.objective_schemas import (
    ObjectiveCreate,
    ObjectiveFilters,
    ObjectivePage,
    ObjectiveRead,
    ObjectiveUpdate,
)
from app.plans.router_common import ObjectiveList

router = api_router(tags=["plans"])
OBJECTIVE_AT = "/api/v1/objectives/{id}"  # a create's Location

objectives = Collection(router, "/plans/{plan_id}/objectives", "plan_objective", ValidPlan)
objectives.caller = CurrentPrincipal
objectives.list(
    "List a plan's objectives",
    ObjectiveList,
    ObjectivePage,
    objective_service.list_objectives,
    filters=ObjectiveFilters,
    translated=ObjectiveRead,
)
objectives.create(
    "Add an objective to a plan",
    ObjectiveCreate,
    objective_service.create_objective,
    ObjectiveRead,
    location=OBJECTIVE_AT,
)

objective = ItemRoutes(
    router,
    "/objectives/{objective_id}",
    "objective",
    ValidObjective,
    CurrentPrincipal,
    read=ObjectiveRead,
    deleted=DeletedObjective,
    translated=True,
)
objective.get("Get an objective")
objective.update("Update or move an objective", ObjectiveUpdate, objective_service.update_objective)
objective.delete(
    "Delete an objective with everything under it (restorable)", objective_service.delete_objective
)
objective.restore(
    "Restore a deleted objective and what was deleted with it", objective_service.restore_objective
)
