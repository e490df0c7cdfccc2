"""Example values for communities, their members and meetings: the Network of Networks'
thematic working group and Victoria's communities of practice (docs/seeds)."""

from typing import Any

from app.core.examples import record

_CADENCE = {
    "frequency": "Monthly, and at the annual meeting",
    "duration_minutes": 90,
    "format": "online",
}
EXAMPLES: dict[str, Any] = {
    "CadenceRead": _CADENCE,
    "CommunityRead": {
        **record(12, version=2, created="2026-09-03", updated="2026-10-02", deleted=False),
        "network_id": 1,
        "participating_network_ids": [4, 5],
        "kind": "working_group",
        "title": "International Cooperation Thematic Working Group",
        "focus_area": "Virtual and physical mobility opportunities for students at all levels",
        "purpose": "Share good practice and set up joint online projects for students across "
        "the EU.",
        "status": "active",
        "cadence": _CADENCE,
        "development_plan": "1 x development plan per thematic working group; outcomes "
        "captured at the annual meeting and in one news article a year.",
        "cohort_id": None,
    },
    "MemberRead": {
        **record(88, created="2026-09-03"),
        "community_id": 12,
        "user_id": 5,
        "organisation_id": None,
        "role": "lead",
        "joined_on": "2026-09-03",
        "left_on": None,
        "note": "Regional network lead for internationalisation.",
    },
    "MeetingRead": {
        **record(34, created="2026-10-02", deleted=False),
        "community_id": 12,
        "held_on": "2026-10-01",
        "title": "First meeting of the working group",
        "attendee_user_ids": [5, 9, 14],
        "attendee_names": ["Robert Owen Centre team"],
        "agenda": "Terms of reference; register of mobility opportunities at each EQF level.",
        "notes": "Agreed to collect opportunities from every regional network by December.",
        "evaluative_statements": [
            "Meeting colleagues from other regions gave us three new mobility partners."
        ],
    },
}
