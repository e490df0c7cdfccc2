"""Reading the audit trail."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Permission, Principal, authorize
from app.core.audit import AuditEvent
from app.core.errors import Unprocessable
from app.core.resources import ListParams, PageResult, fetch_page
from app.networks import service as network_service


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    network_id: int | None,
    object_type: str | None,
    object_id: int | None,
    params: ListParams,
) -> PageResult:
    """A network's trail (``audit_read`` there), or everything's (a platform admin)."""
    if network_id is None and not principal.is_admin:
        raise Unprocessable(
            "say which network's audit trail you want",
            errors=[{"loc": ["query", "network_id"], "msg": "required", "type": "missing"}],
        )
    stmt = select(AuditEvent)
    if network_id is not None:
        network = await network_service.get_or_404(session, network_id)
        authorize(principal, Permission.audit_read, network)
        stmt = stmt.where(col(AuditEvent.network_id) == network_id)
    if object_type is not None:
        stmt = stmt.where(col(AuditEvent.object_type) == object_type)
    if object_id is not None:
        stmt = stmt.where(col(AuditEvent.object_id) == object_id)
    # The trail is append-only (triggers refuse UPDATE and DELETE): an event changes never.
    return await fetch_page(session, stmt, params, changed=AuditEvent.occurred_at)
