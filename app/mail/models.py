"""The mail outbox: one row per message, written in the transaction of the change that causes
it and sent by the mail worker."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Field

from app.core.db import UTCDateTime, utcnow
from app.core.models import IdMixin, IdType


class MailMessage(IdMixin, table=True):
    """A message to one address. ``content`` (bodies and attachments, as JSON) is encrypted at
    rest, since a message may carry a single-use token; it is emptied once sent.
    ``message_id`` is the ``Message-ID`` header, the same on every attempt."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    message_id: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=40)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    content: str = Field(sa_type=Text)
    network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True, index=True
    )
    status: str = Field(default="pending", sa_type=String(10))
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    first_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    claim_token: str | None = Field(default=None, max_length=40)
