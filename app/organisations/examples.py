"""Example values for organisations: the West Partnership's critical friend (docs/seeds)."""

from typing import Any

from app.core.examples import record

EXAMPLES: dict[str, Any] = {
    "OrganisationRead": {
        **record(23, version=2, created="2026-06-10", updated="2026-09-02", deleted=False),
        "name": "University of Glasgow, Robert Owen Centre",
        "kind": "research_centre",
        "owner_network_id": 6,
        "country": "GB",
        "region": "Scotland",
        "local_authority": "Glasgow City",
        "erasmus_oid": None,
        "pic": None,
        "website": None,
        "description": "Critical friend to the Collaborative Learning Networks workstream: "
        "attends its meetings and helps quality-assure the impact of collaborative projects.",
    },
    "MembershipRead": {
        "id": 31,
        "version": 1,
        "updated_at": "2026-06-10T14:05:00Z",
        "network_id": 6,
        "organisation_id": 23,
        "joined_on": "2019-05-01",
        "left_on": None,
        "note": "Research partner for the Collaborative Learning Networks.",
    },
}
