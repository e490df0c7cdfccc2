"""Every table, imported so that ``SQLModel.metadata`` is complete (Alembic reads it)."""

from sqlmodel import SQLModel

from app.auth.models import RoleAssignment, ServiceAccount, User
from app.communities.models import (
    Cohort,
    Community,
    CommunityMember,
    CommunityNetwork,
    Enrolment,
    MatchingProposal,
    Meeting,
)
from app.core.audit import AuditEvent
from app.core.idempotency import IdempotencyRecord
from app.mobility.models import MobilityCount, MobilityCountBatch, MobilityOpportunity
from app.networks.models import Network
from app.organisations.models import Membership, Organisation
from app.plans.models import (
    Action,
    ActionStatusChange,
    Evidence,
    Measure,
    MeasureReading,
    Milestone,
    Objective,
    Plan,
)

metadata = SQLModel.metadata

__all__ = [
    "Action",
    "ActionStatusChange",
    "AuditEvent",
    "Cohort",
    "Community",
    "CommunityMember",
    "CommunityNetwork",
    "Enrolment",
    "Evidence",
    "IdempotencyRecord",
    "MatchingProposal",
    "Measure",
    "MeasureReading",
    "Meeting",
    "Membership",
    "Milestone",
    "MobilityCount",
    "MobilityCountBatch",
    "MobilityOpportunity",
    "Network",
    "Objective",
    "Organisation",
    "Plan",
    "RoleAssignment",
    "ServiceAccount",
    "User",
    "metadata",
]
