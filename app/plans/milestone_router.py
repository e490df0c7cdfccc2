"""Routes for milestones and their evidence."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, SyncQuery, link_next, sort_from_param
from app.core.routing import CohesionRoute
from app.core.versioning import IfMatchHeader, check_if_match
from app.plans import (
    milestone_service,
    service,
)
from app.plans.deps import DeletedMilestone, ValidAction, ValidMilestone, ValidObjective
from app.plans.milestone_schemas import (
    EvidenceCreate,
    EvidencePage,
    EvidenceRead,
    MilestoneCreate,
    MilestonePage,
    MilestoneRead,
    MilestoneUpdate,
)
from app.plans.models import (
    Evidence,
    Milestone,
)
from app.plans.router_common import POSITION_SORTS, SortQuery, page_of, read_as, set_tag
from app.plans.scope import InPlan

router = APIRouter(tags=["plans"], route_class=CohesionRoute)

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
    items, next_cursor = await milestone_service.list_milestones(
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
        items=[milestone_service.milestone_read(m, when) for m in items], next_cursor=next_cursor
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
    milestone = await milestone_service.create_milestone(session, principal, found, data=data)
    set_tag(response, milestone, f"/api/v1/milestones/{milestone.id}")
    return milestone_service.milestone_read(milestone)


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
    milestone = await milestone_service.create_milestone(session, principal, found, data=data)
    set_tag(response, milestone, f"/api/v1/milestones/{milestone.id}")
    return milestone_service.milestone_read(milestone)


@router.get(
    "/milestones/{milestone_id}",
    operation_id="get_milestone",
    summary="Get a milestone",
    response_model=MilestoneRead,
    responses=responses.READ,
)
async def get_milestone(found: ValidMilestone, response: Response) -> MilestoneRead:
    set_tag(response, found.obj)
    return milestone_service.milestone_read(found.obj)


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
    milestone = await milestone_service.update_milestone(session, principal, found, data=data)
    set_tag(response, milestone)
    return milestone_service.milestone_read(milestone)


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
    await milestone_service.delete_milestone(session, principal, found)


@router.post(
    "/milestones/{milestone_id}/restore",
    operation_id="restore_milestone",
    summary="Restore a deleted milestone",
    response_model=MilestoneRead,
    responses=responses.ACTION,
)
async def restore_milestone(
    found: DeletedMilestone,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MilestoneRead:
    milestone = await milestone_service.restore_milestone(session, principal, found)
    set_tag(response, milestone)
    return milestone_service.milestone_read(milestone)


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
    items, next_cursor = await milestone_service.list_evidence(
        session, found.obj, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return page_of(EvidencePage, read_as(EvidenceRead), items, next_cursor)


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
    return await milestone_service.add_evidence(session, principal, found, data=data)
