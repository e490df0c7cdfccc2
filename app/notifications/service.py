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

from app.auth import service as auth_service
from app.auth.models import User
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import NotFound, Unprocessable
from app.core.pagination import Sort, SortKey, paginate
from app.core.security import PasswordHasher, new_secret
from app.mail import service as mail
from app.networks.models import Network
from app.notifications.models import (
    Notification,
    NotificationSetting,
    PasswordReset,
)
from app.notifications.schemas import (
    EmailFrequency,
    NotificationKind,
    NotificationSettings,
    NotificationSettingsUpdate,
    PasswordResetConfirm,
)

DEFAULT_FREQUENCY = EmailFrequency.immediately


@dataclass(frozen=True, slots=True)
class UserActor:
    """A person acting without a token (a reset, an accepted invitation), for the audit."""

    actor_id: int
    actor_kind: str = "user"


def token_hash(token: str) -> str:
    """How single-use tokens are kept: their SHA-256 (they are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def link(settings: Settings, page: str, token: str) -> str:
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
        link=link(settings, "reset-password", token),
        minutes=settings.password_reset_minutes,
    )


def bad_token(field: str, what: str) -> Unprocessable:
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
        raise bad_token("token", "reset")
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


async def settings_of(session: AsyncSession, user_id: int) -> NotificationSettings:
    """A person's e-mail settings and the language they read content in."""
    language = await session.scalar(select(col(User.language)).where(col(User.id) == user_id))
    return NotificationSettings(email=await frequencies(session, user_id), language=language)


async def update_settings(
    session: AsyncSession, user_id: int, data: NotificationSettingsUpdate
) -> NotificationSettings:
    """Change the kinds named, and the reading language when it was sent (null clears it)."""
    if "language" in data.model_fields_set:
        await session.execute(
            update(User)
            .where(col(User.id) == user_id)
            .values(language=data.language)
            .execution_options(synchronize_session=False)
        )
    for kind, email in data.email.items():
        row = await session.get(NotificationSetting, (user_id, kind.value))
        if row is None:
            session.add(NotificationSetting(user_id=user_id, kind=kind.value, email=email.value))
        else:
            row.email = email.value
            session.add(row)
    await session.flush()
    return await settings_of(session, user_id)


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
