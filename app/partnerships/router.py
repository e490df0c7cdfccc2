"""Routes for partnerships and partners' commitments, professional learning programmes
(sessions, enrolments, attendance) and their evaluations (forms, responses, summaries)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.models import path_id
from app.core.pagination import CursorQuery, LimitQuery, SyncQuery, link_next, sort_from_param
from app.core.resources import tagged
from app.core.routing import CohesionRoute
from app.core.state import app_state
from app.core.versioning import IfMatchHeader, check_if_match
from app.partnerships import measures as _measures  # noqa: F401  (registers measure sources)
from app.partnerships import service
from app.partnerships.deps import (
    ReadableNetwork,
    ValidCommitment,
    ValidEvaluation,
    ValidPartnership,
    ValidProgramme,
    ValidSession,
)
from app.partnerships.models import (
    Evaluation,
    PartnerCommitment,
    Partnership,
    Programme,
    ProgrammeEnrolment,
    ProgrammeSession,
)
from app.partnerships.schemas import (
    AttendanceRead,
    AttendanceWrite,
    CommitmentCreate,
    CommitmentPage,
    CommitmentRead,
    EvaluationCreate,
    EvaluationPage,
    EvaluationRead,
    EvaluationSummary,
    PartnershipCreate,
    PartnershipPage,
    PartnershipRead,
    PartnershipStatus,
    PartnershipUpdate,
    ProgrammeCreate,
    ProgrammeEnrolmentCreate,
    ProgrammeEnrolmentPage,
    ProgrammeEnrolmentRead,
    ProgrammePage,
    ProgrammeRead,
    ProgrammeUpdate,
    Purpose,
    Renewal,
    ResponseCreate,
    ResponseRead,
    Scope,
    Sector,
    SessionCreate,
    SessionPage,
    SessionRead,
)
from app.partnerships.scope import load_partnership

router = APIRouter(tags=["partnerships"], route_class=CohesionRoute)

SortQuery = Annotated[str | None, Query(max_length=30, description="A field; - to reverse.")]
LIST_ERRORS = responses.problems(400, 401, 403, 404, 422)
PARTNERSHIP_SORTS: dict[str, Any] = {
    "start_on": Partnership.start_on,
    "review_on": Partnership.review_on,
    "updated_at": Partnership.updated_at,
}
PROGRAMME_SORTS: dict[str, Any] = {"title": Programme.title, "updated_at": Programme.updated_at}
SESSION_SORTS: dict[str, Any] = {"held_on": ProgrammeSession.held_on}
ENROLMENT_SORTS: dict[str, Any] = {"enrolled_on": ProgrammeEnrolment.enrolled_on}
NO_SORTS: dict[str, Any] = {}


# --- partnerships -------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/partnerships",
    operation_id="list_network_partnerships",
    summary="List a network's partnerships with stakeholder organisations",
    response_model=PartnershipPage,
    responses=LIST_ERRORS,
)
async def list_network_partnerships(
    request: Request,
    response: Response,
    network: ReadableNetwork,
    session: SessionDep,
    partnership_status: Annotated[
        PartnershipStatus | None,
        Query(
            alias="status",
            description="Only this status as of today (ended: also active and past its end "
            "date; lapsed: active and past its review date).",
        ),
    ] = None,
    sector: Annotated[Sector | None, Query(description="Only this sector.")] = None,
    scope: Annotated[Scope | None, Query(description="Only this scope.")] = None,
    purpose: Annotated[Purpose | None, Query(description="Only those with this purpose.")] = None,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> PartnershipPage:
    order = sort_from_param(sort, PARTNERSHIP_SORTS, Partnership.id)
    items, next_cursor = await service.list_partnerships(
        session,
        network,
        status=partnership_status,
        sector=sector,
        scope=scope,
        purpose=purpose,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return PartnershipPage(
        items=await service.partnership_reads(session, items), next_cursor=next_cursor
    )


@router.post(
    "/networks/{network_id}/partnerships",
    operation_id="create_network_partnership",
    summary="Record a network's partnership with a stakeholder organisation",
    status_code=status.HTTP_201_CREATED,
    response_model=PartnershipRead,
    responses=responses.CREATE,
)
async def create_network_partnership(
    data: PartnershipCreate,
    network: ReadableNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> PartnershipRead:
    made, kind = await service.create_partnership(session, principal, network, data=data)
    tagged(response, made, f"/api/v1/partnerships/{made.id}")
    return service.partnership_read(made, kind)


@router.get(
    "/partnerships/{partnership_id}",
    operation_id="get_partnership",
    summary="Get a partnership",
    response_model=PartnershipRead,
    responses=responses.READ,
)
async def get_partnership(
    found: ValidPartnership, response: Response, session: SessionDep
) -> PartnershipRead:
    tagged(response, found.obj)
    return service.partnership_read(found.obj, await service.organisation_kind(session, found.obj))


@router.patch(
    "/partnerships/{partnership_id}",
    operation_id="update_partnership",
    summary="Update or end a partnership",
    response_model=PartnershipRead,
    responses=responses.UPDATE,
)
async def update_partnership(
    data: PartnershipUpdate,
    found: ValidPartnership,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> PartnershipRead:
    check_if_match(if_match, found.obj.version)
    made = await service.update_partnership(session, principal, found, data=data)
    tagged(response, made)
    return service.partnership_read(made, await service.organisation_kind(session, made))


@router.delete(
    "/partnerships/{partnership_id}",
    operation_id="delete_partnership",
    summary="Delete a partnership (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_partnership(
    found: ValidPartnership,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_partnership(session, principal, found)


@router.post(
    "/partnerships/{partnership_id}/restore",
    operation_id="restore_partnership",
    summary="Restore a deleted partnership",
    response_model=PartnershipRead,
    responses=responses.ACTION,
)
async def restore_partnership(
    principal: CurrentPrincipal,
    session: SessionDep,
    partnership_id: Annotated[int, path_id("partnership")],
    response: Response,
) -> PartnershipRead:
    found = await load_partnership(session, principal, partnership_id, deleted=True)
    made = await service.restore_partnership(session, principal, found)
    tagged(response, made)
    return service.partnership_read(made, await service.organisation_kind(session, made))


@router.post(
    "/partnerships/{partnership_id}/renew",
    operation_id="renew_partnership",
    summary="Renew a partnership: move its review date forward (clears lapsed)",
    response_model=PartnershipRead,
    responses=responses.ACTION,
)
async def renew_partnership(
    data: Renewal,
    found: ValidPartnership,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> PartnershipRead:
    made = await service.renew_partnership(session, principal, found, data=data)
    tagged(response, made)
    return service.partnership_read(made, await service.organisation_kind(session, made))


# --- commitments --------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_id}/commitments",
    operation_id="list_partner_commitments",
    summary="List a partner's roles in plan objectives and actions",
    response_model=CommitmentPage,
    responses=LIST_ERRORS,
)
async def list_partner_commitments(
    request: Request,
    response: Response,
    found: ValidPartnership,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> CommitmentPage:
    order = sort_from_param(None, NO_SORTS, PartnerCommitment.id)
    items, next_cursor = await service.list_commitments(
        session, found, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return CommitmentPage(
        items=await service.commitment_reads(session, items), next_cursor=next_cursor
    )


@router.post(
    "/partnerships/{partnership_id}/commitments",
    operation_id="create_partner_commitment",
    summary="Record a partner's role in a plan objective or action",
    status_code=status.HTTP_201_CREATED,
    response_model=CommitmentRead,
    responses=responses.CREATE,
)
async def create_partner_commitment(
    data: CommitmentCreate,
    found: ValidPartnership,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommitmentRead:
    made = await service.create_commitment(session, principal, found, data=data)
    tagged(response, made)
    return (await service.commitment_reads(session, [made]))[0]


@router.delete(
    "/partner-commitments/{commitment_id}",
    operation_id="delete_partner_commitment",
    summary="Remove a partner's commitment",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_partner_commitment(
    found: ValidCommitment,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_commitment(session, principal, found)


# --- programmes ---------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/programmes",
    operation_id="list_network_programmes",
    summary="List a network's professional learning programmes",
    response_model=ProgrammePage,
    responses=LIST_ERRORS,
)
async def list_network_programmes(
    request: Request,
    response: Response,
    network: ReadableNetwork,
    session: SessionDep,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> ProgrammePage:
    order = sort_from_param(sort, PROGRAMME_SORTS, Programme.id)
    items, next_cursor = await service.list_programmes(
        session, network, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return ProgrammePage(
        items=[ProgrammeRead.model_validate(p, from_attributes=True) for p in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/networks/{network_id}/programmes",
    operation_id="create_network_programme",
    summary="Create a professional learning programme",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeRead,
    responses=responses.CREATE,
)
async def create_network_programme(
    data: ProgrammeCreate,
    network: ReadableNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ProgrammeRead:
    made = await service.create_programme(session, principal, network, data=data)
    tagged(response, made, f"/api/v1/programmes/{made.id}")
    return ProgrammeRead.model_validate(made, from_attributes=True)


@router.get(
    "/programmes/{programme_id}",
    operation_id="get_programme",
    summary="Get a programme",
    response_model=ProgrammeRead,
    responses=responses.READ,
)
async def get_programme(found: ValidProgramme, response: Response) -> ProgrammeRead:
    tagged(response, found.obj)
    return ProgrammeRead.model_validate(found.obj, from_attributes=True)


@router.patch(
    "/programmes/{programme_id}",
    operation_id="update_programme",
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
    if_match: IfMatchHeader = None,
) -> ProgrammeRead:
    check_if_match(if_match, found.obj.version)
    made = await service.update_programme(session, principal, found, data=data)
    tagged(response, made)
    return ProgrammeRead.model_validate(made, from_attributes=True)


@router.delete(
    "/programmes/{programme_id}",
    operation_id="delete_programme",
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


@router.get(
    "/programmes/{programme_id}/sessions",
    operation_id="list_programme_sessions",
    summary="List a programme's sessions",
    response_model=SessionPage,
    responses=LIST_ERRORS,
)
async def list_programme_sessions(
    request: Request,
    response: Response,
    found: ValidProgramme,
    session: SessionDep,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> SessionPage:
    order = sort_from_param(sort, SESSION_SORTS, ProgrammeSession.id)
    items, next_cursor = await service.list_children(
        session, ProgrammeSession, found.obj.id, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return SessionPage(
        items=[SessionRead.model_validate(s, from_attributes=True) for s in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/programmes/{programme_id}/sessions",
    operation_id="create_programme_session",
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
) -> SessionRead:
    made = await service.create_session(session, principal, found, data=data)
    tagged(response, made)
    return SessionRead.model_validate(made, from_attributes=True)


@router.get(
    "/programmes/{programme_id}/enrolments",
    operation_id="list_programme_enrolments",
    summary="List who is enrolled on a programme",
    response_model=ProgrammeEnrolmentPage,
    responses=LIST_ERRORS,
)
async def list_programme_enrolments(
    request: Request,
    response: Response,
    found: ValidProgramme,
    session: SessionDep,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> ProgrammeEnrolmentPage:
    order = sort_from_param(sort, ENROLMENT_SORTS, ProgrammeEnrolment.id)
    items, next_cursor = await service.list_children(
        session,
        ProgrammeEnrolment,
        found.obj.id,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return ProgrammeEnrolmentPage(
        items=[ProgrammeEnrolmentRead.model_validate(e, from_attributes=True) for e in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/programmes/{programme_id}/enrolments",
    operation_id="create_programme_enrolment",
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
) -> ProgrammeEnrolmentRead:
    made = await service.create_enrolment(session, principal, found, data=data)
    tagged(response, made)
    return ProgrammeEnrolmentRead.model_validate(made, from_attributes=True)


@router.get(
    "/programme-sessions/{session_id}/attendance",
    operation_id="get_session_attendance",
    summary="Who attended a programme session",
    response_model=AttendanceRead,
    responses=responses.READ,
)
async def get_session_attendance(found: ValidSession, session: SessionDep) -> AttendanceRead:
    return await service.attendance(session, found.obj.id)


@router.put(
    "/programme-sessions/{session_id}/attendance",
    operation_id="set_session_attendance",
    summary="Record who attended a programme session (replaces the list)",
    response_model=AttendanceRead,
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
    operation_id="list_programme_evaluations",
    summary="List a programme's evaluation forms",
    response_model=EvaluationPage,
    responses=LIST_ERRORS,
)
async def list_programme_evaluations(
    request: Request,
    response: Response,
    found: ValidProgramme,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> EvaluationPage:
    order = sort_from_param(None, NO_SORTS, Evaluation.id)
    items, next_cursor = await service.list_children(
        session, Evaluation, found.obj.id, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return EvaluationPage(
        items=[EvaluationRead.model_validate(e, from_attributes=True) for e in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/programmes/{programme_id}/evaluations",
    operation_id="create_programme_evaluation",
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
) -> EvaluationRead:
    made = await service.create_evaluation(session, principal, found, data=data)
    tagged(response, made, f"/api/v1/evaluations/{made.id}")
    return EvaluationRead.model_validate(made, from_attributes=True)


@router.get(
    "/evaluations/{evaluation_id}",
    operation_id="get_evaluation",
    summary="Get an evaluation form",
    response_model=EvaluationRead,
    responses=responses.READ,
)
async def get_evaluation(found: ValidEvaluation, response: Response) -> EvaluationRead:
    tagged(response, found.obj)
    return EvaluationRead.model_validate(found.obj, from_attributes=True)


@router.post(
    "/evaluations/{evaluation_id}/responses",
    operation_id="create_evaluation_response",
    summary="Answer an evaluation (once; optionally anonymously)",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseRead,
    responses=responses.CREATE,
)
async def create_evaluation_response(
    data: ResponseCreate,
    found: ValidEvaluation,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> ResponseRead:
    made = await service.respond(session, principal, found, app_state(request).settings, data=data)
    return ResponseRead.model_validate(made, from_attributes=True)


@router.get(
    "/evaluations/{evaluation_id}/summary",
    operation_id="get_evaluation_summary",
    summary="Counts, means and distributions per question, and the pre/post change",
    response_model=EvaluationSummary,
    responses=responses.READ,
)
async def get_evaluation_summary(found: ValidEvaluation, session: SessionDep) -> EvaluationSummary:
    return await service.summary(session, found.obj)
