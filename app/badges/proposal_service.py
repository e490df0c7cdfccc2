"""Badge proposals: the canvas workflow.

Workflow: ``draft → submitted → approved | rejected``; a rejected proposal may be reopened to
``draft`` by its proposer. Approving creates, in the request's one transaction, the badge
network, its chair (the proposer), its sub-group communities, a plan of its success measures
and, for its initial members, invitations sent by e-mail (``app/auth/invitations.py``) where
an address is known, and a row for each.
"""

from datetime import date, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import invitations, policy
from app.auth import service as auth_service
from app.auth.policy import Grant, Principal, Role
from app.auth.schemas import RoleCreate
from app.badges import canvas
from app.badges.models import BadgeNetworkInvitation, BadgeProposal
from app.badges.schemas import (
    REQUIRED_SECTIONS,
    BadgeProposalCreate,
    BadgeProposalStatus,
    BadgeProposalUpdate,
    Completeness,
)
from app.badges.scope import FoundProposal
from app.communities import service as community_service
from app.communities.schemas import CommunityCreate, CommunityKind, CommunityStatus
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    fetch_page,
)
from app.networks import service as network_service
from app.networks.schemas import NetworkCreate, NetworkKind
from app.plans import measure_service, objective_service
from app.plans import service as plan_service
from app.plans.objective_schemas import ObjectiveCreate
from app.plans.schemas import ObjectiveKind, PlanCreate, PlanStatus
from app.plans.scope import InPlan

_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
JSON_SECTIONS = frozenset({"existing_resources", "commitment", "communication"})


def _issue(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


# --- proposals ----------------------------------------------------------------------------


async def _check_parent(session: AsyncSession, parent_id: int | None) -> None:
    if parent_id is None:
        return
    if await network_service.get(session, parent_id) is None:
        raise Unprocessable(
            f"network {parent_id} does not exist",
            errors=[_issue(["body", "parent_network_id"], "unknown network", "unknown_network")],
        )


def _section_values(data: BadgeProposalCreate | BadgeProposalUpdate) -> dict[str, Any]:
    changes = data.model_dump(exclude_unset=True, mode="json")
    for key in ("sub_groups", "success_measures", "initial_members"):
        if key in changes and changes[key] is None:
            changes[key] = []
    return changes


async def create_proposal(
    session: AsyncSession, principal: Principal, *, data: BadgeProposalCreate
) -> BadgeProposal:
    policy.require_person(principal, "only people draft badge-network proposals")
    await _check_parent(session, data.parent_network_id)
    proposal = BadgeProposal.model_validate(
        {**_section_values(data), "proposer_user_id": principal.user_id, "status": "draft"}
    )
    session.add(proposal)
    await audit.record(
        session, principal, action="create", obj=proposal, network_id=data.parent_network_id
    )
    return proposal


async def list_proposals(
    session: AsyncSession,
    principal: Principal,
    *,
    status: BadgeProposalStatus | None,
    params: ListParams,
) -> PageResult:
    """Own proposals; admins see all; chairs see those under networks they chair."""
    stmt = select(BadgeProposal)
    chaired = policy.proposal_network_ids(principal)
    if chaired is not None:
        stmt = stmt.where(
            or_(
                principal.user_id_equals(col(BadgeProposal.proposer_user_id)),
                col(BadgeProposal.parent_network_id).in_(chaired),
            )
        )
    if status is not None:
        stmt = stmt.where(col(BadgeProposal.status) == status.value)
    return await fetch_page(session, stmt, params)


def _require_status(proposal: BadgeProposal, *allowed: BadgeProposalStatus, doing: str) -> None:
    if proposal.status not in {s.value for s in allowed}:
        raise Conflict(f"cannot {doing} a proposal that is {proposal.status}")


async def update_proposal(
    session: AsyncSession, principal: Principal, found: FoundProposal, *, data: BadgeProposalUpdate
) -> BadgeProposal:
    policy.require_proposer(principal, found.proposal.proposer_user_id)
    proposal = found.proposal
    _require_status(proposal, BadgeProposalStatus.draft, doing="edit")
    changes = _section_values(data)
    if "parent_network_id" in changes:
        await _check_parent(session, changes["parent_network_id"])
    before = audit.snapshot(proposal)
    proposal.sqlmodel_update(changes)
    session.add(proposal)
    await audit.record(
        session,
        principal,
        action="update",
        obj=proposal,
        network_id=proposal.parent_network_id,
        before=before,
    )
    return proposal


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return False


def completeness(proposal: BadgeProposal) -> Completeness:
    missing = [s for s in REQUIRED_SECTIONS if _empty(getattr(proposal, s))]
    return Completeness(complete=not missing, missing=missing, required=list(REQUIRED_SECTIONS))


async def _transition(
    session: AsyncSession,
    principal: Principal,
    proposal: BadgeProposal,
    action: str,
    changes: dict[str, Any],
) -> BadgeProposal:
    before = audit.snapshot(proposal)
    proposal.sqlmodel_update(changes)
    session.add(proposal)
    await audit.record(
        session,
        principal,
        action=action,
        obj=proposal,
        network_id=proposal.network_id or proposal.parent_network_id,
        before=before,
    )
    return proposal


async def submit_proposal(
    session: AsyncSession, principal: Principal, found: FoundProposal
) -> BadgeProposal:
    policy.require_proposer(principal, found.proposal.proposer_user_id)
    proposal = found.proposal
    _require_status(proposal, BadgeProposalStatus.draft, doing="submit")
    report = completeness(proposal)
    if report.missing:
        raise Unprocessable(
            f"fill every required section before submitting: {', '.join(report.missing)}",
            errors=[
                _issue(["body", s], "required section is empty", "missing") for s in report.missing
            ],
        )
    if found.parent is None:
        raise Unprocessable(
            "the parent network no longer exists",
            errors=[_issue(["body", "parent_network_id"], "unknown network", "unknown_network")],
        )
    return await _transition(
        session, principal, proposal, "submit", {"status": "submitted", "submitted_at": utcnow()}
    )


async def reject_proposal(
    session: AsyncSession, principal: Principal, found: FoundProposal, *, reason: str
) -> BadgeProposal:
    policy.require_proposal_decider(principal, found.parent)
    _require_status(found.proposal, BadgeProposalStatus.submitted, doing="reject")
    return await _transition(
        session,
        principal,
        found.proposal,
        "reject",
        {
            "status": "rejected",
            "rejection_reason": reason,
            "decided_at": utcnow(),
            "decided_by_user_id": principal.user_id,
        },
    )


async def reopen_proposal(
    session: AsyncSession, principal: Principal, found: FoundProposal
) -> BadgeProposal:
    policy.require_proposer(principal, found.proposal.proposer_user_id)
    _require_status(found.proposal, BadgeProposalStatus.rejected, doing="reopen")
    return await _transition(session, principal, found.proposal, "reopen", {"status": "draft"})


def _with_chair(principal: Principal, network_id: int) -> Principal:
    """The approver, acting with the authority the approval gives over the new network."""
    return principal.with_grant(Grant(network_id=network_id, role=Role.chair))


def _plan_period(start: date) -> date:
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28) - timedelta(days=1)


def initial_member_email(member: dict[str, Any]) -> str | None:
    """An initial member's e-mail: given as such, or a contact that is an e-mail address."""
    for value in (member.get("email"), member.get("contact")):
        if value:
            try:
                return _EMAIL.validate_python(str(value).strip()).lower()
            except ValidationError:
                continue
    return None


async def approve_proposal(
    session: AsyncSession, settings: Settings, principal: Principal, found: FoundProposal
) -> BadgeProposal:
    """Create the badge network with its chair, sub-groups, plan and invitations: an initial
    member with an e-mail address is invited as a member of the network (by mail; one with
    an account is made a member and told); one without stays a row for the chair to invite."""
    policy.require_proposal_decider(principal, found.parent)
    proposal = found.proposal
    _require_status(proposal, BadgeProposalStatus.submitted, doing="approve")
    assert found.parent is not None and proposal.name is not None
    network = await network_service.create(
        session,
        principal,
        data=NetworkCreate(
            name=proposal.name,
            kind=NetworkKind.badge,
            parent_id=found.parent.id,
            territory=(proposal.territory or "")[:200] or None,
            description=proposal.drivers,
            membership_criteria=proposal.network_composition,
        ),
    )
    assert network.id is not None
    await auth_service.appoint(
        session,
        principal,
        network,
        data=RoleCreate(user_id=proposal.proposer_user_id, role=Role.chair),
    )
    acting = _with_chair(principal, network.id)
    for group in proposal.sub_groups:
        lead = group.get("lead")
        await community_service.create_community(
            session,
            acting,
            network,
            data=CommunityCreate(
                kind=CommunityKind.sub_group,
                title=group["name"],
                purpose=f"Led by {lead}" if lead else None,
                status=CommunityStatus.active,
            ),
        )
    meetings = canvas.cadence(proposal.communication)
    if meetings is not None:
        await community_service.create_community(
            session,
            acting,
            network,
            data=CommunityCreate(
                kind=CommunityKind.forum,
                title=f"{proposal.name}: network meetings"[:300],
                purpose="The whole network meeting, as the canvas planned it.",
                status=CommunityStatus.active,
                cadence=meetings,
            ),
        )
    start = utcnow().date()
    plan = await plan_service.create_plan(
        session,
        acting,
        network,
        data=PlanCreate(
            title=f"{proposal.name}: success measures"[:300],
            aim=proposal.drivers,
            period_start=start,
            period_end=_plan_period(start),
            status=PlanStatus.active,
        ),
    )
    objective = await objective_service.create_objective(
        session,
        acting,
        InPlan(obj=plan, plan=plan, network=network),
        data=ObjectiveCreate(
            code="1", kind=ObjectiveKind.outcome, title="What success will look like"
        ),
    )
    for position, text in enumerate(proposal.success_measures):
        await measure_service.create_measure(
            session,
            acting,
            InPlan(obj=objective, plan=plan, network=network),
            data=canvas.success_measure(text, position),
        )
    offer = invitations.role_offer(network, Role.member, [])
    for member in proposal.initial_members:
        email = initial_member_email(member)
        if email is not None:
            await invitations.invite(session, settings, acting, offer, email)
        invitation = BadgeNetworkInvitation(
            network_id=network.id,
            proposal_id=proposal.id or 0,
            group=member["group"],
            name=member["name"],
            organisation=member.get("organisation"),
            contact=member.get("contact") or email,
            status="invited" if email else "pending",
        )
        session.add(invitation)
        await audit.record(
            session, principal, action="create", obj=invitation, network_id=network.id
        )
    return await _transition(
        session,
        principal,
        proposal,
        "approve",
        {
            "status": "approved",
            "decided_at": utcnow(),
            "decided_by_user_id": principal.user_id,
            "network_id": network.id,
            "plan_id": plan.id,
        },
    )


async def list_invitations(session: AsyncSession, network_id: int) -> list[BadgeNetworkInvitation]:
    rows = await session.scalars(
        select(BadgeNetworkInvitation)
        .where(col(BadgeNetworkInvitation.network_id) == network_id)
        .order_by(col(BadgeNetworkInvitation.id))
    )
    return list(rows.all())
