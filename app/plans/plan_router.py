"""Routes for plans: list, create, read, change, delete, restore, tree, progress."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.answers import json_answer
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.resources import tagged
from app.core.routing import CohesionRoute
from app.core.schemas import LINE_PATTERN, Day
from app.core.versioning import IfMatchHeader, check_if_match
from app.networks.deps import NetworkForRead
from app.plans import attention, lifecycle, milestone_service, progress, rollup, service
from app.plans import measures as measure_rules
from app.plans.deps import DeletedPlan, ValidPlan
from app.plans.measure_schemas import MeasureSourceRead
from app.plans.models import (
    Plan,
)
from app.plans.progress_schemas import (
    RATING_RULE,
    NetworkProgress,
    PlanMilestonePage,
    PlanProgress,
    PlanTree,
)
from app.plans.router_common import AsOf, MilestoneList, PlanList
from app.plans.schemas import (
    MilestoneStatus,
    PlanCreate,
    PlanPage,
    PlanRead,
    PlanReadStatus,
    PlanUpdate,
)

router = APIRouter(tags=["plans"], route_class=CohesionRoute)

# --- plans --------------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/plans",
    operation_id="list_network_plans",
    summary="List a network's plans",
    response_model=PlanPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_network_plans(
    network: NetworkForRead,
    session: SessionDep,
    lang: Lang,
    query: PlanList,
    plan_status: Annotated[
        PlanReadStatus | None,
        Query(alias="status", description="Only this status (`ended`: active, period over)."),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Text in the title.")
    ] = None,
) -> PlanPage:
    result = await service.list_plans(
        session, network, status=plan_status, q=q, params=query.params
    )
    return lang.answer(query.page(PlanPage, result, read=lang.read(network).reader(PlanRead)))


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
    return tagged(response, plan, f"/api/v1/plans/{plan.id}")


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
    lang: Lang,
    as_of: Annotated[
        Day | None,
        Query(
            description="The date to judge every plan at (YYYY-MM-DD); by default each plan "
            "at today, or at its period end once its period is over."
        ),
    ] = None,
) -> NetworkProgress:
    served = lang.read(network)
    return lang.answer(await rollup.network_progress(session, principal, network, as_of, served))


@router.get(
    "/plans/{plan_id}",
    operation_id="get_plan",
    summary="Get a plan",
    response_model=PlanRead,
    responses=responses.READ,
)
async def get_plan(found: ValidPlan, response: Response, lang: Lang) -> Plan | PlanRead:
    return lang.answer(tagged(response, lang.read(found.network).read(PlanRead, found.plan)))


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
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> Plan | PlanRead:
    check_if_match(if_match, found.plan.version)
    served = lang.write(found.network)
    plan = await service.update_plan(session, principal, found, data=data, language=served.language)
    return lang.answer(tagged(response, served.read(PlanRead, plan)))


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
    found: DeletedPlan,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Plan:
    plan = await service.restore_plan(session, principal, found)
    return tagged(response, plan)


@router.get(
    "/plans/{plan_id}/tree",
    operation_id="get_plan_tree",
    summary="The whole plan, nested",
    response_model=PlanTree,
    responses=responses.READ,
)
async def get_plan_tree(
    found: ValidPlan, session: SessionDep, lang: Lang, as_of: AsOf = None
) -> Response:
    served = lang.read(found.network)
    when = as_of or lifecycle.default_as_of(found.plan)
    body = lang.answer(await progress.tree_body(session, found, when, served=served))
    return json_answer(body, lang.response)


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
    lang: Lang,
    as_of: AsOf = None,
    since: Annotated[
        Day | None,
        Query(
            description="List what happened from this day on (e.g. the last steering "
            "meeting): status changes, milestones decided, readings, evidence, check-ins."
        ),
    ] = None,
) -> Response:
    served = lang.read(found.network)
    body = await lifecycle.plan_progress_body(session, found, as_of, since, served=served)
    return json_answer(lang.answer(body), lang.response)


@router.get(
    "/plans/{plan_id}/milestones",
    operation_id="list_plan_milestones",
    summary="List a plan's milestones (e.g. the overdue ones)",
    response_model=PlanMilestonePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_plan_milestones(
    found: ValidPlan,
    session: SessionDep,
    query: MilestoneList,
    overdue: Annotated[bool | None, Query(description="Only (not) overdue ones.")] = None,
    milestone_status: Annotated[
        MilestoneStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    as_of: AsOf = None,
) -> PlanMilestonePage:
    when = as_of or lifecycle.default_as_of(found.plan)
    assert found.plan.id is not None
    rows, next_cursor = await milestone_service.list_milestones(
        session,
        plan_id=found.plan.id,
        status=milestone_status,
        overdue=overdue,
        as_of=when,
        params=query.params,
    )
    reads = await attention.plan_milestone_reads(session, found.plan, rows, when)
    return query.page(PlanMilestonePage, (reads, next_cursor))


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
