"""Endorsements of badges and of issuers (badge networks): Open Badges 3.0
``EndorsementCredential``s issued by a network or an organisation, signed with the endorser's
key (``app/badges/keys.py``) and verified with awards (``app/badges/service.py``,
``verify_token``). Who may endorse is in ``app/auth/policy.py``
(``require_network_endorser``, ``require_organisation_endorser``)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
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
from app.networks.schemas import NetworkKind
from app.organisations.models import Organisation

ENDORSEMENT = "EndorsementCredential"


@dataclass(frozen=True)
class Subject:
    """What an endorsement endorses: ``badge``, or (``badge`` None) the issuer ``network``.
    ``network`` is the badge's network or the issuer: its readers see the endorsement."""

    network: Network
    badge: Badge | None = None

    @property
    def name(self) -> str:
        return self.badge.name if self.badge is not None else self.network.name

    def url(self, base: str) -> str:
        """The endorsed ``Achievement``'s id, or the issuer ``Profile``'s (as in awards)."""
        if self.badge is not None:
            assert self.badge.id is not None
            return credentials.badge_url(base, self.badge.id)
        assert self.network.id is not None
        return credentials.network_url(base, self.network.id)

    @property
    def badge_id(self) -> int | None:
        return self.badge.id if self.badge is not None else None

    @property
    def subject_network_id(self) -> int | None:
        return self.network.id if self.badge is None else None

    def where(self) -> ColumnElement[bool]:
        if self.badge is not None:
            return col(BadgeEndorsement.badge_id) == self.badge.id
        return col(BadgeEndorsement.subject_network_id) == self.network.id


def _check_subject(subject: Subject, data: EndorsementCreate) -> None:
    """An issuer endorsement endorses a badge network, and not by that network itself."""
    if subject.badge is not None:
        return
    if data.endorser_network_id == subject.network.id:
        raise _refused(
            "endorser_network_id",
            "a network may not endorse itself",
            "the endorsed issuer itself",
            "self_endorsement",
        )
    if subject.network.kind != NetworkKind.badge.value:
        raise Conflict(
            f"network {subject.network.id} is not a badge network; only issuers are endorsed"
        )


def _refused(field: str, detail: str, msg: str, kind: str) -> Unprocessable:
    return Unprocessable(detail, errors=[{"loc": ["body", field], "msg": msg, "type": kind}])


def _unknown(field: str, what: str, ident: int) -> Unprocessable:
    return _refused(field, f"{what} {ident} does not exist", f"unknown {what}", f"unknown_{what}")


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
    subject: Subject,
    settings: Settings,
    *,
    data: EndorsementCreate,
) -> EndorsementRead:
    """Sign an ``EndorsementCredential`` of the subject as its endorser and keep it."""
    network = subject.network
    assert network.id is not None
    base = settings.jwt_issuer
    issuer = await _endorser(session, principal, base, data)
    _check_subject(subject, data)
    same = await session.scalar(
        select(col(BadgeEndorsement.id)).where(
            subject.where(),
            col(BadgeEndorsement.endorser_network_id) == data.endorser_network_id
            if data.endorser_network_id is not None
            else col(BadgeEndorsement.endorser_organisation_id) == data.endorser_organisation_id,
            col(BadgeEndorsement.withdrawn_at).is_(None),
        )
    )
    if same is not None:
        raise Conflict(f"{issuer['name']} already endorses {subject.name} (endorsement {same})")
    issued_at = utcnow().replace(microsecond=0)
    credential = credentials.build_endorsement(
        credential_id=credentials.new_credential_id(),
        issuer=issuer,
        subject_id=subject.url(base),
        subject_name=subject.name,
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
        badge_id=subject.badge_id,
        subject_network_id=subject.subject_network_id,
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
    return read(endorsement, subject.name, base)


def jwks_url(base: str, endorsement: BadgeEndorsement) -> str:
    owner = credentials.key_owner_url(
        base, endorsement.endorser_network_id, endorsement.endorser_organisation_id
    )
    return f"{owner}/jwks.json"


def read(endorsement: BadgeEndorsement, subject_name: str, base: str) -> EndorsementRead:
    """The endorsement as answered; ``subject_name`` is the endorsed badge's or issuer's."""
    return EndorsementRead.model_validate(
        {
            **endorsement.model_dump(),
            "subject_kind": "badge" if endorsement.badge_id is not None else "issuer",
            "subject_name": subject_name,
            "badge_name": subject_name if endorsement.badge_id is not None else None,
            "endorser_kind": "network" if endorsement.endorser_network_id else "organisation",
            "credential_uuid": credentials.credential_uuid(endorsement.credential_id),
            "jwt": endorsement.credential_jwt,
            "jwks_url": jwks_url(base, endorsement),
        }
    )


async def list_endorsements(
    session: AsyncSession, subject: Subject, *, params: ListParams
) -> PageResult:
    stmt = select(BadgeEndorsement).where(subject.where())
    return await fetch_page(session, stmt, params)


async def live(
    session: AsyncSession, badge: Badge
) -> tuple[list[BadgeEndorsement], list[BadgeEndorsement]]:
    """The endorsements not withdrawn of the badge, and of its issuer, oldest first (one
    statement)."""
    rows = await session.scalars(
        select(BadgeEndorsement)
        .where(
            or_(
                col(BadgeEndorsement.badge_id) == badge.id,
                col(BadgeEndorsement.subject_network_id) == badge.network_id,
            ),
            col(BadgeEndorsement.withdrawn_at).is_(None),
        )
        .order_by(col(BadgeEndorsement.id))
    )
    found = list(rows.all())
    return [e for e in found if e.badge_id is not None], [e for e in found if e.badge_id is None]


async def live_jwts(session: AsyncSession, badge: Badge) -> tuple[list[str], list[str]]:
    """What an award of the badge carries in its achievement's ``endorsementJwt``, and in its
    issuer profile's."""
    of_badge, of_issuer = await live(session, badge)
    return [e.credential_jwt for e in of_badge], [e.credential_jwt for e in of_issuer]


async def _subject_name(session: AsyncSession, endorsement: BadgeEndorsement) -> str | None:
    """The endorsed badge's or issuer's name (None when it is gone)."""
    if endorsement.badge_id is not None:
        badge = await session.get(Badge, endorsement.badge_id)
        return badge.name if badge else None
    network = await session.get(Network, endorsement.subject_network_id)
    return network.name if network else None


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
    return read(endorsement, await _subject_name(session, endorsement) or "", base)


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
    name = await _subject_name(session, endorsement)
    of_badge = endorsement.badge_id is not None
    known: dict[str, Any] = {
        "credential_type": ENDORSEMENT,
        "badge": name if of_badge else None,
        "endorsed_issuer": None if of_badge else name,
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
