"""Badge networks: the canvas workflow, badges, awards, credentials and their verification.

Workflow: ``draft → submitted → approved | rejected``; a rejected proposal may be reopened to
``draft`` by its proposer. Approving creates, in the request's one transaction, the badge
network, its chair (the proposer), its sub-group communities, a plan of its success measures
and invitation rows for its initial members.
"""

import uuid
from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth import service as auth_service
from app.auth.policy import Grant, Principal, Role
from app.auth.schemas import RoleCreate
from app.badges import canvas, credentials, keys
from app.badges.models import Badge, BadgeAward, BadgeNetworkInvitation, BadgeProposal, IssuerKey
from app.badges.schemas import (
    REQUIRED_SECTIONS,
    AwardCreate,
    BadgeCreate,
    BadgeProposalCreate,
    BadgeProposalStatus,
    BadgeProposalUpdate,
    BadgeUpdate,
    Completeness,
    VerificationRead,
)
from app.badges.scope import FoundProposal, InBadge
from app.communities import service as community_service
from app.communities.schemas import CommunityCreate, CommunityKind, CommunityStatus
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.resources import ListParams, PageResult, fetch_page
from app.core.security import InvalidToken, vc_jwt_header, verify_vc_jwt
from app.core.security import sign_vc_jwt as _sign
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkKind
from app.plans import measure_service, objective_service
from app.plans import service as plan_service
from app.plans.objective_schemas import ObjectiveCreate
from app.plans.schemas import ObjectiveKind, PlanCreate, PlanStatus
from app.plans.scope import InPlan

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


async def approve_proposal(
    session: AsyncSession, principal: Principal, found: FoundProposal
) -> BadgeProposal:
    """Create the badge network with its chair, sub-groups, plan and invitations."""
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
    for member in proposal.initial_members:
        invitation = BadgeNetworkInvitation(
            network_id=network.id,
            proposal_id=proposal.id or 0,
            group=member["group"],
            name=member["name"],
            organisation=member.get("organisation"),
            contact=member.get("contact"),
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


# --- badges -------------------------------------------------------------------------------


def _require_badge_network(network: Network) -> None:
    if network.kind != NetworkKind.badge.value:
        raise Conflict(f"network {network.id} is not a badge network; only badge networks issue")


async def create_badge(
    session: AsyncSession, principal: Principal, network: Network, *, data: BadgeCreate
) -> Badge:
    policy.require_badge_write(principal, network)
    _require_badge_network(network)
    badge = Badge.model_validate(data.model_dump(mode="json"), update={"network_id": network.id})
    session.add(badge)
    await audit.record(session, principal, action="create", obj=badge, network_id=network.id)
    return badge


async def list_badges(
    session: AsyncSession,
    network: Network,
    *,
    params: ListParams,
) -> PageResult:
    stmt = select(Badge).where(col(Badge.network_id) == network.id)
    return await fetch_page(session, stmt, params)


async def update_badge(
    session: AsyncSession, principal: Principal, found: InBadge, *, data: BadgeUpdate
) -> Badge:
    policy.require_badge_write(principal, found.network)
    badge = found.badge
    before = audit.snapshot(badge)
    badge.sqlmodel_update(data.model_dump(exclude_unset=True, mode="json"))
    session.add(badge)
    await audit.record(
        session, principal, action="update", obj=badge, network_id=found.network.id, before=before
    )
    return badge


# --- awards -------------------------------------------------------------------------------


async def award_badge(
    session: AsyncSession,
    principal: Principal,
    found: InBadge,
    settings: Settings,
    *,
    data: AwardCreate,
) -> BadgeAward:
    """Award a badge: build the OpenBadgeCredential and sign it with the network's key."""
    policy.require_badge_write(principal, found.network)
    network, badge = found.network, found.badge
    assert network.id is not None and badge.id is not None
    email = data.recipient_email
    if data.user_id is not None:
        from app.auth.models import User

        user = await session.get(User, data.user_id)
        if user is None:
            raise Unprocessable(
                f"user {data.user_id} does not exist",
                errors=[_issue(["body", "user_id"], "unknown user", "unknown_user")],
            )
        email = user.email
    assert email is not None
    salt = credentials.new_salt()
    identity = credentials.identity_hash(email, salt)
    issued_at = utcnow().replace(microsecond=0)
    expires_at = data.valid_until.astimezone(UTC) if data.valid_until else None
    if expires_at is not None and expires_at <= issued_at:
        raise Unprocessable(
            "valid_until is in the past",
            errors=[_issue(["body", "valid_until"], "must be in the future", "past")],
        )
    credential_id = credentials.new_credential_id()
    evidence = [e.model_dump(mode="json", exclude_none=True) for e in data.evidence]
    credential = credentials.build_credential(
        base=settings.jwt_issuer,
        credential_id=credential_id,
        network=network,
        badge=badge,
        identity=identity,
        salt=salt,
        evidence=evidence,
        issued_at=issued_at,
        expires_at=expires_at,
    )
    key = await keys.signing_key(session, network.id, settings)
    token = _sign(
        credentials.jwt_claims(credential, issued_at, expires_at),
        keys.private_pem(key, settings),
        kid=key.kid,
        algorithm=key.algorithm,
    )
    award = BadgeAward(
        badge_id=badge.id,
        network_id=network.id,
        credential_id=credential_id,
        recipient_name=data.recipient_name,
        recipient_email=data.recipient_email,
        recipient_user_id=data.user_id,
        identity_salt=salt,
        identity_hash=identity,
        evidence=evidence,
        issued_at=issued_at,
        expires_at=expires_at,
        awarded_by_user_id=principal.user_id,
        credential=credential,
        credential_jwt=token,
        key_id=key.kid,
    )
    session.add(award)
    await audit.record(
        session,
        principal,
        action="create",
        obj=award,
        network_id=network.id,
        after=award_snapshot(award),
    )
    return award


# What an award's audit events (and so its webhook payloads) leave out: the earner's email,
# and the salt and salted hash of it (with both, a guessed email can be confirmed), which the
# credential and its JWT also carry.
AWARD_PRIVATE_FIELDS = frozenset(
    {"recipient_email", "identity_salt", "identity_hash", "credential", "credential_jwt"}
)


def award_snapshot(award: BadgeAward) -> dict[str, Any]:
    """An award for the audit trail and webhooks: never the email, salt or hash."""
    return {k: v for k, v in audit.snapshot(award).items() if k not in AWARD_PRIVATE_FIELDS}


async def list_awards(
    session: AsyncSession,
    badge: Badge,
    *,
    params: ListParams,
) -> PageResult:
    stmt = select(BadgeAward).where(col(BadgeAward.badge_id) == badge.id)
    return await fetch_page(session, stmt, params)


async def revoke_award(
    session: AsyncSession, principal: Principal, found: InBadge, *, reason: str
) -> BadgeAward:
    policy.require_badge_write(principal, found.network)
    award: BadgeAward = found.obj
    if award.revoked_at is not None:
        raise Conflict(f"award {award.id} is already revoked")
    before = award_snapshot(award)
    award.revoked_at = utcnow()
    award.revocation_reason = reason
    session.add(award)
    await audit.record(
        session,
        principal,
        action="revoke",
        obj=award,
        network_id=found.network.id,
        before=before,
        after=award_snapshot(award),
    )
    return award


# --- verification (no authentication) -----------------------------------------------------


def _invalid(reason: str, **known: Any) -> VerificationRead:
    return VerificationRead(
        valid=False,
        reason=reason,
        badge=known.get("badge"),
        issuer=known.get("issuer"),
        issued_on=known.get("issued_on"),
        recipient_hash=known.get("recipient_hash"),
        recipient_matches=known.get("recipient_matches"),
    )


async def award_by_credential_uuid(session: AsyncSession, credential_uuid: uuid.UUID) -> BadgeAward:
    """The award whose credential has this UUID (the only public handle on an award)."""
    award = await session.scalar(
        select(BadgeAward).where(
            col(BadgeAward.credential_id) == credentials.credential_id_for(credential_uuid)
        )
    )
    if award is None:
        raise NotFound(f"credential {credential_uuid} does not exist")
    return award


async def verify_token(
    session: AsyncSession, token: str, settings: Settings, *, email: str | None = None
) -> VerificationRead:
    """Check a VC-JWT: its key (by ``kid``) belongs to the issuer it names, the signature
    verifies, it is in its validity period, and the award is known and not revoked. With
    ``email`` (what the holder told the verifier), also whether the credential was issued to
    it: hashed here with the award's salt, which is never sent."""
    try:
        header = vc_jwt_header(token)
    except InvalidToken:
        return _invalid("malformed credential")
    kid = header.get("kid")
    key: IssuerKey | None = await keys.by_kid(session, kid) if isinstance(kid, str) else None
    if key is None:
        return _invalid("unknown signing key")
    try:
        claims = verify_vc_jwt(
            token, key.public_pem, algorithm=key.algorithm, leeway=settings.jwt_leeway_seconds
        )
    except InvalidToken as exc:
        reason = "expired" if "expired" in str(exc).lower() else "signature does not verify"
        return _invalid(reason)
    vc = claims.get("vc")
    if not isinstance(vc, dict):
        return _invalid("not a verifiable credential")
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if (
        issuer_id != credentials.network_url(settings.jwt_issuer, key.network_id)
        or claims.get("iss") != issuer_id
    ):
        return _invalid("signed by a key that is not the issuer's")
    award = await session.scalar(
        select(BadgeAward).where(col(BadgeAward.credential_id) == vc.get("id"))
    )
    if award is None or award.network_id != key.network_id:
        return _invalid("unknown credential")
    badge = await session.get(Badge, award.badge_id)
    network = await session.get(Network, award.network_id)
    known = {
        "badge": badge.name if badge else None,
        "issuer": network.name if network else None,
        "issued_on": award.issued_at,
        "recipient_hash": award.identity_hash,
        "recipient_matches": None
        if email is None
        else credentials.recipient_matches(email, award.identity_salt, award.identity_hash),
    }
    if award.revoked_at is not None:
        return _invalid("revoked", **known)
    if award.expires_at is not None and award.expires_at <= utcnow():
        return _invalid("expired", **known)
    return VerificationRead(valid=True, reason=None, **known)
