"""Password resets, invitations, notifications and their e-mail settings."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy, role_kinds
from app.auth import service as auth_service
from app.auth.models import RoleAssignment, User
from app.auth.policy import Permission, Principal, Role, authorize
from app.auth.schemas import RoleCreate
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.pagination import Sort, SortKey, paginate
from app.core.resources import audited_create
from app.core.security import PasswordHasher, new_secret
from app.mail import service as mail
from app.networks.models import Network
from app.notifications.models import (
    Invitation,
    Notification,
    NotificationSetting,
    PasswordReset,
)
from app.notifications.schemas import (
    EmailFrequency,
    InvitationAccept,
    InvitationReceipt,
    NotificationKind,
    PasswordResetConfirm,
    RoleInvite,
)

DEFAULT_FREQUENCY = EmailFrequency.immediately
ROLE_NAMES = {
    "chair": "chair",
    "executive": "an executive member",
    "improvement_leader": "the senior education improvement leader (SEIL)",
    "facilitator": "a facilitator",
    "member": "a member",
}


@dataclass(frozen=True, slots=True)
class UserActor:
    """A person acting without a token (a reset, an accepted invitation), for the audit."""

    actor_id: int
    actor_kind: str = "user"


def token_hash(token: str) -> str:
    """How single-use tokens are kept: their SHA-256 (they are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _link(settings: Settings, page: str, token: str) -> str:
    """The e-mailed link: the portal's page when a portal is configured; otherwise the token
    itself, with the API call that uses it."""
    if settings.portal_url:
        return f"{settings.portal_url.rstrip('/')}/{page}?token={token}"
    call = (
        "/api/v1/auth/password-reset/confirm"
        if page == "reset-password"
        else ("/api/v1/invitations/accept")
    )
    return f"token {token} (POST it to {call})"


# --- password reset ---------------------------------------------------------------------


async def request_password_reset(session: AsyncSession, settings: Settings, *, email: str) -> None:
    """Mail a reset link to an active account with this address; nothing otherwise (the
    caller answers the same either way)."""
    user = await session.scalar(select(User).where(col(User.email) == email.strip().lower()))
    if user is None or not user.is_active or user.id is None:
        return
    token = new_secret()
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_hash(token),
            generation=user.token_generation,
            expires_at=utcnow() + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    await mail.enqueue(
        session,
        settings,
        kind="password_reset",
        to=user.email,
        user_id=user.id,
        name=user.name,
        link=_link(settings, "reset-password", token),
        minutes=settings.password_reset_minutes,
    )


def _bad_token(field: str, what: str) -> Unprocessable:
    return Unprocessable(
        f"the {what} link is not valid: it was used already, has expired, or a newer one was sent",
        errors=[
            {"loc": ["body", field], "msg": "invalid or expired token", "type": "token_invalid"}
        ],
    )


async def confirm_password_reset(
    session: AsyncSession, passwords: PasswordHasher, *, data: PasswordResetConfirm
) -> None:
    """Set a new password with a reset token; every earlier token of the person (access
    tokens and other reset links) stops working."""
    now = utcnow()
    reset = await session.scalar(
        select(PasswordReset)
        .where(col(PasswordReset.token_hash) == token_hash(data.token))
        .with_for_update()
    )
    user = await session.get(User, reset.user_id, with_for_update=True) if reset else None
    if (
        reset is None
        or user is None
        or reset.used_at is not None
        or reset.expires_at <= now
        or reset.generation != user.token_generation
        or not user.is_active
    ):
        raise _bad_token("token", "reset")
    reset.used_at = now
    user.password_hash = await passwords.hash(data.new_password)
    auth_service.revoke_tokens(user)
    session.add_all([reset, user])
    await audit.record(
        session,
        UserActor(user.id or 0),
        action="reset_password",
        obj=user,
        network_id=None,
        after={"id": user.id},
    )


# --- invitations --------------------------------------------------------------------------


async def _holds(session: AsyncSession, network: Network, user_id: int, role: Role) -> bool:
    now = utcnow()
    found = await session.scalar(
        select(col(RoleAssignment.id)).where(
            col(RoleAssignment.network_id) == network.id,
            col(RoleAssignment.user_id) == user_id,
            col(RoleAssignment.role) == role.value,
            col(RoleAssignment.since) <= now,
            (col(RoleAssignment.until).is_(None)) | (col(RoleAssignment.until) > now),
        )
    )
    return found is not None


async def invite_to_role(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    network: Network,
    *,
    data: RoleInvite,
) -> InvitationReceipt:
    """Appoint by e-mail. A person with an account is given the role and told; one without
    is sent an invitation (a pending one for the same role is sent again). The answer is the
    same in every case, so it tells the chair nothing about who has an account."""
    policy.require_role_change(principal, network, data.role)
    role_kinds.check_functions(data.role, data.functions)
    assert network.id is not None
    email = data.email.lower()
    inviter = principal.name or "A chair"
    user = await session.scalar(select(User).where(col(User.email) == email))
    if user is not None and user.id is not None:
        if user.is_active and not await _holds(session, network, user.id, data.role):
            await auth_service.appoint(
                session,
                principal,
                network,
                data=RoleCreate(user_id=user.id, role=data.role, functions=data.functions),
            )
            await notify(
                session,
                settings,
                user=user,
                network=network,
                kind=NotificationKind.role_granted,
                title=f"You are now {ROLE_NAMES[data.role.value]} in {network.name}",
                body=f"{inviter} gave you the role.",
                object_type="networks",
                object_id=network.id,
                dedupe_key=f"role_granted:{network.id}:{data.role.value}:{utcnow():%Y%m%d%H%M%S%f}",
            )
    else:
        pending = await session.scalar(
            select(Invitation).where(
                col(Invitation.network_id) == network.id,
                col(Invitation.email) == email,
                col(Invitation.role) == data.role.value,
                col(Invitation.status) == "pending",
            )
        )
        if pending is not None:
            await _send_invitation(session, settings, principal, pending, network, resend=True)
        else:
            token = new_secret()
            invitation = Invitation(
                network_id=network.id,
                email=email,
                role=data.role.value,
                functions=[f.value for f in data.functions],
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
                after=_invitation_snapshot(invitation),
            )
            await _mail_invitation(session, settings, principal, invitation, network, token)
    return InvitationReceipt(email=email, role=data.role, network_id=network.id, status="sent")


def _invitation_snapshot(invitation: Invitation) -> dict[str, Any]:
    return invitation.model_dump(mode="json", exclude={"token_hash"})


async def _mail_invitation(
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
        offer=ROLE_NAMES[invitation.role],
        link=_link(settings, "accept-invitation", token),
        days=settings.invitation_days,
    )


async def _send_invitation(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    invitation: Invitation,
    network: Network,
    *,
    resend: bool,
) -> Invitation:
    """A new link (the old one stops working), a new expiry, and the mail again."""
    before = _invitation_snapshot(invitation)
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
        after=_invitation_snapshot(invitation),
    )
    await _mail_invitation(session, settings, principal, invitation, network, token)
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
    return await _send_invitation(session, settings, principal, invitation, network, resend=True)


async def revoke_invitation(
    session: AsyncSession, principal: Principal, network: Network, invitation: Invitation
) -> None:
    if invitation.status != "pending":
        raise Conflict(f"invitation {invitation.id} is {invitation.status}: nothing to revoke")
    before = _invitation_snapshot(invitation)
    invitation.status = "revoked"
    session.add(invitation)
    await audit.record(
        session,
        principal,
        action="revoke",
        obj=invitation,
        network_id=network.id,
        before=before,
        after=_invitation_snapshot(invitation),
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
        raise _bad_token("token", "invitation")
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
    before = _invitation_snapshot(invitation)
    assignment = RoleAssignment(
        network_id=network.id,
        user_id=user.id,
        role=invitation.role,
        functions=list(invitation.functions),
        since=utcnow(),
        appointed_by_user_id=invitation.invited_by_user_id,
    )
    await audited_create(session, actor, assignment, network_id=network.id)
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
        after=_invitation_snapshot(invitation),
    )
    return user, invitation


# --- notifications ------------------------------------------------------------------------


async def frequencies(
    session: AsyncSession, user_id: int
) -> dict[NotificationKind, EmailFrequency]:
    """Every kind's e-mail setting for a person (the default where none is stored)."""
    rows = await session.execute(
        select(col(NotificationSetting.kind), col(NotificationSetting.email)).where(
            col(NotificationSetting.user_id) == user_id
        )
    )
    stored = {kind: email for kind, email in rows.all()}
    return {
        kind: EmailFrequency(stored.get(kind.value, DEFAULT_FREQUENCY.value))
        for kind in NotificationKind
    }


async def update_settings(
    session: AsyncSession, user_id: int, changes: dict[NotificationKind, EmailFrequency]
) -> dict[NotificationKind, EmailFrequency]:
    for kind, email in changes.items():
        row = await session.get(NotificationSetting, (user_id, kind.value))
        if row is None:
            session.add(NotificationSetting(user_id=user_id, kind=kind.value, email=email.value))
        else:
            row.email = email.value
            session.add(row)
    await session.flush()
    return await frequencies(session, user_id)


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT (for ON CONFLICT DO NOTHING on both databases)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def notify(
    session: AsyncSession,
    settings: Settings,
    *,
    user: User,
    network: Network | None,
    kind: NotificationKind,
    title: str,
    body: str | None,
    object_type: str | None,
    object_id: int | None,
    dedupe_key: str,
    attachments: tuple[mail.Attachment, ...] = (),
) -> bool:
    """Add a notification to a person's feed, once per ``dedupe_key`` (also when two runs
    race: the second finds the first's row), and mail it at once if the person wants that.
    Returns whether it was new."""
    assert user.id is not None
    frequency = (await frequencies(session, user.id))[kind]
    state = {
        EmailFrequency.immediately: "queued",
        EmailFrequency.daily: "digest",
        EmailFrequency.weekly: "digest",
        EmailFrequency.off: "none",
    }[frequency]
    now = utcnow()
    stmt = (
        insert_for(session)(Notification)
        .values(
            user_id=user.id,
            network_id=network.id if network else None,
            kind=kind.value,
            title=title[:300],
            body=body,
            object_type=object_type,
            object_id=object_id,
            dedupe_key=dedupe_key[:200],
            email_state=state,
            created_at=now,
            updated_at=now,
            unread=1,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(col(Notification.id))
    )
    created = (await session.execute(stmt)).scalar_one_or_none()
    if created is None:
        return False
    if state == "queued":
        await mail.enqueue(
            session,
            settings,
            kind="meeting" if attachments else "notification",
            to=user.email,
            user_id=user.id,
            network_id=network.id if network else None,
            network_name=network.name if network else None,
            name=user.name,
            title=title,
            text=body or "",
            attachments=attachments,
        )
    return True


async def list_notifications(
    session: AsyncSession,
    user_id: int,
    *,
    unread_only: bool,
    limit: int,
    cursor: str | None,
    since: datetime | None = None,
) -> tuple[list[Notification], str | None]:
    """A person's feed: unread first, newest first within each."""
    stmt = select(Notification).where(col(Notification.user_id) == user_id)
    if unread_only:
        stmt = stmt.where(col(Notification.unread) == 1)
    sort = Sort(
        (SortKey("unread", Notification.unread, True), SortKey("id", Notification.id, True)),
        kind="feed",
    )
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def mark_read(session: AsyncSession, user_id: int, notification_id: int) -> Notification:
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        raise NotFound(f"notification {notification_id} does not exist or is not visible to you")
    if notification.read_at is None:
        notification.read_at = notification.updated_at = utcnow()
        notification.unread = 0
        session.add(notification)
    return notification


async def mark_all_read(session: AsyncSession, user_id: int) -> int:
    result: Any = await session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.unread) == 1)
        .values(unread=0, read_at=(now := utcnow()), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
