"""Routes for cohorts of a collaborative learning programme and their enrolled schools."""

from typing import Annotated

from fastapi import Response
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
    EnrolmentFilters,
    EnrolmentPage,
    EnrolmentRead,
    EnrolmentUpdate,
)
from app.core.filters import NameSearch
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, Collection, ItemRoutes, api_router, one

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


cohort_view = one(service.cohort_reads)
cohorts = Collection(router, "/networks/{network_id}/cohorts", "network_cohort", NetworkForRead)
cohorts.caller = CurrentPrincipal
cohorts.list(
    "List a network's cohorts",
    CohortList,
    CohortPage,
    service.list_cohorts,
    filters=NameSearch,
    filters_first=True,
    reads=service.cohort_reads,
)
cohorts.create(
    "Create a cohort of a collaborative learning programme",
    CohortCreate,
    service.create_cohort,
    CohortRead,
    location="/api/v1/cohorts/{id}",
    view=lambda cohort: service.cohort_read(cohort, 0),
)
cohort = ItemRoutes(router, "/cohorts/{cohort_id}", "cohort", ValidCohort, CurrentPrincipal)
cohort.read, cohort.deleted, cohort.view = CohortRead, DeletedCohort, cohort_view
cohort.get("Get a cohort")
cohort.update("Update a cohort", CohortUpdate, service.update_cohort)
cohort.delete("Delete a cohort (restorable)", service.delete_cohort)
cohort.restore("Restore a deleted cohort", service.restore_cohort)


# --- enrolments ---------------------------------------------------------------------------


enrolment_view = one(service.enrolment_reads)
enrolments = Collection(router, "/cohorts/{cohort_id}/enrolments", "cohort_enrolment", ValidCohort)
enrolments.caller = CurrentPrincipal
enrolments.list(
    "List a cohort's enrolled schools",
    EnrolmentList,
    EnrolmentPage,
    service.list_enrolments,
    filters=EnrolmentFilters,
    filters_first=True,
    reads=service.enrolment_reads,
)
enrolments.create(
    "Enrol a school in a cohort with its enquiry interest",
    EnrolmentCreate,
    service.enrol,
    EnrolmentRead,
    location="/api/v1/enrolments/{id}",
    view=enrolment_view,
)
enrolment = ItemRoutes(router, "/enrolments/{enrolment_id}", "enrolment", ValidEnrolment)
enrolment.caller, enrolment.read, enrolment.view = CurrentPrincipal, EnrolmentRead, enrolment_view
enrolment.get("Get an enrolment")
enrolment.update("Update a school's enquiry interest", EnrolmentUpdate, service.update_enrolment)
enrolment.delete(
    "Withdraw a school from a cohort (kept as history)", service.withdraw, name="withdraw_enrolment"
)
