"""Routes for plans, objectives, actions, measures, milestones and evidence."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, authorize
from app.core import responses, uploads
from app.core.db import SessionDep
from app.core.errors import Unprocessable
from app.core.models import Id, path_id
from app.core.pagination import CursorQuery, LimitQuery, Page, SyncQuery, link_next, sort_from_param
from app.core.routing import CohesionRoute
from app.core.schemas import LINE_PATTERN, Day, Keep
from app.core.state import app_state
from app.core.versioning import IfMatchHeader, check_if_match, set_etag
from app.networks.deps import NetworkForRead
from app.plans import attention, inference, lifecycle, progress, rollup, service, transfer
from app.plans import measures as measure_rules
from app.plans.deps import (
    InPlan,
    ValidAction,
    ValidMeasure,
    ValidMilestone,
    ValidObjective,
    ValidPlan,
    load_in_plan,
)
from app.plans.models import (
    Action,
    ActionStatusChange,
    Evidence,
    Measure,
    MeasureReading,
    Milestone,
    Objective,
    Plan,
)
from app.plans.schemas import (
    RATING_RULE,
    ActionCreate,
    ActionPage,
    ActionRead,
    ActionStatus,
    ActionUpdate,
    EvidenceCreate,
    EvidencePage,
    EvidenceRead,
    MeasureCreate,
    MeasurePage,
    MeasureRead,
    MeasureSourceRead,
    MeasureUpdate,
    MilestoneCreate,
    MilestonePage,
    MilestoneRead,
    MilestoneStatus,
    MilestoneUpdate,
    NetworkProgress,
    ObjectiveCreate,
    ObjectivePage,
    ObjectiveRead,
    ObjectiveUpdate,
    PlanCreate,
    PlanImported,
    PlanMilestonePage,
    PlanPage,
    PlanProgress,
    PlanRead,
    PlanReadStatus,
    PlanTree,
    PlanUpdate,
    ReadingCreate,
    ReadingPage,
    ReadingRead,
    StatusChangePage,
    StatusChangeRead,
)

router = APIRouter(tags=["plans"], route_class=CohesionRoute)

AsOf = Annotated[
    Day | None,
    Query(
        description="The date to judge against (YYYY-MM-DD). By default today, or the plan's "
        "period_end once its period is over (a closed plan: the day it was closed for)."
    ),
]
SortQuery = Annotated[str | None, Query(max_length=30, description="A field; - to reverse.")]
PLAN_SORTS = {"title": Plan.title, "period_start": Plan.period_start, "updated_at": Plan.updated_at}
POSITION_SORTS: dict[str, dict[str, Any]] = {
    "objectives": {
        "position": Objective.position,
        "code": Objective.code,
        "updated_at": Objective.updated_at,
    },
    "actions": {
        "position": Action.position,
        "due_on": Action.due_on,
        "updated_at": Action.updated_at,
    },
    "measures": {"position": Measure.position, "updated_at": Measure.updated_at},
    "milestones": {
        "due_on": Milestone.due_on,
        "position": Milestone.position,
        "updated_at": Milestone.updated_at,
    },
}


def _page(model: type[Page[Any]], read: Any, items: list[Any], cursor: str | None) -> Any:
    return model(items=[read(i) for i in items], next_cursor=cursor)


def _from(schema: Any) -> Any:
    return lambda row: schema.model_validate(row, from_attributes=True)


def _tag(response: Response, obj: Any, location: str | None = None) -> None:
    set_etag(response, obj.version)
    if location:
        response.headers["Location"] = location


# --- plans --------------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/plans",
    operation_id="list_network_plans",
    summary="List a network's plans",
    response_model=PlanPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_network_plans(
    request: Request,
    response: Response,
    network: NetworkForRead,
    session: SessionDep,
    plan_status: Annotated[
        PlanReadStatus | None,
        Query(alias="status", description="Only this status (`ended`: active, period over)."),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Text in the title.")
    ] = None,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> PlanPage:
    order = sort_from_param(sort, PLAN_SORTS, Plan.id)
    items, next_cursor = await service.list_plans(
        session,
        network,
        status=plan_status,
        q=q,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return _page(PlanPage, _from(PlanRead), items, next_cursor)


@router.post(
    "/networks/{network_id}/plans",
    operation_id="create_network_plan",
    summary="Create a plan",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRead,
    responses=responses.CREATE,
)
async def create_network_plan(
    data: PlanCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Plan:
    plan = await service.create_plan(session, principal, network, data=data)
    _tag(response, plan, f"/api/v1/plans/{plan.id}")
    return plan


@router.get(
    "/networks/{network_id}/progress",
    operation_id="get_network_progress",
    summary="Where a network of networks stands: every readable network's active plans",
    response_model=NetworkProgress,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def get_network_progress(
    network: NetworkForRead,
    session: SessionDep,
    principal: CurrentPrincipal,
    as_of: Annotated[
        Day | None,
        Query(
            description="The date to judge every plan at (YYYY-MM-DD); by default each plan "
            "at today, or at its period end once its period is over."
        ),
    ] = None,
) -> NetworkProgress:
    return await rollup.network_progress(session, principal, network, as_of)


@router.get(
    "/plans/{plan_id}",
    operation_id="get_plan",
    summary="Get a plan",
    response_model=PlanRead,
    responses=responses.READ,
)
async def get_plan(found: ValidPlan, response: Response) -> Plan:
    _tag(response, found.plan)
    return found.plan


@router.patch(
    "/plans/{plan_id}",
    operation_id="update_plan",
    summary="Update a plan",
    response_model=PlanRead,
    responses=responses.UPDATE,
)
async def update_plan(
    data: PlanUpdate,
    found: ValidPlan,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Plan:
    check_if_match(if_match, found.plan.version)
    plan = await service.update_plan(session, principal, found, data=data)
    _tag(response, plan)
    return plan


@router.delete(
    "/plans/{plan_id}",
    operation_id="delete_plan",
    summary="Delete a plan (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_plan(
    found: ValidPlan,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.plan.version)
    await service.delete_plan(session, principal, found)


@router.post(
    "/plans/{plan_id}/restore",
    operation_id="restore_plan",
    summary="Restore a deleted plan",
    response_model=PlanRead,
    responses=responses.ACTION,
)
async def restore_plan(
    plan_id: Annotated[int, path_id("plan")],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Plan:
    found = await load_in_plan(session, principal, Plan, plan_id, "deleted plan", deleted=True)
    plan = await service.restore_plan(session, principal, found)
    _tag(response, plan)
    return plan


@router.get(
    "/plans/{plan_id}/tree",
    operation_id="get_plan_tree",
    summary="The whole plan, nested",
    response_model=PlanTree,
    responses=responses.READ,
)
async def get_plan_tree(found: ValidPlan, session: SessionDep, as_of: AsOf = None) -> PlanTree:
    return await progress.tree(session, found, as_of or lifecycle.default_as_of(found.plan))


@router.get(
    "/plans/{plan_id}/progress",
    operation_id="get_plan_progress",
    summary="Where the plan stands: ratings, coverage, reasons, what needs attention, changes",
    description="Counts, a rating (green / amber / red / grey) with its coverage and reasons "
    "for the plan and each objective, the list of what needs attention (most severe first) "
    "and, with `since`, what happened from that day on.\n\n" + RATING_RULE,
    response_model=PlanProgress,
    responses=responses.READ,
)
async def get_plan_progress(
    found: ValidPlan,
    session: SessionDep,
    as_of: AsOf = None,
    since: Annotated[
        Day | None,
        Query(
            description="List what happened from this day on (e.g. the last steering "
            "meeting): status changes, milestones decided, readings, evidence, check-ins."
        ),
    ] = None,
) -> PlanProgress:
    return await lifecycle.plan_progress(session, found, as_of, since)


@router.get(
    "/plans/{plan_id}/milestones",
    operation_id="list_plan_milestones",
    summary="List a plan's milestones (e.g. the overdue ones)",
    response_model=PlanMilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_plan_milestones(
    request: Request,
    response: Response,
    found: ValidPlan,
    session: SessionDep,
    overdue: Annotated[bool | None, Query(description="Only (not) overdue ones.")] = None,
    milestone_status: Annotated[
        MilestoneStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    as_of: AsOf = None,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> PlanMilestonePage:
    when = as_of or lifecycle.default_as_of(found.plan)
    assert found.plan.id is not None
    order = sort_from_param(sort, POSITION_SORTS["milestones"], Milestone.id)
    items, next_cursor = await service.list_milestones(
        session,
        plan_id=found.plan.id,
        status=milestone_status,
        overdue=overdue,
        as_of=when,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return PlanMilestonePage.model_validate(
        {
            "items": await attention.plan_milestone_reads(session, found.plan, items, when),
            "next_cursor": next_cursor,
        }
    )


@router.get(
    "/measure-sources",
    operation_id="list_measure_sources",
    summary="The derived sources a measure can read its value from",
    response_model=list[MeasureSourceRead],
    responses=responses.problems(401),
)
async def list_measure_sources(_: CurrentPrincipal) -> list[MeasureSourceRead]:
    return [
        MeasureSourceRead(
            name=s.name, description=s.description, params_schema=s.params_model.model_json_schema()
        )
        for s in sorted(measure_rules.REGISTRY.values(), key=lambda s: s.name)
    ]


# --- objectives ---------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/objectives",
    operation_id="list_plan_objectives",
    summary="List a plan's objectives",
    response_model=ObjectivePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_plan_objectives(
    request: Request,
    response: Response,
    found: ValidPlan,
    session: SessionDep,
    parent_id: Annotated[Id | None, Query(description="Only children of this objective.")] = None,
    top_level: Annotated[bool, Query(description="Only objectives without a parent.")] = False,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> ObjectivePage:
    order = sort_from_param(sort, POSITION_SORTS["objectives"], Objective.id)
    items, next_cursor = await service.list_objectives(
        session,
        found.plan,
        parent_id=parent_id,
        top_level=top_level,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return _page(ObjectivePage, _from(ObjectiveRead), items, next_cursor)


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
    objective = await service.create_objective(session, principal, found, data=data)
    _tag(response, objective, f"/api/v1/objectives/{objective.id}")
    return objective


@router.get(
    "/objectives/{objective_id}",
    operation_id="get_objective",
    summary="Get an objective",
    response_model=ObjectiveRead,
    responses=responses.READ,
)
async def get_objective(found: ValidObjective, response: Response) -> Objective:
    _tag(response, found.obj)
    return found.obj


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
    if_match: IfMatchHeader = None,
) -> Objective:
    check_if_match(if_match, found.obj.version)
    objective = await service.update_objective(session, principal, found, data=data)
    _tag(response, objective)
    return objective


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
    await service.delete_objective(session, principal, found)


@router.post(
    "/objectives/{objective_id}/restore",
    operation_id="restore_objective",
    summary="Restore a deleted objective and what was deleted with it",
    response_model=ObjectiveRead,
    responses=responses.ACTION,
)
async def restore_objective(
    objective_id: Annotated[int, path_id("objective")],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Objective:
    found = await load_in_plan(
        session, principal, Objective, objective_id, "deleted objective", deleted=True
    )
    objective = await service.restore_objective(session, principal, found)
    _tag(response, objective)
    return objective


# --- actions ------------------------------------------------------------------------------


@router.get(
    "/objectives/{objective_id}/actions",
    operation_id="list_objective_actions",
    summary="List an objective's actions",
    response_model=ActionPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_actions(
    request: Request,
    response: Response,
    found: ValidObjective,
    session: SessionDep,
    action_status: Annotated[
        ActionStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> ActionPage:
    order = sort_from_param(sort, POSITION_SORTS["actions"], Action.id)
    items, next_cursor = await service.list_actions(
        session,
        found.obj,
        status=action_status,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return _page(ActionPage, _from(ActionRead), items, next_cursor)


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
    action = await service.create_action(session, principal, found, data=data)
    _tag(response, action, f"/api/v1/actions/{action.id}")
    return action


@router.get(
    "/actions/{action_id}",
    operation_id="get_action",
    summary="Get an action",
    response_model=ActionRead,
    responses=responses.READ,
)
async def get_action(found: ValidAction, response: Response) -> Action:
    _tag(response, found.obj)
    return found.obj


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
    if_match: IfMatchHeader = None,
) -> Action:
    check_if_match(if_match, found.obj.version)
    action = await service.update_action(session, principal, found, data=data)
    _tag(response, action)
    return action


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
    await service.delete_action(session, principal, found)


@router.post(
    "/actions/{action_id}/restore",
    operation_id="restore_action",
    summary="Restore a deleted action",
    response_model=ActionRead,
    responses=responses.ACTION,
)
async def restore_action(
    action_id: Annotated[int, path_id("action")],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Action:
    found = await load_in_plan(
        session, principal, Action, action_id, "deleted action", deleted=True
    )
    action = await service.restore_action(session, principal, found)
    _tag(response, action)
    return action


@router.get(
    "/actions/{action_id}/history",
    operation_id="list_action_status_changes",
    summary="An action's status history",
    response_model=StatusChangePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_action_status_changes(
    request: Request,
    response: Response,
    found: ValidAction,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> StatusChangePage:
    order = sort_from_param(None, {}, ActionStatusChange.id)
    items, next_cursor = await service.action_history(
        session, found.obj, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return _page(StatusChangePage, _from(StatusChangeRead), items, next_cursor)


# --- measures -----------------------------------------------------------------------------


@router.get(
    "/objectives/{objective_id}/measures",
    operation_id="list_objective_measures",
    summary="List an objective's measures of success, with current values",
    response_model=MeasurePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_measures(
    request: Request,
    response: Response,
    found: ValidObjective,
    session: SessionDep,
    as_of: AsOf = None,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MeasurePage:
    order = sort_from_param(sort, POSITION_SORTS["measures"], Measure.id)
    items, next_cursor = await service.list_measures(
        session, found.obj, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return MeasurePage(
        items=await service.measure_reads(session, found, items, as_of), next_cursor=next_cursor
    )


@router.post(
    "/objectives/{objective_id}/measures",
    operation_id="create_objective_measure",
    summary="Add a measure of success",
    status_code=status.HTTP_201_CREATED,
    response_model=MeasureRead,
    responses=responses.CREATE,
)
async def create_objective_measure(
    data: MeasureCreate,
    found: ValidObjective,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MeasureRead:
    measure = await service.create_measure(session, principal, found, data=data)
    await session.flush()
    _tag(response, measure, f"/api/v1/measures/{measure.id}")
    return (await service.measure_reads(session, found, [measure]))[0]


@router.get(
    "/measures/{measure_id}",
    operation_id="get_measure",
    summary="Get a measure with its current value and status",
    response_model=MeasureRead,
    responses=responses.READ,
)
async def get_measure(
    found: ValidMeasure, response: Response, session: SessionDep, as_of: AsOf = None
) -> MeasureRead:
    _tag(response, found.obj)
    return (await service.measure_reads(session, found, [found.obj], as_of))[0]


@router.patch(
    "/measures/{measure_id}",
    operation_id="update_measure",
    summary="Update a measure",
    response_model=MeasureRead,
    responses=responses.UPDATE,
)
async def update_measure(
    data: MeasureUpdate,
    found: ValidMeasure,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> MeasureRead:
    check_if_match(if_match, found.obj.version)
    measure = await service.update_measure(session, principal, found, data=data)
    await session.flush()
    _tag(response, measure)
    return (await service.measure_reads(session, found, [measure]))[0]


@router.delete(
    "/measures/{measure_id}",
    operation_id="delete_measure",
    summary="Delete a measure (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_measure(
    found: ValidMeasure,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_measure(session, principal, found)


@router.post(
    "/measures/{measure_id}/restore",
    operation_id="restore_measure",
    summary="Restore a deleted measure",
    response_model=MeasureRead,
    responses=responses.ACTION,
)
async def restore_measure(
    measure_id: Annotated[int, path_id("measure")],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MeasureRead:
    found = await load_in_plan(
        session, principal, Measure, measure_id, "deleted measure", deleted=True
    )
    measure = await service.restore_measure(session, principal, found)
    await session.flush()
    _tag(response, measure)
    return (await service.measure_reads(session, found, [measure]))[0]


@router.get(
    "/measures/{measure_id}/readings",
    operation_id="list_measure_readings",
    summary="List a manual measure's readings",
    response_model=ReadingPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_measure_readings(
    request: Request,
    response: Response,
    found: ValidMeasure,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> ReadingPage:
    order = sort_from_param(None, {}, MeasureReading.id)
    items, next_cursor = await service.list_readings(
        session, found.obj, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return _page(ReadingPage, _from(ReadingRead), items, next_cursor)


@router.post(
    "/measures/{measure_id}/readings",
    operation_id="create_measure_reading",
    summary="Record a reading of a manual measure",
    status_code=status.HTTP_201_CREATED,
    response_model=ReadingRead,
    responses=responses.CREATE,
)
async def create_measure_reading(
    data: ReadingCreate,
    found: ValidMeasure,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MeasureReading:
    return await service.add_reading(session, principal, found, data=data)


# --- milestones ---------------------------------------------------------------------------


async def _list_milestones(
    request: Request,
    response: Response,
    session: Any,
    found: InPlan[Any],
    *,
    objective_id: int | None,
    action_id: int | None,
    sort: str | None,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> MilestonePage:
    order = sort_from_param(sort, POSITION_SORTS["milestones"], Milestone.id)
    when = service.today()
    assert found.plan.id is not None
    items, next_cursor = await service.list_milestones(
        session,
        plan_id=found.plan.id,
        objective_id=objective_id,
        action_id=action_id,
        as_of=when,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return MilestonePage(
        items=[service.milestone_read(m, when) for m in items], next_cursor=next_cursor
    )


@router.get(
    "/objectives/{objective_id}/milestones",
    operation_id="list_objective_milestones",
    summary="List an objective's milestones (with those of its actions)",
    response_model=MilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_milestones(
    request: Request,
    response: Response,
    found: ValidObjective,
    session: SessionDep,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MilestonePage:
    return await _list_milestones(
        request,
        response,
        session,
        found,
        objective_id=found.obj.id,
        action_id=None,
        sort=sort,
        limit=limit,
        cursor=cursor,
        since=since,
    )


@router.post(
    "/objectives/{objective_id}/milestones",
    operation_id="create_objective_milestone",
    summary="Add a milestone to an objective",
    status_code=status.HTTP_201_CREATED,
    response_model=MilestoneRead,
    responses=responses.CREATE,
)
async def create_objective_milestone(
    data: MilestoneCreate,
    found: ValidObjective,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MilestoneRead:
    milestone = await service.create_milestone(session, principal, found, data=data)
    _tag(response, milestone, f"/api/v1/milestones/{milestone.id}")
    return service.milestone_read(milestone)


@router.get(
    "/actions/{action_id}/milestones",
    operation_id="list_action_milestones",
    summary="List an action's milestones",
    response_model=MilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_action_milestones(
    request: Request,
    response: Response,
    found: ValidAction,
    session: SessionDep,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MilestonePage:
    return await _list_milestones(
        request,
        response,
        session,
        found,
        objective_id=None,
        action_id=found.obj.id,
        sort=sort,
        limit=limit,
        cursor=cursor,
        since=since,
    )


@router.post(
    "/actions/{action_id}/milestones",
    operation_id="create_action_milestone",
    summary="Add a milestone to an action",
    status_code=status.HTTP_201_CREATED,
    response_model=MilestoneRead,
    responses=responses.CREATE,
)
async def create_action_milestone(
    data: MilestoneCreate,
    found: ValidAction,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MilestoneRead:
    milestone = await service.create_milestone(session, principal, found, data=data)
    _tag(response, milestone, f"/api/v1/milestones/{milestone.id}")
    return service.milestone_read(milestone)


@router.get(
    "/milestones/{milestone_id}",
    operation_id="get_milestone",
    summary="Get a milestone",
    response_model=MilestoneRead,
    responses=responses.READ,
)
async def get_milestone(found: ValidMilestone, response: Response) -> MilestoneRead:
    _tag(response, found.obj)
    return service.milestone_read(found.obj)


@router.patch(
    "/milestones/{milestone_id}",
    operation_id="update_milestone",
    summary="Update a milestone (facilitators: status only)",
    response_model=MilestoneRead,
    responses=responses.UPDATE,
)
async def update_milestone(
    data: MilestoneUpdate,
    found: ValidMilestone,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> MilestoneRead:
    check_if_match(if_match, found.obj.version)
    milestone = await service.update_milestone(session, principal, found, data=data)
    _tag(response, milestone)
    return service.milestone_read(milestone)


@router.delete(
    "/milestones/{milestone_id}",
    operation_id="delete_milestone",
    summary="Delete a milestone (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_milestone(
    found: ValidMilestone,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_milestone(session, principal, found)


@router.post(
    "/milestones/{milestone_id}/restore",
    operation_id="restore_milestone",
    summary="Restore a deleted milestone",
    response_model=MilestoneRead,
    responses=responses.ACTION,
)
async def restore_milestone(
    milestone_id: Annotated[int, path_id("milestone")],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MilestoneRead:
    found = await load_in_plan(
        session, principal, Milestone, milestone_id, "deleted milestone", deleted=True
    )
    milestone = await service.restore_milestone(session, principal, found)
    _tag(response, milestone)
    return service.milestone_read(milestone)


@router.get(
    "/milestones/{milestone_id}/evidence",
    operation_id="list_milestone_evidence",
    summary="List a milestone's evidence",
    response_model=EvidencePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_milestone_evidence(
    request: Request,
    response: Response,
    found: ValidMilestone,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> EvidencePage:
    order = sort_from_param(None, {}, Evidence.id)
    items, next_cursor = await service.list_evidence(
        session, found.obj, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return _page(EvidencePage, _from(EvidenceRead), items, next_cursor)


@router.post(
    "/milestones/{milestone_id}/evidence",
    operation_id="create_milestone_evidence",
    summary="Record evidence for a milestone",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceRead,
    responses=responses.CREATE,
)
async def create_milestone_evidence(
    data: EvidenceCreate,
    found: ValidMilestone,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Evidence:
    return await service.add_evidence(session, principal, found, data=data)


# --- import and export --------------------------------------------------------------------

IMPORT_FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
EXPORT_MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"


def _file_format(upload: UploadFile) -> str:
    name = (upload.filename or "").lower()
    for suffix, kind in IMPORT_FORMATS.items():
        if name.endswith(suffix):
            return kind
    content_type = (upload.content_type or "").split(";")[0].strip()
    by_type = {"application/json": "json", "text/csv": "csv", EXPORT_MEDIA["xlsx"]: "xlsx"}
    if content_type in by_type:
        return by_type[content_type]
    raise Unprocessable(
        "say what the file is: name it .json, .csv or .xlsx",
        errors=[{"loc": ["body", "file"], "msg": "unknown file type", "type": "file_type"}],
    )


@router.post(
    "/networks/{network_id}/plans/import",
    operation_id="import_network_plan",
    summary="Import a plan from JSON, CSV or XLSX",
    description="Upload `file` (.json in the tree shape of GET /plans/{id}/export?format=json; "
    ".csv or .xlsx with columns aspiration, objective_code, objective, action, measure, "
    "responsible_group, milestone, due, and optional ones, see docs/plans.md). CSV and XLSX "
    "need the form fields `title`, `period_start` and `period_end`. The whole file is checked "
    "first: any problem is a 422 listing every bad row and column, and nothing is written. "
    "A table's measure without target columns gets the target its text states ('A minimum "
    "of 5 …' → at least 5); each such measure is listed in `inferred`.\n\n" + uploads.describe(),
    status_code=status.HTTP_201_CREATED,
    response_model=PlanImported,
    responses=responses.UPLOAD_CREATE,
)
async def import_network_plan(
    request: Request,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description="The plan: .json, .csv or .xlsx.")],
    title: Annotated[Keep[str], Form(max_length=300, description="Title (CSV/XLSX).")] = None,
    aim: Annotated[Keep[str], Form(max_length=10_000, description="Aim (CSV/XLSX).")] = None,
    period_start: Annotated[Keep[Day], Form(description="Period start (CSV/XLSX).")] = None,
    period_end: Annotated[Keep[Day], Form(description="Period end (CSV/XLSX).")] = None,
) -> PlanImported:
    # Refuse callers who may not write plans before reading what they sent.
    authorize(principal, Permission.plan_write, network)
    kind = _file_format(file)
    raw = await file.read()
    reader = app_state(request).uploads
    inferred: list[dict[str, Any]] = []
    if kind == "json":
        document = await reader.parse(transfer.parse_json, raw, caps=reader.caps)
    else:
        missing = [
            name
            for name, value in (
                ("title", title),
                ("period_start", period_start),
                ("period_end", period_end),
            )
            if not value
        ]
        if missing:
            raise Unprocessable(
                f"a {kind.upper()} plan needs the form fields {', '.join(missing)}",
                errors=[
                    {"loc": ["body", name], "msg": "required", "type": "missing"}
                    for name in missing
                ],
            )
        assert title and period_start and period_end
        parse = transfer.parse_csv if kind == "csv" else transfer.parse_xlsx
        document = await reader.parse(
            parse,
            raw,
            title=title,
            period_start=period_start,
            period_end=period_end,
            aim=aim,
            caps=reader.caps,
        )
        inferred = inference.infer_targets(
            [(node.code, m) for _, _, node in transfer.walk(document) for m in node.measures]
        )
    plan = await transfer.create_from_document(session, principal, network, document)
    _tag(response, plan, f"/api/v1/plans/{plan.id}")
    return PlanImported.model_validate({**plan.model_dump(), "inferred": inferred})


@router.get(
    "/plans/{plan_id}/export",
    operation_id="export_plan",
    summary="Export a plan as JSON, CSV, XLSX or Markdown (re-importable, except Markdown)",
    response_class=Response,
    responses={
        200: {
            "description": "The plan file.",
            "content": {media.split(";")[0]: {} for media in EXPORT_MEDIA.values()},
        },
        **responses.READ,
    },
)
async def export_plan(
    found: ValidPlan,
    session: SessionDep,
    export_format: Annotated[
        ExportFormat, Query(alias="format", description="json, csv, xlsx or md.")
    ] = ExportFormat.json,
) -> Response:
    document = await transfer.load_document(session, found.plan)
    body: bytes
    if export_format is ExportFormat.json:
        body = transfer.to_json(document)
    elif export_format is ExportFormat.csv:
        body = transfer.to_csv(document)
    elif export_format is ExportFormat.xlsx:
        body = transfer.to_xlsx(document)
    else:
        body = transfer.to_markdown(document).encode()
    filename = f"plan-{found.plan.id}.{export_format.value}"
    return Response(
        body,
        media_type=EXPORT_MEDIA[export_format.value],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
