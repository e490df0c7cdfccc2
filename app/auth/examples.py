"""Example values for people, roles and service accounts (roles from Victoria's FISO networks
and the Network of Networks, docs/seeds)."""

from typing import Any

from app.core.examples import record, stamp

EXAMPLES: dict[str, Any] = {
    "UserRead": {
        **record(2, version=2, created="2026-06-02", updated="2026-09-01"),
        "email": "aoife.brennan@kerrycollege.example",
        "name": "Aoife Brennan",
        "is_active": True,
        "is_admin": False,
    },
    "RoleRead": {
        "id": 9,
        "version": 1,
        "updated_at": stamp("2026-06-02"),
        "network_id": 1,
        "user_id": 2,
        "role": "improvement_leader",
        "functions": ["connector", "challenge_partner"],
        "since": stamp("2026-06-02"),
        "until": None,
        "term_ends_on": None,
        "deputy_of": None,
        "succeeded": 5,
        "appointed_by_user_id": 1,
        "ended_by_user_id": None,
    },
    "ServiceAccountRead": {
        **record(3, created="2026-10-05"),
        "network_id": 4,
        "name": "Mobility register import (Irish regional network)",
        "client_id": "sa_4f1c2e9b7d3a",
        "scopes": ["mobility:write"],
        "is_active": True,
    },
}


_CONNECTOR = {
    "name": "connector",
    "title": "Connector",
    "description": "Broker relationships to help a network nurture its strengths, bridge areas "
    "of development and pursue greater opportunities.",
    "could": [
        "connect networks with experts in education who can contribute to the network's objectives"
    ],
}
EXAMPLES["FunctionRead"] = _CONNECTOR
EXAMPLES["RoleKindRead"] = {
    "kind": "improvement_leader",
    "title": "Senior education improvement leader (SEIL)",
    "summary": "A conduit who plays an important role in facilitating, connecting, integrating "
    "and challenging to ensure effective network practice.",
    "duties": ["ensure the network focuses on implementing the FISO"],
    "functions": [_CONNECTOR],
    "permissions": ["mobility:write", "network:read", "progress:record"],
}
