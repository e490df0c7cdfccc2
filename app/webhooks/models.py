"""Webhook subscriptions, their signing secrets, and the delivery outbox."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Field

from app.core.db import UTCDateTime, utcnow
from app.core.models import IdMixin, IdType, JSONType, RecordMixin, SoftDeleteMixin


class WebhookSubscription(RecordMixin, SoftDeleteMixin, table=True):
    """A chair's request to have a network's events POSTed to a URL.

    ``failing_since`` is the time of the first failed attempt since the last success; a
    subscription failing for a day is disabled (``active`` false, with a reason).
    """

    __tablename__ = "webhook_subscriptions"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    url: str = Field(max_length=8000)
    description: str | None = Field(default=None, max_length=300)
    event_types: list[str] = Field(default_factory=list, sa_type=JSONType)
    include_descendants: bool = Field(default=False)
    active: bool = Field(default=True)
    disabled_reason: str | None = Field(default=None, max_length=1000)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class WebhookSecret(IdMixin, table=True):
    """A signing secret of a subscription, kept apart so that no audit snapshot holds it.

    Stored as issued (it must sign); after a rotation the previous one keeps signing until
    ``expires_at`` so receivers can switch without missing a message.
    """

    __tablename__ = "webhook_secrets"

    subscription_id: int = Field(sa_type=IdType, foreign_key="webhook_subscriptions.id", index=True)
    secret: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebhookDelivery(IdMixin, table=True):
    """One event for one subscription: the outbox row, written in the transaction of the
    change, and its delivery log. ``message_id`` is the ``Webhook-Id``, the same on every
    attempt. A worker that claims a row sets ``claimed_until`` (a lease) and ``claim_token``;
    should it die, the row is due again once the lease has passed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
        Index("ix_webhook_deliveries_subscription_updated", "subscription_id", "updated_at"),
    )

    subscription_id: int = Field(sa_type=IdType, foreign_key="webhook_subscriptions.id")
    message_id: str = Field(max_length=40, unique=True)
    event_type: str = Field(max_length=60)
    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    payload: str = Field(sa_type=Text)
    status: str = Field(default="pending", sa_type=String(10))
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Every attempt, claim and redelivery changes the row: the delivery log syncs on this.
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    first_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_status_code: int | None = Field(default=None, nullable=True)
    last_duration_ms: int | None = Field(default=None, nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    claim_token: str | None = Field(default=None, max_length=40)
