"""Audit event bodies."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.core.pagination import Page


class AuditEventRead(BaseModel):
    id: int = Field(description="Event id (increasing).")
    occurred_at: datetime = Field(description="When.")
    actor_kind: str = Field(description="user, service_account or system.")
    actor_id: int | None = Field(description="Who.")
    network_id: int | None = Field(description="Network the object belongs to.")
    object_type: str = Field(description="Table of the object, e.g. networks.")
    object_id: int = Field(description="Object id.")
    action: str = Field(description="create, update, delete, restore, end, …")
    before: dict[str, Any] | None = Field(description="The object before the change.")
    after: dict[str, Any] | None = Field(description="The object after the change.")
    request_id: str | None = Field(description="X-Request-ID of the request that made it.")


class AuditEventPage(Page[AuditEventRead]):
    """A page of audit events."""
