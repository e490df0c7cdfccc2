"""Example values for communities, cohorts and matching: the Network of Networks' thematic
working group, Victoria's communities of practice and the West Partnership's CLN cohorts
(docs/seeds)."""

from typing import Any

from app.core.examples import record

_CADENCE = {
    "frequency": "Monthly, and at the annual meeting",
    "duration_minutes": 90,
    "format": "online",
}
_PLACEMENT = {
    "organisation_id": 71,
    "shared_topics": ["numeracy"],
    "reason": "Shares numeracy with 2 teammates; the team spans 3 local authorities.",
}
_TEAM: dict[str, Any] = {
    "organisation_ids": [71, 74, 79],
    "score": 0.5,
    "shared_topics": ["numeracy"],
    "local_authorities": ["Glasgow City", "Inverclyde", "Renfrewshire"],
    "reasons": [
        {
            "organisation_id": 71,
            "shared_topics": ["numeracy"],
            "reason": "Shares numeracy with 2 teammates; the team spans 3 local authorities.",
        },
        {
            "organisation_id": 74,
            "shared_topics": ["numeracy"],
            "reason": "Shares numeracy with 2 teammates; the team spans 3 local authorities.",
        },
        {
            "organisation_id": 79,
            "shared_topics": ["numeracy"],
            "reason": "Shares numeracy with 2 teammates; the team spans 3 local authorities.",
        },
    ],
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
    "TargetSizeRead": {"min": 30, "max": 40},
    "CohortRead": {
        **record(3, version=2, created="2026-04-20", updated="2026-05-15", deleted=False),
        "network_id": 6,
        "name": "CLN Cohort 1",
        "description": "Schools matched into collaborative learning teams across authorities.",
        "launch_on": "2026-05-15",
        "end_on": "2027-05-14",
        "target_size": {"min": 30, "max": 40},
        "enrolled": 34,
    },
    "EnrolmentRead": {
        **record(140, created="2026-04-28"),
        "cohort_id": 3,
        "organisation_id": 71,
        "organisation_name": "St Mungo's Primary School",
        "local_authority": "Glasgow City",
        "enquiry": "How can number talks raise confidence in mental arithmetic in P5?",
        "topics": ["numeracy"],
        "enrolled_on": "2026-04-28",
        "withdrawn_on": None,
    },
    "PlacementRead": _PLACEMENT,
    "TeamRead": _TEAM,
    "MatchingProposalRead": {
        **record(9, created="2026-05-10"),
        "cohort_id": 3,
        "min_size": 3,
        "max_size": 4,
        "status": "proposed",
        "teams": [_TEAM],
        "summary": {
            "schools": 34,
            "teams": 10,
            "size_distribution": {"3": 6, "4": 4},
            "mean_topic_overlap": 0.42,
            "teams_with_shared_topic": 9,
            "cross_authority_teams": 8,
            "single_authority_teams": 2,
            "cross_authority_share": 0.8,
            "cross_authority_possible": True,
        },
        "community_ids": [],
        "accepted_at": None,
        "accepted_by_user_id": None,
    },
}
