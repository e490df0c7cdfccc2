"""Routes for cohorts of a collaborative learning programme and their enrolled schools."""

from typing import Annotated

from fastapi import Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.cohorts import service
from app.cohorts.deps import DeletedCohort, ValidCohort, ValidEnrolment
from app.cohorts.models import Cohort, Enrolment
from app.cohorts.schemas import (
    CohortCreate,
    CohortPage,
    CohortRead,
    CohortUpdate,
    EnrolmentCreate,
    EnrolmentPage,
    EnrolmentRead,
    EnrolmentUpdate,
)
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, api_router
from app.core.schemas import LINE_PATTERN
from app.core.versioning import IfMatchHeader, check_if_match

router = api_router(tags=["communities"])

LIST_ERRORS = NESTED_LIST
CohortList = Annotated[
    ListQuery, list_query({"name": Cohort.name, "launch_on": Cohort.launch_on}, Cohort.id)
]
EnrolmentList = Annotated[
    ListQuery, list_query({"enrolled_on": Enrolment.enrolled_on}, Enrolment.id)
]


async def _cohort_read(session: AsyncSession, response: Response, cohort: Cohort) -> CohortRead:
    """The cohort with its enrolled count, its ETag on the response."""
    tagged(response, cohort)
    return (await service.cohort_reads(session, [cohort]))[0]


async def _enrolment_read(
    session: AsyncSession, response: Response, enrolment: Enrolment, location: str | None = None
) -> EnrolmentRead:
    """The enrolment with its school's name, its ETag (and Location) on the response."""
    tagged(response, enrolment, location)
    return (await service.enrolment_reads(session, [enrolment]))[0]


# --- cohorts ------------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/cohorts", summary="List a network's cohorts", responses=LIST_ERRORS
)
async def list_network_cohorts(
    network: NetworkForRead,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Text in the name.")
    ] = None,
    *,
    query: CohortList,
) -> CohortPage:
    rows, next_cursor = await service.list_cohorts(session, network, q=q, params=query.params)
    reads = await service.cohort_reads(session, rows)
    return query.page(CohortPage, (reads, next_cursor), read=lambda r: r)


@router.post(
    "/networks/{network_id}/cohorts",
    summary="Create a cohort of a collaborative learning programme",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_network_cohort(
    data: CohortCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CohortRead:
    cohort = await service.create_cohort(session, principal, network, data=data)
    tagged(response, cohort, f"/api/v1/cohorts/{cohort.id}")
    return service.cohort_read(cohort, 0)


@router.get("/cohorts/{cohort_id}", summary="Get a cohort", responses=responses.READ)
async def get_cohort(found: ValidCohort, response: Response, session: SessionDep) -> CohortRead:
    return await _cohort_read(session, response, found.obj)


@router.patch("/cohorts/{cohort_id}", summary="Update a cohort", responses=responses.UPDATE)
async def update_cohort(
    data: CohortUpdate,
    found: ValidCohort,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> CohortRead:
    check_if_match(if_match, found.obj.version)
    cohort = await service.update_cohort(session, principal, found, data=data)
    return await _cohort_read(session, response, cohort)


@router.delete(
    "/cohorts/{cohort_id}",
    summary="Delete a cohort (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_cohort(
    found: ValidCohort,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_cohort(session, principal, found)


@router.post(
    "/cohorts/{cohort_id}/restore", summary="Restore a deleted cohort", responses=responses.ACTION
)
async def restore_cohort(
    found: DeletedCohort, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> CohortRead:
    cohort = await service.restore_cohort(session, principal, found)
    return await _cohort_read(session, response, cohort)


# --- enrolments ---------------------------------------------------------------------------


@router.get(
    "/cohorts/{cohort_id}/enrolments",
    summary="List a cohort's enrolled schools",
    responses=LIST_ERRORS,
)
async def list_cohort_enrolments(
    found: ValidCohort,
    session: SessionDep,
    include_withdrawn: Annotated[bool, Query(description="Include withdrawn schools.")] = False,
    *,
    query: EnrolmentList,
) -> EnrolmentPage:
    rows, next_cursor = await service.list_enrolments(
        session, found.obj, include_withdrawn=include_withdrawn, params=query.params
    )
    reads = await service.enrolment_reads(session, rows)
    return query.page(EnrolmentPage, (reads, next_cursor), read=lambda r: r)


@router.post(
    "/cohorts/{cohort_id}/enrolments",
    summary="Enrol a school in a cohort with its enquiry interest",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_cohort_enrolment(
    data: EnrolmentCreate,
    found: ValidCohort,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> EnrolmentRead:
    enrolment = await service.enrol(session, principal, found, data=data)
    location = f"/api/v1/enrolments/{enrolment.id}"
    return await _enrolment_read(session, response, enrolment, location)


@router.get("/enrolments/{enrolment_id}", summary="Get an enrolment", responses=responses.READ)
async def get_enrolment(
    found: ValidEnrolment, response: Response, session: SessionDep
) -> EnrolmentRead:
    return await _enrolment_read(session, response, found.obj)


@router.patch(
    "/enrolments/{enrolment_id}",
    summary="Update a school's enquiry interest",
    responses=responses.UPDATE,
)
async def update_enrolment(
    data: EnrolmentUpdate,
    found: ValidEnrolment,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> EnrolmentRead:
    check_if_match(if_match, found.obj.version)
    enrolment = await service.update_enrolment(session, principal, found, data=data)
    return await _enrolment_read(session, response, enrolment)


@router.delete(
    "/enrolments/{enrolment_id}",
    summary="Withdraw a school from a cohort (kept as history)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def withdraw_enrolment(
    found: ValidEnrolment,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.withdraw(session, principal, found)
