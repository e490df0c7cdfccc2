"""Routes for webhook subscriptions (a network's chair), their secrets and delivery log."""

import json
from typing import Annotated

from fastapi import Query, Request, Response, status

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, Collection, ItemRoutes, api_router
from app.core.routing import route_options
from app.core.schemas import LINE_PATTERN
from app.core.state import app_state
from app.core.versioning import IfMatchHeader, check_if_match
from app.webhooks import events, service, targets
from app.webhooks.deps import DeletedWebhook, ManagedWebhook, NetworkForWebhooks, ValidDelivery
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import (
    DeliveryPage,
    DeliveryRead,
    DeliveryStatus,
    EventTypeList,
    EventTypeRead,
    SecretRotate,
    WebhookCreate,
    WebhookFilters,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)

router = api_router(tags=["webhooks"])

WebhookList = Annotated[
    ListQuery,
    list_query(
        {"created_at": WebhookSubscription.created_at, "url": WebhookSubscription.url},
        WebhookSubscription.id,
    ),
]
DeliveryList = Annotated[
    ListQuery,
    list_query({"occurred_at": WebhookDelivery.occurred_at}, WebhookDelivery.id, default="-id"),
]
NO_STORE = "no-store"


def _policy(request: Request) -> targets.TargetPolicy:
    return targets.TargetPolicy.from_settings(app_state(request).settings)


def _with_secret(subscription: WebhookSubscription, secret: str) -> WebhookWithSecret:
    return WebhookWithSecret.model_validate({**subscription.model_dump(), "secret": secret})


def _delivery(delivery: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead.model_validate(
        {
            **delivery.model_dump(exclude={"payload"}),
            "webhook_id": delivery.subscription_id,
            "payload": json.loads(delivery.payload),
        }
    )


@router.get(
    "/webhook-event-types",
    summary="List the event types webhooks can receive",
    responses=responses.problems(401),
)
async def list_webhook_event_types(_: CurrentPrincipal) -> EventTypeList:
    return EventTypeList(
        items=[EventTypeRead(type=t, description=d) for t, d in events.EVENT_TYPES.items()]
    )


webhooks = Collection(router, "/networks/{network_id}/webhooks", "network_webhook", None)
webhooks.scope = NetworkForWebhooks
webhooks.list(
    "List a network's webhook subscriptions (chair)",
    WebhookList,
    WebhookPage,
    service.list_webhooks,
    filters=WebhookFilters,
)


@router.post(
    "/networks/{network_id}/webhooks",
    summary="Subscribe a URL to a network's events (chair)",
    description="The response carries `secret`, shown only here; it signs every delivery "
    "(Standard Webhooks). Idempotency-Key is not offered: replaying would require storing "
    "the response with its secret.",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
@route_options(idempotent=False)
async def create_network_webhook(
    request: Request,
    data: WebhookCreate,
    network: NetworkForWebhooks,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> WebhookWithSecret:
    subscription, secret = await service.create_webhook(
        session, principal, network, data=data, policy=_policy(request)
    )
    tagged(response, subscription, f"/api/v1/webhooks/{subscription.id}")
    response.headers["Cache-Control"] = NO_STORE
    return _with_secret(subscription, secret)


webhook = ItemRoutes(router, "/webhooks/{webhook_id}", "webhook", ManagedWebhook, CurrentPrincipal)
webhook.read, webhook.deleted = WebhookRead, DeletedWebhook
webhook.get(
    "Get a webhook subscription (chair)",
    description="`disabled_reason` says why a subscription was disabled automatically.",
    responses=responses.problems(401, 403, 404, 422),
)


@router.patch(
    "/webhooks/{webhook_id}",
    summary="Update a webhook subscription; active: true re-enables a disabled one",
    response_model=WebhookRead,
    responses=responses.UPDATE,
)
async def update_webhook(
    request: Request,
    data: WebhookUpdate,
    found: ManagedWebhook,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> WebhookSubscription:
    check_if_match(if_match, found.obj.version)
    subscription = await service.update_webhook(
        session, principal, found, data=data, policy=_policy(request)
    )
    return tagged(response, subscription)


webhook.delete("Delete a webhook subscription (restorable)", service.delete_webhook)
webhook.restore("Restore a deleted webhook subscription", service.restore_webhook)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    summary="Issue a new signing secret (shown once)",
    description="Deliveries carry a signature with the previous secret too for "
    "`keep_previous_hours` (default 24), so receivers can switch without missing one.",
    responses=responses.ACTION,
)
@route_options(idempotent=False)
async def rotate_webhook_secret(
    found: ManagedWebhook,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    data: SecretRotate | None = None,
) -> WebhookWithSecret:
    subscription, secret = await service.rotate_secret(
        session, principal, found, data=data or SecretRotate()
    )
    tagged(response, subscription)
    response.headers["Cache-Control"] = NO_STORE
    return _with_secret(subscription, secret)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    summary="The delivery log of a webhook subscription, newest first",
    responses=NESTED_LIST,
)
async def list_webhook_deliveries(
    found: ManagedWebhook,
    session: SessionDep,
    query: DeliveryList,
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    event_type: Annotated[
        str | None, Query(max_length=60, pattern=LINE_PATTERN, description="Only this event type.")
    ] = None,
) -> DeliveryPage:
    result = await service.list_deliveries(
        session, found.obj, status=delivery_status, event_type=event_type, params=query.params
    )
    return query.page(DeliveryPage, result, _delivery)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    summary="Send a delivery again, now, with the same Webhook-Id",
    responses=responses.ACTION,
)
async def redeliver_webhook_delivery(
    found: ManagedWebhook,
    delivery: ValidDelivery,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> DeliveryRead:
    delivery = await service.redeliver(session, principal, found, delivery)
    return _delivery(delivery)
