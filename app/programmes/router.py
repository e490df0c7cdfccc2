"""Routes for professional learning programmes (sessions, enrolments, attendance) and their
evaluations (forms, responses, summaries)."""

from typing import Annotated

from fastapi import Request, Response, status

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import api_router
from app.core.state import app_state
from app.core.versioning import IfMatchHeader, check_if_match
from app.programmes import evaluation_service, service
from app.programmes import measures as _measures  # noqa: F401  (registers measure sources)
from app.programmes.deps import ValidEvaluation, ValidProgramme, ValidSession
from app.programmes.models import Evaluation, Programme, ProgrammeEnrolment, ProgrammeSession
from app.programmes.schemas import (
    AttendanceRead,
    AttendanceWrite,
    EvaluationCreate,
    EvaluationPage,
    EvaluationRead,
    EvaluationSummary,
    ProgrammeCreate,
    ProgrammeEnrolmentCreate,
    ProgrammeEnrolmentPage,
    ProgrammeEnrolmentRead,
    ProgrammePage,
    ProgrammeRead,
    ProgrammeUpdate,
    ResponseCreate,
    ResponseRead,
    SessionCreate,
    SessionPage,
    SessionRead,
)

router = api_router(tags=["partnerships"])

LIST_ERRORS = responses.problems(400, 401, 403, 404, 422)
ProgrammeList = Annotated[
    ListQuery,
    list_query({"title": Programme.title, "updated_at": Programme.updated_at}, Programme.id),
]
SessionList = Annotated[
    ListQuery, list_query({"held_on": ProgrammeSession.held_on}, ProgrammeSession.id)
]
EnrolmentList = Annotated[
    ListQuery, list_query({"enrolled_on": ProgrammeEnrolment.enrolled_on}, ProgrammeEnrolment.id)
]
EvaluationList = Annotated[ListQuery, list_query({}, Evaluation.id, sortable=False)]


# --- programmes ---------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/programmes",
    summary="List a network's professional learning programmes",
    responses=LIST_ERRORS,
)
async def list_network_programmes(
    network: NetworkForRead, session: SessionDep, lang: Lang, query: ProgrammeList
) -> ProgrammePage:
    result = await service.list_programmes(session, network, params=query.params)
    read = lang.read(network).reader(ProgrammeRead)
    return lang.answer(query.page(ProgrammePage, result, read=read))


@router.post(
    "/networks/{network_id}/programmes",
    summary="Create a professional learning programme",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeRead,
    responses=responses.CREATE,
)
async def create_network_programme(
    data: ProgrammeCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Programme:
    made = await service.create_programme(session, principal, network, data=data)
    return tagged(response, made, f"/api/v1/programmes/{made.id}")


@router.get(
    "/programmes/{programme_id}",
    summary="Get a programme",
    response_model=ProgrammeRead,
    responses=responses.READ,
)
async def get_programme(
    found: ValidProgramme, response: Response, lang: Lang
) -> Programme | ProgrammeRead:
    served = lang.read(found.network)
    return lang.answer(tagged(response, served.read(ProgrammeRead, found.obj)))


@router.patch(
    "/programmes/{programme_id}",
    summary="Update a programme",
    response_model=ProgrammeRead,
    responses=responses.UPDATE,
)
async def update_programme(
    data: ProgrammeUpdate,
    found: ValidProgramme,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> Programme | ProgrammeRead:
    check_if_match(if_match, found.obj.version)
    served = lang.write(found.network)
    programme = await service.update_programme(
        session, principal, found, data=data, language=served.language
    )
    return lang.answer(tagged(response, served.read(ProgrammeRead, programme)))


@router.delete(
    "/programmes/{programme_id}",
    summary="Delete a programme",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_programme(
    found: ValidProgramme,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_programme(session, principal, found)


# --- sessions, enrolments, attendance -------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/sessions",
    summary="List a programme's sessions",
    responses=LIST_ERRORS,
)
async def list_programme_sessions(
    found: ValidProgramme, session: SessionDep, query: SessionList
) -> SessionPage:
    result = await service.list_children(
        session, ProgrammeSession, found.obj.id, params=query.params
    )
    return query.page(SessionPage, result)


@router.post(
    "/programmes/{programme_id}/sessions",
    summary="Add a session to a programme",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionRead,
    responses=responses.CREATE,
)
async def create_programme_session(
    data: SessionCreate,
    found: ValidProgramme,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ProgrammeSession:
    return tagged(response, await service.create_session(session, principal, found, data=data))


@router.get(
    "/programmes/{programme_id}/enrolments",
    summary="List who is enrolled on a programme",
    responses=LIST_ERRORS,
)
async def list_programme_enrolments(
    found: ValidProgramme, session: SessionDep, query: EnrolmentList
) -> ProgrammeEnrolmentPage:
    result = await service.list_children(
        session, ProgrammeEnrolment, found.obj.id, params=query.params
    )
    return query.page(ProgrammeEnrolmentPage, result)


@router.post(
    "/programmes/{programme_id}/enrolments",
    summary="Enrol a person or an organisation on a programme",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeEnrolmentRead,
    responses=responses.CREATE,
)
async def create_programme_enrolment(
    data: ProgrammeEnrolmentCreate,
    found: ValidProgramme,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ProgrammeEnrolment:
    return tagged(response, await service.create_enrolment(session, principal, found, data=data))


@router.get(
    "/programme-sessions/{session_id}/attendance",
    summary="Who attended a programme session",
    responses=responses.READ,
)
async def get_session_attendance(found: ValidSession, session: SessionDep) -> AttendanceRead:
    return await service.attendance(session, found.obj.id)


@router.put(
    "/programme-sessions/{session_id}/attendance",
    summary="Record who attended a programme session (replaces the list)",
    responses=responses.ACTION,
)
async def set_session_attendance(
    data: AttendanceWrite,
    found: ValidSession,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AttendanceRead:
    return await service.set_attendance(session, principal, found, enrolment_ids=data.enrolment_ids)


# --- evaluations --------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/evaluations",
    summary="List a programme's evaluation forms",
    responses=LIST_ERRORS,
)
async def list_programme_evaluations(
    found: ValidProgramme, session: SessionDep, query: EvaluationList
) -> EvaluationPage:
    result = await service.list_children(session, Evaluation, found.obj.id, params=query.params)
    return query.page(EvaluationPage, result)


@router.post(
    "/programmes/{programme_id}/evaluations",
    summary="Create a pre- or post-programme evaluation form",
    status_code=status.HTTP_201_CREATED,
    response_model=EvaluationRead,
    responses=responses.CREATE,
)
async def create_programme_evaluation(
    data: EvaluationCreate,
    found: ValidProgramme,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Evaluation:
    made = await evaluation_service.create_evaluation(session, principal, found, data=data)
    return tagged(response, made, f"/api/v1/evaluations/{made.id}")


@router.get(
    "/evaluations/{evaluation_id}",
    summary="Get an evaluation form",
    response_model=EvaluationRead,
    responses=responses.READ,
)
async def get_evaluation(found: ValidEvaluation, response: Response) -> Evaluation:
    return tagged(response, found.obj)


@router.post(
    "/evaluations/{evaluation_id}/responses",
    summary="Answer an evaluation (once; optionally anonymously)",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_evaluation_response(
    data: ResponseCreate,
    found: ValidEvaluation,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> ResponseRead:
    settings = app_state(request).settings
    made = await evaluation_service.respond(session, principal, found, settings, data=data)
    return ResponseRead.model_validate(made, from_attributes=True)


@router.get(
    "/evaluations/{evaluation_id}/summary",
    summary="Counts, means and distributions per question, and the pre/post change",
    responses=responses.READ,
)
async def get_evaluation_summary(found: ValidEvaluation, session: SessionDep) -> EvaluationSummary:
    return await evaluation_service.summary(session, found.obj)
