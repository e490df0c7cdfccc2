"""Routes for the audit trail."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.schemas import AuditEventPage
from app.auth.deps import CurrentUser
from app.core import responses
from app.core.audit import AuditEvent
from app.core.db import SessionDep
from app.core.models import Id
from app.core.resources import ListQuery, list_query
from app.core.routing import CohesionRoute
from app.core.schemas import LINE_PATTERN

router = APIRouter(prefix="/audit-events", tags=["audit"], route_class=CohesionRoute)
EventList = Annotated[ListQuery, list_query({}, AuditEvent.id, default="-id")]


@router.get(
    "",
    operation_id="list_audit_events",
    summary="List audit events of a network (its chair) or of everything (admin)",
    response_model=AuditEventPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_audit_events(
    session: SessionDep,
    principal: CurrentUser,
    query: EventList,
    network_id: Annotated[Id | None, Query(description="Required unless you are an admin.")] = None,
    object_type: Annotated[
        str | None, Query(max_length=50, pattern=LINE_PATTERN, description="e.g. networks.")
    ] = None,
    object_id: Annotated[Id | None, Query(description="With object_type.")] = None,
) -> AuditEventPage:
    result = await service.list_events(
        session,
        principal,
        network_id=network_id,
        object_type=object_type,
        object_id=object_id,
        params=query.params,
    )
    return query.page(AuditEventPage, result)
