"""Routes for plans: list, create, read, change, delete, restore, tree, progress."""

from typing import Annotated

from fastapi import Query, Response

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.answers import json_answer
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.routes import Collection, ItemRoutes, api_router
from app.core.schemas import Day
from app.networks.deps import NetworkForRead
from app.plans import attention, lifecycle, milestone_service, progress, rollup, service
from app.plans import measures as measure_rules
from app.plans.deps import DeletedPlan, ValidPlan
from app.plans.measure_schemas import MeasureSourceRead
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
    PlanFilters,
    PlanPage,
    PlanRead,
    PlanUpdate,
)

router = api_router(tags=["plans"])
PLAN_AT = "/api/v1/plans/{id}"  # a create's Location

# --- plans --------------------------------------------------------------------------------


plans = Collection(router, "/networks/{network_id}/plans", "network_plan", NetworkForRead)
plans.caller = CurrentPrincipal
plans.list(
    "List a network's plans",
    PlanList,
    PlanPage,
    service.list_plans,
    filters=PlanFilters,
    translated=PlanRead,
)
plans.create("Create a plan", PlanCreate, service.create_plan, PlanRead, location=PLAN_AT)


@router.get(
    "/networks/{network_id}/progress",
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


plan = ItemRoutes(router, "/plans/{plan_id}", "plan", ValidPlan, CurrentPrincipal)
plan.read, plan.deleted, plan.translated = PlanRead, DeletedPlan, True
plan.get("Get a plan")
plan.update("Update a plan", PlanUpdate, service.update_plan)
plan.delete("Delete a plan (restorable)", service.delete_plan)
plan.restore("Restore a deleted plan", service.restore_plan)


@router.get(
    "/plans/{plan_id}/tree",
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
