"""Password resets, invitations, the notification feed and its settings, reminder marks and
personal calendar feeds."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.models import IdMixin, IdType, JSONType, RecordMixin


class PasswordReset(IdMixin, table=True):
    """A password-reset token, kept only as its SHA-256. It works once, until ``expires_at``,
    and only while the person's ``token_generation`` is the one it was issued under (so a
    reset, a password change or a deactivation ends every earlier token)."""

    __tablename__ = "password_resets"

    user_id: int = Field(sa_type=IdType, foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    generation: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Invitation(RecordMixin, table=True):
    """An offer, sent by e-mail to a person without an account: a role in a network, or a
    place in one of its communities (``offer`` names the grant registered in
    ``app/auth/invitations.py``, ``terms`` what exactly it grants). The token is kept only as
    its SHA-256; a resend replaces it."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_network_status", "network_id", "status"),)

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    email: str = Field(max_length=254, index=True)
    offer: str = Field(default="role", sa_type=String(30))
    offer_title: str = Field(default="", max_length=300)
    terms: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    # The role offered (role offers only), for the chair's list.
    role: str | None = Field(default=None, sa_type=String(20), nullable=True)
    functions: list[str] = Field(default_factory=list, sa_type=JSONType)
    token_hash: str = Field(max_length=64, unique=True)
    status: str = Field(default="pending", sa_type=String(10))
    expires_at: datetime = Field(sa_type=UTCDateTime)
    sent_count: int = Field(default=1)
    last_sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    invited_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    accepted_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Notification(IdMixin, table=True):
    """One thing a person is told about. ``dedupe_key`` (kind, item and due period) makes a
    second reminder run, or two at once, add nothing. ``email_state``: ``none`` (no mail),
    ``queued`` (sent at once), ``digest`` (waits for the daily or weekly digest), ``digested``."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        Index("ix_notifications_user_unread", "user_id", "unread", "id"),
        Index("ix_notifications_digest", "email_state", "user_id"),
    )

    user_id: int = Field(sa_type=IdType, foreign_key="users.id")
    network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True
    )
    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)
    body: str | None = Field(default=None, sa_type=Text)
    object_type: str | None = Field(default=None, max_length=50)
    object_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    dedupe_key: str = Field(max_length=200)
    email_state: str = Field(default="none", sa_type=String(10))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # When it last changed (made, or read): incremental sync of the feed (``updated_since``).
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # 1 while unread, 0 once read: the feed lists by (unread, id), both descending.
    unread: int = Field(default=1)


class NotificationSetting(SQLModel, table=True):
    """How a person wants to be e-mailed about one kind of notification."""

    __tablename__ = "notification_settings"

    user_id: int = Field(sa_type=IdType, foreign_key="users.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True)
    email: str = Field(sa_type=String(12))


class ReminderMark(IdMixin, table=True):
    """That a reminder run has handled one item for one kind and due period: the unique key
    makes a second run, a restart or two workers at once publish nothing twice."""

    __tablename__ = "reminder_marks"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "period", name="uq_reminder_marks_item"),
    )

    kind: str = Field(max_length=40)
    object_id: int = Field(sa_type=IdType)
    period: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A person's calendar-feed token (calendar clients cannot send bearer tokens), kept only
    as its SHA-256; issuing a new one or revoking ends the old one."""

    __tablename__ = "calendar_feeds"

    user_id: int = Field(sa_type=IdType, foreign_key="users.id", primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
