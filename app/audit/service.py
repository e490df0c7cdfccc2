"""Reading the audit trail."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.audit import AuditEvent
from app.core.pagination import Sort, paginate


async def list_events(
    session: AsyncSession,
    *,
    network_id: int | None,
    object_type: str | None,
    object_id: int | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[AuditEvent], str | None]:
    stmt = select(AuditEvent)
    if network_id is not None:
        stmt = stmt.where(col(AuditEvent.network_id) == network_id)
    if object_type is not None:
        stmt = stmt.where(col(AuditEvent.object_type) == object_type)
    if object_id is not None:
        stmt = stmt.where(col(AuditEvent.object_id) == object_id)
    # The trail is append-only (triggers refuse UPDATE and DELETE): an event changes never.
    return await paginate(
        session,
        stmt,
        sort=sort,
        limit=limit,
        cursor=cursor,
        since=since,
        changed=AuditEvent.occurred_at,
    )
