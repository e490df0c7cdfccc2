"""Every table, imported so that ``SQLModel.metadata`` is complete (Alembic reads it)."""

from sqlmodel import SQLModel

from app.auth.models import RoleAssignment, ServiceAccount, User
from app.core.audit import AuditEvent
from app.core.idempotency import IdempotencyRecord
from app.networks.models import Network
from app.organisations.models import Membership, Organisation

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "IdempotencyRecord",
    "Membership",
    "Network",
    "Organisation",
    "RoleAssignment",
    "ServiceAccount",
    "User",
    "metadata",
]
