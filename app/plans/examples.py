"""Example values for the plan schemas, from the Networks of Networks action plan and the West
Partnership's Collaborative Learning Networks outcome planner (docs/seeds)."""

from typing import Any

from app.core.examples import record, stamp

PLAN_ID = 7
OBJECTIVE_ID = 41
ACTION_ID = 118
MEASURE_ID = 203
MILESTONE_ID = 95

_OBJECTIVE_4 = (
    "Provide international experience for students to prepare for future employment opportunities"
)
_CHAIR = {"kind": "user", "id": 2, "name": "Aoife Brennan"}

_MEASURE_BODY: dict[str, Any] = {
    "description": "Minimum 25 x staff mobilities per annum.",
    "kind": "numeric",
    "target": {"comparator": "at_least", "value": 25, "unit": "mobilities", "period": "per_annum"},
    "update_frequency": "termly",
}

_MILESTONE: dict[str, Any] = {
    **record(MILESTONE_ID, version=2, created="2026-09-03", updated="2026-11-28", deleted=False),
    "plan_id": PLAN_ID,
    "objective_id": OBJECTIVE_ID,
    "action_id": ACTION_ID,
    "title": "Internationalisation working group holds its first meeting",
    "due": "January 2027",
    "due_on": "2027-01-31",
    "due_precision": "month",
    "status": "pending",
    "achieved_on": None,
    "is_overdue": False,
    "position": 1,
    "copied_from_id": None,
}

_FI_TITLE = "Network of Networks -verkoston toimintasuunnitelma 2026-27"
_TITLE = "Networks of Networks Action Plan 2026-27"
_OBJECTIVE_1 = (
    "To maintain a coherent and vibrant network in the long-term, through sustained strategic "
    "cooperation between network members."
)

EXAMPLES: dict[str, Any] = {
    "PlanTranslations": {
        "plan_id": PLAN_ID,
        "plan_title": _TITLE,
        "default_language": "en",
        "languages": ["en", "fi"],
        "items": [
            {
                "kind": "plan",
                "id": PLAN_ID,
                "objective_code": None,
                "position": None,
                "label": _TITLE,
                "version": 5,
                "fields": {"title": {"en": _TITLE, "fi": _FI_TITLE}, "aim": {}},
            },
            {
                "kind": "objective",
                "id": OBJECTIVE_ID,
                "objective_code": "1",
                "position": 0,
                "label": _OBJECTIVE_1,
                "version": 2,
                "fields": {
                    "title": {"en": _OBJECTIVE_1},
                    "description": {},
                    "responsible_group": {"en": "Network of Networks Steering Committee."},
                    "role_of_partners": {},
                },
            },
        ],
    },
    "PlanMissingTranslations": {
        "plan_id": PLAN_ID,
        "plan_title": _TITLE,
        "default_language": "en",
        "languages": ["en", "fi"],
        "missing_by_language": {"fi": 2},
        "complete": False,
        "items": [
            {
                "kind": "objective",
                "id": OBJECTIVE_ID,
                "objective_code": "1",
                "position": 0,
                "label": _OBJECTIVE_1,
                "field": field,
                "language": "fi",
                "text": text,
            }
            for field, text in (
                ("title", _OBJECTIVE_1),
                ("responsible_group", "Network of Networks Steering Committee."),
            )
        ],
    },
    "PlanRead": {
        **record(PLAN_ID, version=4, created="2026-08-28", updated="2026-11-12", deleted=False),
        "network_id": 1,
        "title": "Networks of Networks Action Plan 2026-27",
        "aim": "Bring coherence, and enhance effectiveness and efficiency, across the regional "
        "VET college networks of the alliance.",
        "period_start": "2026-09-01",
        "period_end": "2027-08-31",
        "status": "active",
        "copied_from_id": 3,
        "closed_at": None,
    },
    "ObjectiveRead": {
        **record(
            OBJECTIVE_ID, version=2, created="2026-08-28", updated="2026-10-02", deleted=False
        ),
        "plan_id": PLAN_ID,
        "parent_id": 38,
        "code": "4",
        "kind": "objective",
        "title": _OBJECTIVE_4,
        "description": None,
        "position": 1,
        "workstreams": ["Internationalisation"],
        "responsible_group": "International Cooperation Thematic Working Group",
        "responsible_community_id": 12,
        "role_of_partners": "Regional network leads nominate colleges for each mobility.",
        "copied_from_id": 17,
    },
    "ActionRead": {
        **record(ACTION_ID, version=3, created="2026-08-28", updated="2026-11-30", deleted=False),
        "plan_id": PLAN_ID,
        "objective_id": OBJECTIVE_ID,
        "description": "Having a thematic working group dedicated to international cooperation, "
        "focusing on virtual or physical mobility opportunities for students at all levels.",
        "status": "in_progress",
        "owner_user_id": None,
        "owner_community_id": 12,
        "owner_text": "International Cooperation Thematic Working Group",
        "start_on": "2026-09-01",
        "due_on": "2027-06-30",
        "position": 1,
        "copied_from_id": 52,
    },
    "MeasureRead": {
        **record(MEASURE_ID, version=5, created="2026-08-28", updated="2026-11-30", deleted=False),
        "plan_id": PLAN_ID,
        "objective_id": OBJECTIVE_ID,
        **_MEASURE_BODY,
        "source": "manual",
        "params": {},
        "position": 1,
        "current_value": 9,
        "status": "at_risk",
        "is_stale": False,
        "last_reading_on": "2026-11-30",
        "copied_from_id": 61,
    },
    "MeasureSourceRead": {
        "name": "mobility_sum",
        "description": "Mobilities recorded in the network's mobility register for the plan's "
        "period.",
        "params_schema": {
            "type": "object",
            "properties": {"participant": {"enum": ["staff", "learner"]}},
        },
    },
    "ReadingRead": {
        "id": 311,
        "measure_id": MEASURE_ID,
        "value": 9,
        "observed_on": "2026-11-30",
        "note": "Nine staff mobilities in the autumn term, six of them virtual.",
        "recorded_at": stamp("2026-12-01", "10:12:00"),
        "recorded_by_kind": "user",
        "recorded_by_id": 5,
    },
    "MilestoneRead": _MILESTONE,
    "PlanMilestoneRead": {
        **_MILESTONE,
        "objective_code": "4",
        "owner": {
            "community": {"id": 12, "name": "International Cooperation Thematic Working Group"},
            "people": [],
            "text": "International Cooperation Thematic Working Group",
        },
        "reason": None,
        "detail": None,
        "days_overdue": None,
    },
    "EvidenceRead": {
        "id": 58,
        "milestone_id": MILESTONE_ID,
        "kind": "note",
        "text": "Launch event at the City Chambers; 34 schools attended.",
        "url": None,
        "evaluation_id": None,
        "recorded_at": stamp("2026-11-28", "16:40:00"),
        "recorded_by_kind": "user",
        "recorded_by_id": 5,
    },
    "StatusChangeRead": {
        "id": 402,
        "from_status": "planned",
        "to_status": "in_progress",
        "note": "The working group met for the first time.",
        "changed_at": stamp("2026-10-02", "11:20:00"),
        "changed_by_kind": "user",
        "changed_by_id": 5,
    },
    "CheckInRead": {
        "id": 77,
        "plan_id": PLAN_ID,
        "objective_id": OBJECTIVE_ID,
        "measure_id": None,
        "rating": "amber",
        "confidence": 4,
        "note": "The group is forming; first meeting planned for January.",
        "recorded_on": "2026-11-30",
        "recorded_at": stamp("2026-11-30", "15:02:00"),
        "recorded_by": _CHAIR,
    },
    # Bodies: what a client sends to create the same objects.
    "PlanCreate": {
        "title": "Networks of Networks Action Plan 2026-27",
        "aim": "Bring coherence, and enhance effectiveness and efficiency, across the regional "
        "VET college networks of the alliance.",
        "period_start": "2026-09-01",
        "period_end": "2027-08-31",
        "status": "draft",
    },
    "ObjectiveCreate": {
        "code": "4",
        "kind": "objective",
        "title": _OBJECTIVE_4,
        "parent_id": 38,
        "workstreams": ["Internationalisation"],
        "responsible_group": "International Cooperation Thematic Working Group",
    },
    "ActionCreate": {
        "description": "Joint online projects for students to collaboratively work on across "
        "the EU using virtual tools e.g. Teams.",
        "owner_text": "International Cooperation Thematic Working Group",
        "due_on": "2027-06-30",
    },
    "MeasureCreate": _MEASURE_BODY,
}
