"""Routes for milestones and their evidence."""

from typing import Any

from fastapi import status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang, LanguageChoice
from app.core.resources import ListQuery
from app.core.routes import Collection, ItemRoutes, api_router
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

router = api_router(tags=["plans"])
MILESTONE_AT = "/api/v1/milestones/{id}"  # a create's Location

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
    summary="List an objective's milestones (with those of its actions)",
    response_model=MilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_milestones(
    found: ValidObjective, session: SessionDep, query: MilestoneList, lang: Lang
) -> MilestonePage:
    return await _list_milestones(session, found, query, lang, objective_id=found.obj.id)


Collection(
    router,
    "/objectives/{objective_id}/milestones",
    "objective_milestone",
    ValidObjective,
    CurrentPrincipal,
).create(
    "Add a milestone to an objective",
    MilestoneCreate,
    milestone_service.create_milestone,
    MilestoneRead,
    location=MILESTONE_AT,
    view=milestone_service.milestone_read,
)


@router.get(
    "/actions/{action_id}/milestones",
    summary="List an action's milestones",
    response_model=MilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_action_milestones(
    found: ValidAction, session: SessionDep, query: MilestoneList, lang: Lang
) -> MilestonePage:
    return await _list_milestones(session, found, query, lang, action_id=found.obj.id)


Collection(
    router, "/actions/{action_id}/milestones", "action_milestone", ValidAction, CurrentPrincipal
).create(
    "Add a milestone to an action",
    MilestoneCreate,
    milestone_service.create_milestone,
    MilestoneRead,
    location=MILESTONE_AT,
    view=milestone_service.milestone_read,
)


milestone = ItemRoutes(router, "/milestones/{milestone_id}", "milestone", ValidMilestone)
milestone.caller, milestone.read, milestone.deleted = (
    CurrentPrincipal,
    MilestoneRead,
    DeletedMilestone,
)
milestone.view, milestone.translated = milestone_service.milestone_read, True
milestone.get("Get a milestone")
milestone.update(
    "Update a milestone (facilitators: status only)",
    MilestoneUpdate,
    milestone_service.update_milestone,
)
milestone.delete("Delete a milestone (restorable)", milestone_service.delete_milestone)
milestone.restore("Restore a deleted milestone", milestone_service.restore_milestone)


milestone_evidences = Collection(
    router,
    "/milestones/{milestone_id}/evidence",
    "milestone_evidence",
    ValidMilestone,
    CurrentPrincipal,
)
milestone_evidences.list(
    "List a milestone's evidence",
    EvidenceList,
    EvidencePage,
    milestone_service.list_evidence,
    name="list_milestone_evidence",
)


@router.post(
    "/milestones/{milestone_id}/evidence",
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
