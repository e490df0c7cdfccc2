"""Routes for milestones and their evidence."""

from typing import Any

from fastapi import APIRouter, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang, LanguageChoice
from app.core.resources import ListQuery, tagged
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
)
from app.plans.router_common import EvidenceList, MilestoneList
from app.plans.scope import InPlan

router = APIRouter(tags=["plans"], route_class=CohesionRoute)

# --- milestones ---------------------------------------------------------------------------


async def _list_milestones(
    session: Any,
    found: InPlan[Any],
    query: ListQuery,
    lang: LanguageChoice,
    *,
    objective_id: int | None = None,
    action_id: int | None = None,
) -> MilestonePage:
    when = service.today()
    assert found.plan.id is not None
    result = await milestone_service.list_milestones(
        session,
        plan_id=found.plan.id,
        objective_id=objective_id,
        action_id=action_id,
        as_of=when,
        params=query.params,
    )
    served = lang.read(found.network)
    return lang.answer(
        query.page(
            MilestonePage,
            result,
            lambda m: served.read(MilestoneRead, m, milestone_service.milestone_read(m, when)),
        )
    )


@router.get(
    "/objectives/{objective_id}/milestones",
    operation_id="list_objective_milestones",
    summary="List an objective's milestones (with those of its actions)",
    response_model=MilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_milestones(
    found: ValidObjective, session: SessionDep, query: MilestoneList, lang: Lang
) -> MilestonePage:
    return await _list_milestones(session, found, query, lang, objective_id=found.obj.id)


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
    tagged(response, milestone, f"/api/v1/milestones/{milestone.id}")
    return milestone_service.milestone_read(milestone)


@router.get(
    "/actions/{action_id}/milestones",
    operation_id="list_action_milestones",
    summary="List an action's milestones",
    response_model=MilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_action_milestones(
    found: ValidAction, session: SessionDep, query: MilestoneList, lang: Lang
) -> MilestonePage:
    return await _list_milestones(session, found, query, lang, action_id=found.obj.id)


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
    tagged(response, milestone, f"/api/v1/milestones/{milestone.id}")
    return milestone_service.milestone_read(milestone)


@router.get(
    "/milestones/{milestone_id}",
    operation_id="get_milestone",
    summary="Get a milestone",
    response_model=MilestoneRead,
    responses=responses.READ,
)
async def get_milestone(found: ValidMilestone, response: Response, lang: Lang) -> MilestoneRead:
    tagged(response, found.obj)
    read = milestone_service.milestone_read(found.obj)
    return lang.answer(lang.read(found.network).read(MilestoneRead, found.obj, read))


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
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> MilestoneRead:
    check_if_match(if_match, found.obj.version)
    served = lang.write(found.network)
    milestone = await milestone_service.update_milestone(
        session, principal, found, data=data, language=served.language
    )
    tagged(response, milestone)
    read = milestone_service.milestone_read(milestone)
    return lang.answer(served.read(MilestoneRead, milestone, read))


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
    tagged(response, milestone)
    return milestone_service.milestone_read(milestone)


@router.get(
    "/milestones/{milestone_id}/evidence",
    operation_id="list_milestone_evidence",
    summary="List a milestone's evidence",
    response_model=EvidencePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_milestone_evidence(
    found: ValidMilestone, session: SessionDep, query: EvidenceList
) -> EvidencePage:
    result = await milestone_service.list_evidence(session, found.obj, params=query.params)
    return query.page(EvidencePage, result)


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
