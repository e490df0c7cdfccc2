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
