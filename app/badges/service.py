"""Badge networks' badges, awards, credentials and their verification (proposals, the canvas
workflow that makes badge networks, are in ``app/badges/proposal_service.py``)."""

import uuid
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.badges import credentials, endorsement_service, keys
from app.badges.models import Badge, BadgeAward, IssuerKey
from app.badges.schemas import (
    AwardCreate,
    BadgeCreate,
    BadgeUpdate,
    VerificationRead,
)
from app.core import audit, i18n
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    Scoped,
    audited_create,
    audited_update,
    fetch_page,
)
from app.core.security import InvalidToken, vc_jwt_header, verify_vc_jwt
from app.networks.models import Network
from app.networks.schemas import NetworkKind


def _issue(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


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
    return await audited_create(session, principal, badge, network_id=network.id)


async def list_badges(
    session: AsyncSession,
    network: Network,
    *,
    params: ListParams,
) -> PageResult:
    stmt = select(Badge).where(col(Badge.network_id) == network.id)
    return await fetch_page(session, stmt, params)


async def update_badge(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Badge, Network],
    *,
    data: BadgeUpdate,
    language: str | None = None,
) -> Badge:
    """Change a badge; its text in ``language`` (default: the network's default)."""
    policy.require_badge_write(principal, found.network)
    changes = i18n.localised(
        found.network, found.obj, data.model_dump(exclude_unset=True, mode="json"), language
    )
    return await audited_update(session, principal, found.obj, changes, network_id=found.network.id)


# --- awards -------------------------------------------------------------------------------


async def award_badge(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Badge, Network],
    settings: Settings,
    *,
    data: AwardCreate,
) -> BadgeAward:
    """Award a badge: build the OpenBadgeCredential and sign it with the network's key."""
    policy.require_badge_write(principal, found.network)
    network, badge = found.network, found.obj
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
    of_badge, of_issuer = await endorsement_service.live_jwts(session, badge)
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
        endorsement_jwts=of_badge,
        issuer_endorsement_jwts=of_issuer,
    )
    token, key = await keys.sign(
        session, settings, credential, issued_at, expires_at, network_id=network.id
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
# credential and its JWT also carry; and the share-page token (whoever holds it reads the
# earner's page).
AWARD_PRIVATE_FIELDS = frozenset(
    {
        "recipient_email",
        "identity_salt",
        "identity_hash",
        "credential",
        "credential_jwt",
        "share_token",
    }
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
    session: AsyncSession, principal: Principal, found: Scoped[BadgeAward, Network], *, reason: str
) -> BadgeAward:
    policy.require_badge_write(principal, found.network)
    award = found.obj
    if award.revoked_at is not None:
        raise Conflict(f"award {award.id} is already revoked")
    changes = {"revoked_at": utcnow(), "revocation_reason": reason}
    return await change_award(session, principal, found, changes, action="revoke")


async def change_award(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[BadgeAward, Network],
    changes: dict[str, Any],
    *,
    action: str,
) -> BadgeAward:
    """Apply ``changes`` to the award and record ``action`` (snapshots without the private
    fields)."""
    award = found.obj
    before = award_snapshot(award)
    award.sqlmodel_update(changes)
    session.add(award)
    await audit.record(
        session,
        principal,
        action=action,
        obj=award,
        network_id=found.network.id,
        before=before,
        after=award_snapshot(award),
    )
    return award


# --- verification (no authentication) -----------------------------------------------------


_invalid = VerificationRead.failed


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
    verifies, it is in its validity period, and the award (or endorsement) is known and not
    revoked (withdrawn). With ``email`` (what the holder told the verifier), also whether the
    credential was issued to it: hashed here with the award's salt, which is never sent."""
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
    if issuer_id != keys.owner_url(settings.jwt_issuer, key) or claims.get("iss") != issuer_id:
        return _invalid("signed by a key that is not the issuer's")
    if "EndorsementCredential" in (vc.get("type") or []):
        return await endorsement_service.verify_known(session, vc, key)
    award = await session.scalar(
        select(BadgeAward).where(col(BadgeAward.credential_id) == vc.get("id"))
    )
    if award is None or award.network_id != key.network_id:
        return _invalid("unknown credential")
    badge = await session.get(Badge, award.badge_id)
    network = await session.get(Network, award.network_id)
    known = {
        "credential_type": "OpenBadgeCredential",
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
