"""Soft delete and restore, with their audit events, for any record with ``deleted_at``."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.db import utcnow


async def soft_delete(
    session: AsyncSession, actor: audit.Actor, obj: Any, *, network_id: int | None
) -> None:
    before = audit.snapshot(obj)
    obj.deleted_at = utcnow()
    session.add(obj)
    await audit.record(
        session, actor, action="delete", obj=obj, network_id=network_id, before=before
    )


async def restore(
    session: AsyncSession, actor: audit.Actor, obj: Any, *, network_id: int | None
) -> None:
    before = audit.snapshot(obj)
    obj.deleted_at = None
    session.add(obj)
    await audit.record(
        session, actor, action="restore", obj=obj, network_id=network_id, before=before
    )
