"""Routes for the audit trail."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audit import service
from app.audit.schemas import AuditEventPage, AuditEventRead
from app.auth.deps import CurrentUser
from app.auth.policy import Permission, authorize
from app.core import responses
from app.core.audit import AuditEvent
from app.core.db import SessionDep
from app.core.errors import Unprocessable
from app.core.models import Id
from app.core.pagination import CursorQuery, LimitQuery, SyncQuery, link_next, sort_from_param
from app.core.routing import CohesionRoute
from app.core.schemas import LINE_PATTERN
from app.networks import service as network_service

router = APIRouter(prefix="/audit-events", tags=["audit"], route_class=CohesionRoute)


@router.get(
    "",
    operation_id="list_audit_events",
    summary="List audit events of a network (its chair) or of everything (admin)",
    response_model=AuditEventPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_audit_events(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    network_id: Annotated[Id | None, Query(description="Required unless you are an admin.")] = None,
    object_type: Annotated[
        str | None, Query(max_length=50, pattern=LINE_PATTERN, description="e.g. networks.")
    ] = None,
    object_id: Annotated[Id | None, Query(description="With object_type.")] = None,
    sort: Annotated[str | None, Query(max_length=10, description="id or -id (default).")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> AuditEventPage:
    if network_id is None and not principal.is_admin:
        raise Unprocessable(
            "say which network's audit trail you want",
            errors=[{"loc": ["query", "network_id"], "msg": "required", "type": "missing"}],
        )
    if network_id is not None:
        network = await network_service.get_or_404(session, network_id)
        authorize(principal, Permission.audit_read, network)
    order = sort_from_param(sort, {}, AuditEvent.id, default="-id")
    items, next_cursor = await service.list_events(
        session,
        network_id=network_id,
        object_type=object_type,
        object_id=object_id,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return AuditEventPage(
        items=[AuditEventRead.model_validate(e, from_attributes=True) for e in items],
        next_cursor=next_cursor,
    )
