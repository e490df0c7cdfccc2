"""Example values for cohorts, enrolments and matching: the West Partnership's CLN cohorts
(docs/seeds)."""

from typing import Any

from app.core.examples import record

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
    "reasons": [{**_PLACEMENT, "organisation_id": i} for i in (71, 74, 79)],
}

EXAMPLES: dict[str, Any] = {
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
