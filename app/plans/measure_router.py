"""Routes for measures of success and their readings."""

from fastapi import Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.resources import tagged
from app.core.routes import Collection, ItemRoutes, api_router
from app.core.versioning import IfMatchHeader, check_if_match
from app.plans import measure_service
from app.plans.deps import DeletedMeasure, ValidMeasure, ValidObjective
from app.plans.measure_schemas import (
    MeasureCreate,
    MeasurePage,
    MeasureRead,
    MeasureUpdate,
    ReadingCreate,
    ReadingPage,
    ReadingRead,
)
from app.plans.models import (
    MeasureReading,
)
from app.plans.router_common import AsOf, MeasureList, ReadingList

router = api_router(tags=["plans"])

# --- measures -----------------------------------------------------------------------------


@router.get(
    "/objectives/{objective_id}/measures",
    summary="List an objective's measures of success, with current values",
    response_model=MeasurePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_objective_measures(
    found: ValidObjective,
    session: SessionDep,
    query: MeasureList,
    lang: Lang,
    as_of: AsOf = None,
) -> MeasurePage:
    rows, next_cursor = await measure_service.list_measures(session, found.obj, params=query.params)
    reads = await measure_service.measure_reads(session, found, rows, as_of)
    served = lang.read(found.network)
    translated = [
        served.read(MeasureRead, row, read) for row, read in zip(rows, reads, strict=True)
    ]
    return lang.answer(query.page(MeasurePage, (translated, next_cursor)))


@router.post(
    "/objectives/{objective_id}/measures",
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
    measure = await measure_service.create_measure(session, principal, found, data=data)
    read = await measure_service.written_read(session, found, measure)
    tagged(response, measure, f"/api/v1/measures/{measure.id}")
    return read


@router.get(
    "/measures/{measure_id}",
    summary="Get a measure with its current value and status",
    response_model=MeasureRead,
    responses=responses.READ,
)
async def get_measure(
    found: ValidMeasure, response: Response, session: SessionDep, lang: Lang, as_of: AsOf = None
) -> MeasureRead:
    tagged(response, found.obj)
    read = (await measure_service.measure_reads(session, found, [found.obj], as_of))[0]
    return lang.answer(lang.read(found.network).read(MeasureRead, found.obj, read))


@router.patch(
    "/measures/{measure_id}",
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
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> MeasureRead:
    check_if_match(if_match, found.obj.version)
    served = lang.write(found.network)
    measure = await measure_service.update_measure(
        session, principal, found, data=data, language=served.language
    )
    read = await measure_service.written_read(session, found, measure)
    tagged(response, measure)
    return lang.answer(served.read(MeasureRead, measure, read))


measure = ItemRoutes(router, "/measures/{measure_id}", "measure", ValidMeasure, CurrentPrincipal)
measure.delete("Delete a measure (restorable)", measure_service.delete_measure)


@router.post(
    "/measures/{measure_id}/restore",
    summary="Restore a deleted measure",
    response_model=MeasureRead,
    responses=responses.ACTION,
)
async def restore_measure(
    found: DeletedMeasure,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MeasureRead:
    measure = await measure_service.restore_measure(session, principal, found)
    read = await measure_service.written_read(session, found, measure)
    tagged(response, measure)
    return read


measure_readings = Collection(
    router, "/measures/{measure_id}/readings", "measure_reading", ValidMeasure, CurrentPrincipal
)
measure_readings.list(
    "List a manual measure's readings", ReadingList, ReadingPage, measure_service.list_readings
)


@router.post(
    "/measures/{measure_id}/readings",
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
    return await measure_service.add_reading(session, principal, found, data=data)
