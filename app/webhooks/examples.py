"""Example values for webhook subscriptions and deliveries (the Network of Networks' plan)."""

from typing import Any

from app.core.examples import record, stamp

EXAMPLES: dict[str, Any] = {
    "EventTypeRead": {
        "type": "milestone.achieved",
        "description": "A milestone's status became `achieved`.",
    },
    "WebhookRead": {
        **record(3, created="2026-09-05", deleted=False),
        "network_id": 1,
        "url": "https://intranet.networkofnetworks.example/hooks/cohesion",
        "description": "Post plan progress to the steering committee's channel.",
        "event_types": ["milestone.achieved", "measure.*"],
        "include_descendants": True,
        "active": True,
        "disabled_reason": None,
        "disabled_at": None,
        "failing_since": None,
    },
    "DeliveryRead": {
        "id": 2201,
        "created_at": stamp("2026-11-28", "16:40:01"),
        "updated_at": stamp("2026-11-28", "16:40:02"),
        "webhook_id": 3,
        "message_id": "msg_2f6c1d7b8a105b0d8a523c1e",
        "event_type": "milestone.achieved",
        "network_id": 1,
        "occurred_at": stamp("2026-11-28", "16:40:00"),
        "status": "delivered",
        "attempts": 1,
        "last_status_code": 204,
        "last_duration_ms": 183,
        "last_error": None,
        "last_attempt_at": stamp("2026-11-28", "16:40:02"),
        "next_attempt_at": None,
        "delivered_at": stamp("2026-11-28", "16:40:02"),
        "payload": {
            "type": "milestone.achieved",
            "data": {
                "id": 95,
                "title": "Internationalisation working group holds its first meeting",
            },
        },
    },
}
