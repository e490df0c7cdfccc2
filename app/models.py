"""Every table, imported so that ``SQLModel.metadata`` is complete (Alembic reads it)."""

from sqlmodel import SQLModel

from app.auth.models import RoleAssignment, ServiceAccount, User
from app.badges.models import (
    Badge,
    BadgeAward,
    BadgeEndorsement,
    BadgeNetworkInvitation,
    BadgeProposal,
    IssuerKey,
)
from app.cohorts.models import Cohort, Enrolment, MatchingProposal
from app.communities.models import Community, CommunityMember, CommunityNetwork, Meeting
from app.core.audit import AuditEvent
from app.core.idempotency import IdempotencyRecord
from app.core.ratelimit import LoginCounter
from app.mail.models import MailMessage
from app.mobility.models import MobilityCount, MobilityCountBatch, MobilityOpportunity
from app.networks.models import Network
from app.notifications.models import (
    CalendarFeed,
    Invitation,
    Notification,
    NotificationSetting,
    PasswordReset,
    ReminderMark,
)
from app.organisations.models import Membership, Organisation
from app.partnerships.models import PartnerCommitment, Partnership
from app.plans.models import (
    Action,
    ActionStatusChange,
    CheckIn,
    Evidence,
    Measure,
    MeasureReading,
    Milestone,
    Objective,
    Plan,
)
from app.programmes.models import (
    Evaluation,
    EvaluationResponse,
    Programme,
    ProgrammeEnrolment,
    ProgrammeSession,
    SessionAttendance,
)
from app.webhooks.models import WebhookDelivery, WebhookSecret, WebhookSubscription

metadata = SQLModel.metadata

__all__ = [
    "Action",
    "ActionStatusChange",
    "AuditEvent",
    "Badge",
    "BadgeAward",
    "BadgeEndorsement",
    "BadgeNetworkInvitation",
    "BadgeProposal",
    "CalendarFeed",
    "CheckIn",
    "Cohort",
    "Community",
    "CommunityMember",
    "CommunityNetwork",
    "Enrolment",
    "Evaluation",
    "EvaluationResponse",
    "Evidence",
    "IdempotencyRecord",
    "Invitation",
    "IssuerKey",
    "LoginCounter",
    "MailMessage",
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
    "Notification",
    "NotificationSetting",
    "Objective",
    "Organisation",
    "PartnerCommitment",
    "Partnership",
    "PasswordReset",
    "Plan",
    "Programme",
    "ProgrammeEnrolment",
    "ProgrammeSession",
    "ReminderMark",
    "RoleAssignment",
    "ServiceAccount",
    "SessionAttendance",
    "User",
    "WebhookDelivery",
    "WebhookSecret",
    "WebhookSubscription",
    "metadata",
]
