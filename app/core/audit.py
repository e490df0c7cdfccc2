"""Audit events: every write records who, when, what before and what after, in the same
transaction as the write. The table is append-only (database triggers refuse UPDATE/DELETE)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from asgi_correlation_id import correlation_id
from sqlalchemy import Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.models import IdMixin, IdType, JSONType

# Fields never copied into an audit snapshot.
SECRET_FIELDS = frozenset({"password_hash", "secret_hash", "secret"})


class Actor(Protocol):
    @property
    def actor_kind(self) -> str: ...

    @property
    def actor_id(self) -> int | None: ...


class AuditEvent(IdMixin, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_network", "network_id", "id"),
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_kind: str = Field(sa_type=String(20))
    actor_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    network_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    object_type: str = Field(max_length=50)
    object_id: int = Field(sa_type=IdType)
    action: str = Field(max_length=50)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType, nullable=True)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType, nullable=True)
    request_id: str | None = Field(default=None, max_length=64)


AuditSubscriber = Callable[[AsyncSession, AuditEvent], Awaitable[object]]

# Called with every event, in the event's transaction (the webhooks outbox subscribes here), so
# what a subscriber writes commits or rolls back with the change itself.
_subscribers: list[AuditSubscriber] = []


def subscribe(subscriber: AuditSubscriber) -> None:
    """Have ``subscriber`` called with every audit event from now on (once, however often
    it subscribes)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def snapshot(obj: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a row's columns, without secrets."""
    return obj.model_dump(mode="json", exclude=set(SECRET_FIELDS))


async def record(
    session: AsyncSession,
    actor: Actor,
    *,
    action: str,
    obj: SQLModel,
    network_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for ``obj``; flushes so the object has its id."""
    await session.flush()
    object_id = obj.id  # type: ignore[attr-defined]
    event = AuditEvent(
        actor_kind=actor.actor_kind,
        actor_id=actor.actor_id,
        network_id=network_id,
        object_type=str(obj.__tablename__),
        object_id=object_id,
        action=action,
        before=before,
        after=after if after is not None else snapshot(obj),
        request_id=correlation_id.get(),
    )
    session.add(event)
    for subscriber in _subscribers:
        await subscriber(session, event)
    return event
