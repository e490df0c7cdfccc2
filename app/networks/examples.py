"""Example values for the network schemas, from the Network of Networks alliance (docs/seeds)."""

from typing import Any

from app.core.examples import record

EXAMPLES: dict[str, Any] = {
    "NetworkRead": {
        **record(1, version=3, created="2026-06-02", updated="2026-09-18", deleted=False),
        "name": "Network of Networks",
        "kind": "alliance",
        "parent_id": None,
        "ancestor_ids": [],
        "territory": "Regional VET college networks across the EU and the UK",
        "description": "An alliance of regional VET college networks cooperating on staff and "
        "learner mobility, EU projects and shared good practice.",
        "membership_criteria": "A regional network of VET institutions that commits to the "
        "joint strategy and the annual action plan.",
        "languages": ["en", "fi", "es", "eu"],
        "default_language": "en",
    },
    "NetworkCreate": {
        "name": "Open Badge Networks England",
        "kind": "thematic",
        "parent_id": None,
        "territory": "England",
        "description": "Badge networks helping people in England show their skills to "
        "employers; each badge network joins it when its onboarding canvas is approved.",
    },
}


_LINK = {
    **record(12, version=1, created="2026-06-02", updated="2026-06-02"),
    "child_id": 4,
    "child_name": "Tampere Region Vocational Network",
    "parent_id": 1,
    "parent_name": "Network of Networks",
    "since": "2026-06-02T09:00:00Z",
    "until": None,
    "created_by_user_id": 1,
    "ended_by_user_id": None,
}
EXAMPLES["NetworkLinkRead"] = _LINK
EXAMPLES["NetworkLinkCreate"] = {"parent_id": 7, "since": "2026-09-01T00:00:00Z"}

EXAMPLES["ChairsForum"] = {
    "network_id": 7,
    "network_name": "North-Eastern Victoria Region",
    "seats": [
        {
            "network_id": 8,
            "network_name": "Banyule Network",
            "chairs": [
                {
                    "role_id": 21,
                    "user_id": 9,
                    "name": "Priya Nair",
                    "since": "2022-01-01T00:00:00Z",
                    "term_ends_on": "2024-12-31",
                }
            ],
        },
        {"network_id": 12, "network_name": "Darebin Network", "chairs": []},
    ],
    "vacant": ["Darebin Network"],
}
