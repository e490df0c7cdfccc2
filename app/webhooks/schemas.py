"""Request and response bodies for webhook subscriptions and their delivery log."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.core.pagination import Page
from app.core.resources import SoftDeleteRead
from app.core.schemas import Body, Keep, Url
from app.core.schemas import ShortText as Description
from app.webhooks import events

TargetUrl = Annotated[
    Url,
    Field(
        description="Where events are POSTed: https (http is refused in production), and never "
        "a loopback, private or link-local address.",
        examples=["https://partner.example/hooks/cohesion"],
    ),
]


def _known_pattern(value: str) -> str:
    problem = events.pattern_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


EventPattern = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=60),
    AfterValidator(_known_pattern),
]
EventPatterns = Annotated[
    list[EventPattern],
    Field(
        min_length=1,
        max_length=100,
        description="Event types to receive: a type (`plan.created`), a family (`objective.*`) "
        "or `*` for every type. See `GET /api/v1/webhook-event-types`.",
        examples=[["plan.*", "action.status_changed", "milestone.achieved"]],
    ),
    AfterValidator(_unique),
]


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class WebhookCreate(Body):
    url: TargetUrl
    description: Description | None = Field(default=None, description="What it is for.")
    event_types: EventPatterns
    include_descendants: bool = Field(
        default=False, description="Also receive the events of descendant networks."
    )
    active: bool = Field(default=True, description="Deliver events (false pauses it).")


class WebhookUpdate(Body):
    url: Keep[TargetUrl] = Field(default=None, description="Target URL.")
    description: Description | None = Field(default=None, description="What it is for.")
    event_types: Keep[EventPatterns] = Field(default=None, description="Event types.")
    include_descendants: Keep[bool] = Field(default=None, description="Descendants' events too.")
    active: Keep[bool] = Field(
        default=None, description="true re-enables a disabled subscription; false pauses it."
    )


class SecretRotate(Body):
    keep_previous_hours: int = Field(
        default=24,
        ge=0,
        le=168,
        description="How long messages stay signed with the previous secret too (0: stop now).",
    )


class WebhookRead(SoftDeleteRead):
    network_id: int = Field(description="The network whose events it receives.")
    url: str = Field(description="Target URL.")
    description: str | None = Field(description="What it is for.")
    event_types: list[str] = Field(description="Event types (or families) it receives.")
    include_descendants: bool = Field(description="Receives descendant networks' events too.")
    active: bool = Field(description="Whether events are delivered.")
    disabled_reason: str | None = Field(
        description="Why it was disabled automatically (null unless disabled by failures)."
    )
    disabled_at: datetime | None = Field(description="When it was disabled automatically.")
    failing_since: datetime | None = Field(
        description="First failed attempt since the last success; disabled after 24 hours."
    )


class WebhookWithSecret(WebhookRead):
    secret: str = Field(
        description="The signing secret (`whsec_…`). Shown only in this response: store it now.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class WebhookFilters(BaseModel):
    """Which subscriptions a network's list shows (query parameters)."""

    active: bool | None = Field(default=None, description="Only active (or inactive) ones.")


class WebhookPage(Page[WebhookRead]):
    """A page of webhook subscriptions."""


class DeliveryRead(BaseModel):
    id: int = Field(description="Delivery id.")
    webhook_id: int = Field(description="The subscription it is for.")
    message_id: str = Field(description="The `Webhook-Id` header: the same on every attempt.")
    event_type: str = Field(description="Event type.")
    network_id: int = Field(description="The network the event happened in.")
    occurred_at: datetime = Field(description="When the event happened.")
    status: DeliveryStatus = Field(description="pending, delivered or failed.")
    attempts: int = Field(description="Attempts so far.")
    last_status_code: int | None = Field(description="HTTP status of the last attempt.")
    last_duration_ms: int | None = Field(description="How long the last attempt took.")
    last_error: str | None = Field(description="What went wrong in the last attempt.")
    last_attempt_at: datetime | None = Field(description="When the last attempt was made.")
    next_attempt_at: datetime | None = Field(description="When it is due next (pending).")
    delivered_at: datetime | None = Field(description="When a 2xx was received.")
    created_at: datetime = Field(description="When it was queued.")
    updated_at: datetime = Field(description="When it last changed (attempt, redelivery).")
    payload: dict[str, Any] = Field(description="The body sent: id, type, occurred_at, …")


class DeliveryPage(Page[DeliveryRead]):
    """A page of deliveries, newest first."""


class EventTypeRead(BaseModel):
    type: str = Field(description="Event type.", examples=["action.status_changed"])
    description: str = Field(description="When it is sent.")


class EventTypeList(BaseModel):
    items: list[EventTypeRead] = Field(description="Every event type, in documented order.")
