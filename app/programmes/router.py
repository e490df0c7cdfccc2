"""Routes for professional learning programmes (sessions, enrolments, attendance) and their
evaluations (forms, responses, summaries)."""

from functools import partial
from typing import Annotated

from fastapi import Request, Response, status

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, Collection, ItemRoutes, api_router
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
from app.programmes.schemas import (
    ProgrammeEnrolmentPage as EnrolmentPage,
)

router = api_router(tags=["partnerships"])

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
    responses=NESTED_LIST,
)
async def list_network_programmes(
    network: NetworkForRead, session: SessionDep, lang: Lang, query: ProgrammeList
) -> ProgrammePage:
    result = await service.list_programmes(session, network, params=query.params)
    read = lang.read(network).reader(ProgrammeRead)
    return lang.answer(query.page(ProgrammePage, result, read=read))


network_programmes = Collection(
    router, "/networks/{network_id}/programmes", "network_programme", NetworkForRead
)
network_programmes.caller = CurrentPrincipal
network_programmes.create(
    "Create a professional learning programme",
    ProgrammeCreate,
    service.create_programme,
    ProgrammeRead,
    location="/api/v1/programmes/{id}",
)


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


programme = ItemRoutes(router, "/programmes/{programme_id}", "programme", ValidProgramme)
programme.caller = CurrentPrincipal
programme.delete("Delete a programme", service.delete_programme)


# --- sessions, enrolments, attendance -------------------------------------------------------


sessions = Collection(router, "/programmes/{programme_id}/sessions", "programme_session", None)
sessions.scope, sessions.caller = ValidProgramme, CurrentPrincipal
list_sessions = partial(service.list_children, ProgrammeSession)
sessions.list("List a programme's sessions", SessionList, SessionPage, list_sessions)
sessions.create("Add a session to a programme", SessionCreate, service.create_session, SessionRead)
# Who is enrolled: people or organisations.
enrolled = Collection(router, "/programmes/{programme_id}/enrolments", "programme_enrolment", None)
enrolled.scope, enrolled.caller = ValidProgramme, CurrentPrincipal
list_enrolled = partial(service.list_children, ProgrammeEnrolment)
enrolled.list("List who is enrolled on a programme", EnrolmentList, EnrolmentPage, list_enrolled)
enrolled.create(
    "Enrol a person or an organisation on a programme",
    ProgrammeEnrolmentCreate,
    service.create_enrolment,
    ProgrammeEnrolmentRead,
)


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


forms = Collection(router, "/programmes/{programme_id}/evaluations", "programme_evaluation", None)
forms.scope, forms.caller = ValidProgramme, CurrentPrincipal
list_forms = partial(service.list_children, Evaluation)
forms.list("List a programme's evaluation forms", EvaluationList, EvaluationPage, list_forms)
forms.create(
    "Create a pre- or post-programme evaluation form",
    EvaluationCreate,
    evaluation_service.create_evaluation,
    EvaluationRead,
    location="/api/v1/evaluations/{id}",
)
evaluation = ItemRoutes(router, "/evaluations/{evaluation_id}", "evaluation", ValidEvaluation, None)
evaluation.read = EvaluationRead
evaluation.get("Get an evaluation form")


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
