"""Endorsements of badges: Open Badges 3.0 ``EndorsementCredential``s issued by a network or
an organisation, signed with the endorser's key (``app/badges/keys.py``) and verified with
awards (``app/badges/service.py``, ``verify_token``). Who may endorse is in
``app/auth/policy.py`` (``require_network_endorser``, ``require_organisation_endorser``)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.badges import credentials, keys
from app.badges.endorsement_schemas import EndorsementCreate, EndorsementRead
from app.badges.models import Badge, BadgeEndorsement, IssuerKey
from app.badges.schemas import VerificationRead
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
from app.networks import service as network_service
from app.networks.models import Network
from app.organisations.models import Organisation

ENDORSEMENT = "EndorsementCredential"


def _unknown(field: str, what: str, ident: int) -> Unprocessable:
    return Unprocessable(
        f"{what} {ident} does not exist",
        errors=[{"loc": ["body", field], "msg": f"unknown {what}", "type": f"unknown_{what}"}],
    )


async def _speak_for(
    session: AsyncSession, principal: Principal, network_id: int | None, org_id: int | None
) -> str | None:
    """The endorser's name, once the caller may speak for it; None when it does not exist."""
    if network_id is not None:
        network = await network_service.get(session, network_id)
        if network is None:
            return None
        policy.require_network_endorser(principal, network)
        return network.name
    org = await session.get(Organisation, org_id)
    if org is None or org.deleted_at is not None:
        return None
    keeper = None
    if org.owner_network_id is not None and not principal.is_admin:
        keeper = await network_service.get(session, org.owner_network_id)
    policy.require_organisation_endorser(principal, keeper)
    return org.name


async def _endorser(
    session: AsyncSession, principal: Principal, base: str, data: EndorsementCreate
) -> dict[str, Any]:
    """The endorser's Open Badges ``Profile``, once the caller may speak for it."""
    network_id, org_id = data.endorser_network_id, data.endorser_organisation_id
    name = await _speak_for(session, principal, network_id, org_id)
    if network_id is not None:
        if name is None:
            raise _unknown("endorser_network_id", "network", network_id)
        return credentials.profile(credentials.network_url(base, network_id), name)
    assert org_id is not None
    if name is None:
        raise _unknown("endorser_organisation_id", "organisation", org_id)
    return credentials.profile(credentials.organisation_url(base, org_id), name)


async def endorse(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Badge, Network],
    settings: Settings,
    *,
    data: EndorsementCreate,
) -> EndorsementRead:
    """Sign an ``EndorsementCredential`` of the badge as its endorser and keep it."""
    badge, network = found.obj, found.network
    assert badge.id is not None and network.id is not None
    base = settings.jwt_issuer
    issuer = await _endorser(session, principal, base, data)
    same = await session.scalar(
        select(col(BadgeEndorsement.id)).where(
            col(BadgeEndorsement.badge_id) == badge.id,
            col(BadgeEndorsement.endorser_network_id) == data.endorser_network_id
            if data.endorser_network_id is not None
            else col(BadgeEndorsement.endorser_organisation_id) == data.endorser_organisation_id,
            col(BadgeEndorsement.withdrawn_at).is_(None),
        )
    )
    if same is not None:
        raise Conflict(f"{issuer['name']} already endorses this badge (endorsement {same})")
    issued_at = utcnow().replace(microsecond=0)
    credential = credentials.build_endorsement(
        base=base,
        credential_id=credentials.new_credential_id(),
        issuer=issuer,
        badge=badge,
        comment=data.comment,
        issued_at=issued_at,
    )
    token, key = await keys.sign(
        session,
        settings,
        credential,
        issued_at,
        network_id=data.endorser_network_id,
        organisation_id=data.endorser_organisation_id,
    )
    endorsement = BadgeEndorsement(
        badge_id=badge.id,
        network_id=network.id,
        endorser_network_id=data.endorser_network_id,
        endorser_organisation_id=data.endorser_organisation_id,
        endorser_name=issuer["name"],
        comment=data.comment,
        credential_id=credential["id"],
        credential=credential,
        credential_jwt=token,
        key_id=key.kid,
        issued_at=issued_at,
        endorsed_by_user_id=principal.user_id,
    )
    await audited_create(session, principal, endorsement, network_id=network.id)
    return read(endorsement, badge.name, base)


def jwks_url(base: str, endorsement: BadgeEndorsement) -> str:
    owner = credentials.key_owner_url(
        base, endorsement.endorser_network_id, endorsement.endorser_organisation_id
    )
    return f"{owner}/jwks.json"


def read(endorsement: BadgeEndorsement, badge_name: str, base: str) -> EndorsementRead:
    return EndorsementRead.model_validate(
        {
            **endorsement.model_dump(),
            "badge_name": badge_name,
            "endorser_kind": "network" if endorsement.endorser_network_id else "organisation",
            "credential_uuid": credentials.credential_uuid(endorsement.credential_id),
            "jwt": endorsement.credential_jwt,
            "jwks_url": jwks_url(base, endorsement),
        }
    )


async def list_endorsements(
    session: AsyncSession, badge: Badge, *, params: ListParams
) -> PageResult:
    stmt = select(BadgeEndorsement).where(col(BadgeEndorsement.badge_id) == badge.id)
    return await fetch_page(session, stmt, params)


async def live(session: AsyncSession, badge_id: int) -> list[BadgeEndorsement]:
    """The badge's endorsements not withdrawn, oldest first."""
    rows = await session.scalars(
        select(BadgeEndorsement)
        .where(
            col(BadgeEndorsement.badge_id) == badge_id,
            col(BadgeEndorsement.withdrawn_at).is_(None),
        )
        .order_by(col(BadgeEndorsement.id))
    )
    return list(rows.all())


async def live_jwts(session: AsyncSession, badge_id: int) -> list[str]:
    """What an award of the badge carries in its achievement's ``endorsementJwt``."""
    return [e.credential_jwt for e in await live(session, badge_id)]


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[BadgeEndorsement, Network],
    base: str,
    *,
    reason: str,
) -> EndorsementRead:
    """Withdraw an endorsement: it no longer verifies, nor goes into new awards."""
    endorsement = found.obj
    speaker = await _speak_for(
        session,
        principal,
        endorsement.endorser_network_id,
        endorsement.endorser_organisation_id,
    )
    if speaker is None:  # the endorser is gone: only a platform admin speaks for it
        policy.require_admin(principal)
    if endorsement.withdrawn_at is not None:
        raise Conflict(f"endorsement {endorsement.id} is already withdrawn")
    await audited_update(
        session,
        principal,
        endorsement,
        {"withdrawn_at": utcnow(), "withdrawal_reason": reason},
        network_id=found.network.id,
        action="withdraw",
    )
    badge = await session.get(Badge, endorsement.badge_id)
    return read(endorsement, badge.name if badge else "", base)


async def verify_known(
    session: AsyncSession, vc: dict[str, Any], key: IssuerKey
) -> VerificationRead:
    """The verification of a well-signed ``EndorsementCredential``: known here, signed by its
    endorser's key, not withdrawn."""
    endorsement = await session.scalar(
        select(BadgeEndorsement).where(col(BadgeEndorsement.credential_id) == vc.get("id"))
    )
    if (
        endorsement is None
        or endorsement.endorser_network_id != key.network_id
        or endorsement.endorser_organisation_id != key.organisation_id
    ):
        return VerificationRead.failed("unknown credential")
    badge = await session.get(Badge, endorsement.badge_id)
    known: dict[str, Any] = {
        "credential_type": ENDORSEMENT,
        "badge": badge.name if badge else None,
        "issuer": endorsement.endorser_name,
        "issued_on": endorsement.issued_at,
        "endorsement_comment": endorsement.comment,
    }
    if endorsement.withdrawn_at is not None:
        return VerificationRead.failed("withdrawn", **known)
    return VerificationRead(valid=True, reason=None, recipient_hash=None, **known)


async def organisation_jwks(session: AsyncSession, organisation_id: int) -> list[dict[str, Any]]:
    """The public keys an organisation endorses with (none until it first endorses)."""
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    found = await keys.network_keys(session, None, organisation_id=organisation_id)
    return [k.public_jwk for k in found]
