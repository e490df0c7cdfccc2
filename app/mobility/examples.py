"""Example values for the mobility register: the Network of Networks' opportunities at each
EQF level and its staff mobilities (docs/seeds)."""

from typing import Any

from app.core.examples import record

EXAMPLES: dict[str, Any] = {
    "OpportunityRead": {
        **record(26, created="2026-09-20", deleted=False),
        "network_id": 1,
        "organisation_id": 23,
        "title": "Two-week work placement in hospitality kitchens",
        "description": "Hosted by a member college; accommodation arranged with local families.",
        "eqf_level": 4,
        "participant": "learner",
        "mode": "physical",
        "field_of_study": "Hospitality and catering",
        "places": 6,
        "opens_on": "2026-10-01",
        "closes_on": "2027-01-31",
    },
    "CountRead": {
        "id": 512,
        "created_at": "2026-12-01T09:30:00Z",
        "updated_at": "2026-12-01T09:30:00Z",
        "network_id": 1,
        "period": "2026-11",
        "sending_org_id": 23,
        "receiving_org_id": 27,
        "participant": "staff",
        "mode": "virtual",
        "eqf_level": None,
        "count": 6,
        "source_ref": "erasmus-2026-KA121-0042",
        "batch_id": 38,
    },
}
