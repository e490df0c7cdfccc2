"""An award's public share page: one self-contained HTML document (inline CSS, no script,
nothing fetched) with the badge, its issuer, criteria, the endorsements of the badge and of
its issuer, the verification result and a verify button, found only by the award's
unguessable share token (128 random bits). Replacing the token (the badge network's chair or
an executive, or the earner for their own award) ends the old link."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.badges import credentials, endorsement_service, service
from app.badges.models import Badge, BadgeAward, BadgeEndorsement, new_share_token
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.resources import Scoped
from app.networks.models import Network


@dataclass(frozen=True)
class SharedEndorsement:
    name: str
    kind: str
    comment: str
    issued_at: datetime
    verify_url: str


@dataclass(frozen=True)
class SharePage:
    badge_name: str
    description: str
    criteria: str
    skill_tags: list[str]
    alignments: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    issuer_name: str
    recipient_name: str
    issued_at: datetime
    expires_at: datetime | None
    valid: bool
    reason: str | None
    endorsements: list[SharedEndorsement]
    issuer_endorsements: list[SharedEndorsement]
    verify_url: str
    verify_post_url: str
    jwks_url: str
    jwt: str
    share_url: str
    generated_at: datetime


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("app.badges", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("share.html.j2")


# Links from the page (served at /api/v1/awards/share/{token}) to this service's public
# routes, relative so that they hold under any host or path prefix the service is served at.
UP = "../../"


def _verify_url(credential_id: str) -> str:
    return f"{UP}credentials/{credentials.credential_uuid(credential_id)}/verify"


def _shared(endorsements: list[BadgeEndorsement]) -> list[SharedEndorsement]:
    return [
        SharedEndorsement(
            name=e.endorser_name,
            kind="network" if e.endorser_network_id else "organisation",
            comment=e.comment,
            issued_at=e.issued_at,
            verify_url=_verify_url(e.credential_id),
        )
        for e in endorsements
    ]


async def page(session: AsyncSession, token: str, settings: Settings) -> str:
    """The award's share page, verified now; 404 for an unknown (or replaced) token."""
    award = await session.scalar(select(BadgeAward).where(col(BadgeAward.share_token) == token))
    badge = await session.get(Badge, award.badge_id) if award else None
    network = await session.get(Network, award.network_id) if award else None
    if award is None or badge is None or network is None:
        raise NotFound("no award is shared at this link (it may have been replaced)")
    assert badge.id is not None
    base = settings.jwt_issuer.rstrip("/")
    check = await service.verify_token(session, award.credential_jwt, settings)
    of_badge, of_issuer = await endorsement_service.live(session, badge)
    shared = SharePage(
        badge_name=badge.name,
        description=badge.description,
        criteria=badge.criteria_narrative,
        skill_tags=list(badge.skill_tags),
        alignments=list(badge.alignments),
        evidence=list(award.evidence),
        issuer_name=network.name,
        recipient_name=award.recipient_name,
        issued_at=award.issued_at,
        expires_at=award.expires_at,
        valid=check.valid,
        reason=check.reason,
        endorsements=_shared(of_badge),
        issuer_endorsements=_shared(of_issuer),
        verify_url=_verify_url(award.credential_id),
        verify_post_url=f"{base}/api/v1/credentials/verify",
        jwks_url=f"{UP}networks/{award.network_id}/jwks.json",
        jwt=award.credential_jwt,
        share_url=credentials.share_url(base, award.share_token),
        generated_at=utcnow(),
    )
    return _template().render(p=shared)


async def replace_token(
    session: AsyncSession, principal: Principal, found: Scoped[BadgeAward, Network]
) -> BadgeAward:
    """A new share token for the award: the old link stops working."""
    policy.require_badge_write(principal, found.network)
    return await _new_token(session, principal, found)


async def replace_own_token(
    session: AsyncSession, principal: Principal, award_id: int
) -> Scoped[BadgeAward, Network]:
    """A new share token for the caller's own award (they need no role in its network)."""
    award = await session.get(BadgeAward, award_id)
    network = await session.get(Network, award.network_id) if award else None
    if award is None or network is None or network.deleted_at is not None:
        raise NotFound(f"award {award_id} does not exist or is not visible to you")
    policy.require_earner(principal, award.recipient_user_id, network)
    found = Scoped(award, network)
    await _new_token(session, principal, found)
    return found


async def _new_token(
    session: AsyncSession, principal: Principal, found: Scoped[BadgeAward, Network]
) -> BadgeAward:
    changes = {"share_token": new_share_token()}
    return await service.change_award(session, principal, found, changes, action="share")
