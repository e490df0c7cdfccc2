"""Example values for partnerships: the West Partnership's with the Robert Owen Centre as
critical friend (docs/seeds)."""

from typing import Any

from app.core.examples import record

_CONTACT = {"name": "Robert Owen Centre team", "email": None, "role": "Critical friend"}

EXAMPLES: dict[str, Any] = {
    "ContactRead": _CONTACT,
    "PartnershipRead": {
        **record(5, version=2, created="2026-04-01", updated="2026-06-30", deleted=False),
        "network_id": 6,
        "organisation_id": 23,
        "organisation_kind": "research_centre",
        "sector": "public",
        "direction": "external",
        "scope": "regional",
        "purposes": ["critical_friend", "research"],
        "description": "Attends the CLN workstream meetings as a critical friend and helps "
        "quality-assure the impact of collaborative learning projects.",
        "start_on": "2026-05-01",
        "end_on": "2027-06-30",
        "review_on": "2027-01-31",
        "status": "active",
        "stored_status": "active",
        "contact": _CONTACT,
        "agreement_reference": None,
    },
    "CommitmentRead": {
        **record(11, created="2026-05-02"),
        "partnership_id": 5,
        "objective_id": 64,
        "action_id": None,
        "plan_id": 9,
        "plan_title": "Collaborative Learning Networks Outcome Planner 2026-27",
        "objective_code": "3",
        "role": "Plan methods of quality assurance to measure the impact of collaborative "
        "learning projects.",
    },
}
