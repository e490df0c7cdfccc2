"""Invitations: the keeper behind ``app/auth/invitations.py``. Any domain offers something
(a role, a place in a community) to an e-mail address through ``invitations.invite``; this
module grants it to an existing account and tells the person, or keeps and mails an
invitation, which ``accept_invitation`` turns into an account and the grant. A chair lists,
resends and revokes a network's invitations."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import invitations, policy, role_kinds
from app.auth.invitations import InvitationReceipt, Offer
from app.auth.models import User
from app.auth.policy import Permission, Principal, Role, authorize
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.pagination import Sort, SortKey, paginate
from app.core.security import PasswordHasher, new_secret
from app.mail import service as mail
from app.networks.models import Network
from app.notifications.models import Invitation
from app.notifications.schemas import InvitationAccept, NotificationKind, RoleInvite
from app.notifications.service import UserActor, bad_token, link, notify, token_hash


def _snapshot(invitation: Invitation) -> dict[str, Any]:
    return invitation.model_dump(mode="json", exclude={"token_hash"})


async def invite(
    session: AsyncSession, settings: Settings, principal: Principal, offer: Offer, email: str
) -> InvitationReceipt:
    """Offer ``offer`` to ``email``. A person with an account is granted it and told; one
    without is sent an invitation (a pending one for the same offer is sent again). The
    answer is the same in every case, so it tells the caller nothing about who has an
    account. The caller has checked that ``principal`` may make the offer."""
    network = offer.network
    assert network.id is not None
    receipt = InvitationReceipt(
        email=email,
        network_id=network.id,
        offer=offer.kind,
        offer_title=offer.title,
        role=Role(offer.terms["role"]) if offer.kind == "role" else None,
        status="sent",
    )
    user = await session.scalar(select(User).where(col(User.email) == email))
    if user is not None:
        if user.is_active and await invitations.grant_for(offer.kind)(
            session, principal, user, network, offer.terms, by_user_id=principal.user_id
        ):
            await notify(
                session,
                settings,
                user=user,
                network=network,
                kind=NotificationKind.role_granted,
                title=f"You are now {offer.title} in {network.name}",
                body=f"{principal.name or 'A chair'} added you.",
                object_type="networks",
                object_id=network.id,
                dedupe_key=f"{offer.kind}_granted:{network.id}:{utcnow():%Y%m%d%H%M%S%f}",
            )
        return receipt
    pending = await session.scalars(
        select(Invitation).where(
            col(Invitation.network_id) == network.id,
            col(Invitation.email) == email,
            col(Invitation.offer) == offer.kind,
            col(Invitation.status) == "pending",
        )
    )
    same = next((i for i in pending.all() if i.terms == offer.terms), None)
    if same is not None:
        await _send(session, settings, principal, same, network)
        return receipt
    token = new_secret()
    invitation = Invitation(
        network_id=network.id,
        email=email,
        offer=offer.kind,
        offer_title=offer.title[:300],
        terms=dict(offer.terms),
        role=receipt.role.value if receipt.role else None,
        functions=list(offer.terms.get("functions") or []),
        token_hash=token_hash(token),
        expires_at=utcnow() + timedelta(days=settings.invitation_days),
        invited_by_user_id=principal.user_id,
    )
    session.add(invitation)
    await audit.record(
        session,
        principal,
        action="create",
        obj=invitation,
        network_id=network.id,
        after=_snapshot(invitation),
    )
    await _mail(session, settings, principal, invitation, network, token)
    return receipt


invitations.install(invite)


async def invite_to_role(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    network: Network,
    *,
    data: RoleInvite,
) -> InvitationReceipt:
    """Appoint by e-mail (``POST /networks/{id}/roles`` with ``email``)."""
    policy.require_role_change(principal, network, data.role)
    role_kinds.check_functions(data.role, data.functions)
    offer = invitations.role_offer(network, data.role, [f.value for f in data.functions])
    return await invite(session, settings, principal, offer, data.email.lower())


async def _mail(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    invitation: Invitation,
    network: Network,
    token: str,
) -> None:
    await mail.enqueue(
        session,
        settings,
        kind="invitation",
        to=invitation.email,
        network_id=network.id,
        network_name=network.name,
        inviter=principal.name or "A chair",
        offer=invitation.offer_title,
        link=link(settings, "accept-invitation", token),
        days=settings.invitation_days,
    )


async def _send(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    invitation: Invitation,
    network: Network,
) -> Invitation:
    """A new link (the old one stops working), a new expiry, and the mail again."""
    before = _snapshot(invitation)
    token = new_secret()
    now = utcnow()
    invitation.token_hash = token_hash(token)
    invitation.status = "pending"
    invitation.expires_at = now + timedelta(days=settings.invitation_days)
    invitation.sent_count += 1
    invitation.last_sent_at = now
    session.add(invitation)
    await audit.record(
        session,
        principal,
        action="resend",
        obj=invitation,
        network_id=network.id,
        before=before,
        after=_snapshot(invitation),
    )
    await _mail(session, settings, principal, invitation, network, token)
    return invitation


def effective_status(invitation: Invitation, now: datetime | None = None) -> str:
    """``expired`` for a pending invitation past its expiry; otherwise as stored."""
    if invitation.status == "pending" and invitation.expires_at <= (now or utcnow()):
        return "expired"
    return invitation.status


async def list_invitations(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
    since: datetime | None = None,
) -> tuple[list[Invitation], str | None]:
    authorize(principal, Permission.invitation_manage, network)
    stmt = select(Invitation).where(col(Invitation.network_id) == network.id)
    now = utcnow()
    if status == "expired":
        stmt = stmt.where(col(Invitation.status) == "pending", col(Invitation.expires_at) <= now)
    elif status == "pending":
        stmt = stmt.where(col(Invitation.status) == "pending", col(Invitation.expires_at) > now)
    elif status is not None:
        stmt = stmt.where(col(Invitation.status) == status)
    sort = Sort((SortKey("id", Invitation.id, True),))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def get_invitation_or_404(
    session: AsyncSession, principal: Principal, network: Network, invitation_id: int
) -> Invitation:
    authorize(principal, Permission.invitation_manage, network)
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.network_id != network.id:
        raise NotFound(f"invitation {invitation_id} does not exist or is not visible to you")
    return invitation


async def resend_invitation(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    network: Network,
    invitation: Invitation,
) -> Invitation:
    if invitation.status in ("accepted", "revoked"):
        raise Conflict(f"invitation {invitation.id} is {invitation.status}: it cannot be sent")
    return await _send(session, settings, principal, invitation, network)


async def revoke_invitation(
    session: AsyncSession, principal: Principal, network: Network, invitation: Invitation
) -> None:
    if invitation.status != "pending":
        raise Conflict(f"invitation {invitation.id} is {invitation.status}: nothing to revoke")
    before = _snapshot(invitation)
    invitation.status = "revoked"
    session.add(invitation)
    await audit.record(
        session,
        principal,
        action="revoke",
        obj=invitation,
        network_id=network.id,
        before=before,
        after=_snapshot(invitation),
    )


async def accept_invitation(
    session: AsyncSession, passwords: PasswordHasher, *, data: InvitationAccept
) -> tuple[User, Invitation]:
    """Create the invited person's account and grant what was offered."""
    invitation = await session.scalar(
        select(Invitation)
        .where(col(Invitation.token_hash) == token_hash(data.token))
        .with_for_update()
    )
    network = await session.get(Network, invitation.network_id) if invitation else None
    if (
        invitation is None
        or network is None
        or network.deleted_at is not None
        or effective_status(invitation) != "pending"
    ):
        raise bad_token("token", "invitation")
    if await session.scalar(select(col(User.id)).where(col(User.email) == invitation.email)):
        raise Conflict(
            "an account with this e-mail exists already: log in with it (ask the chair to "
            "appoint that account)"
        )
    user = User(
        email=invitation.email, name=data.name, password_hash=await passwords.hash(data.password)
    )
    session.add(user)
    await session.flush()
    assert user.id is not None and network.id is not None
    actor = UserActor(user.id)
    await audit.record(session, actor, action="create", obj=user, network_id=network.id)
    before = _snapshot(invitation)
    await invitations.grant_for(invitation.offer)(
        session, actor, user, network, invitation.terms, by_user_id=invitation.invited_by_user_id
    )
    invitation.status = "accepted"
    invitation.accepted_user_id = user.id
    invitation.accepted_at = utcnow()
    session.add(invitation)
    await audit.record(
        session,
        actor,
        action="accept",
        obj=invitation,
        network_id=network.id,
        before=before,
        after=_snapshot(invitation),
    )
    return user, invitation
