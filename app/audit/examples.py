"""Example values for the audit trail (an objective of the Network of Networks plan changing)."""

from typing import Any

from app.core.examples import stamp

EXAMPLES: dict[str, Any] = {
    "AuditEventRead": {
        "id": 5012,
        "occurred_at": stamp("2026-10-02", "11:20:00"),
        "actor_kind": "user",
        "actor_id": 2,
        "network_id": 1,
        "object_type": "objectives",
        "object_id": 41,
        "action": "update",
        "before": {"responsible_group": "Regional Network Leads", "version": 1},
        "after": {
            "responsible_group": "International Cooperation Thematic Working Group",
            "version": 2,
        },
        "request_id": "1f0b6c8e2a4d4f7e9b3c5a7d9e1f3b5c",
    },
}
