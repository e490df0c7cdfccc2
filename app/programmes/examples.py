"""Example values for programmes: the West Partnership's professional learning programme for
strategic leaders, delivered with the Robert Owen Centre (docs/seeds)."""

from typing import Any

from app.core.examples import record

_QUESTION = {
    "key": "confidence",
    "text": "How confident are you in leading a collaborative learning project?",
    "kind": "likert_1_5",
}

EXAMPLES: dict[str, Any] = {
    "ProgrammeRead": {
        **record(2, created="2026-04-10", deleted=False),
        "network_id": 6,
        "title": "Leading collaborative learning networks",
        "audience": "strategic_leaders",
        "description": "Professional learning for strategic leaders promoting across-school "
        "collaborative learning networks.",
        "partnership_ids": [5],
        "cohort_id": 3,
    },
    "SessionRead": {
        **record(7, created="2026-04-10"),
        "programme_id": 2,
        "held_on": "2027-02-15",
        "mode": "in_service_day",
        "title": "Analysing data to inform decisions and demonstrate impact",
    },
    "ProgrammeEnrolmentRead": {
        **record(44, created="2026-05-03"),
        "programme_id": 2,
        "user_id": 19,
        "organisation_id": None,
        "enrolled_on": "2026-05-03",
    },
    "AttendanceRead": {"session_id": 7, "enrolment_ids": [44, 45, 48]},
    "QuestionRead": _QUESTION,
    "EvaluationRead": {
        **record(3, created="2026-05-01"),
        "programme_id": 2,
        "title": "Participant feedback: end of programme",
        "phase": "post",
        "questions": [
            _QUESTION,
            {"key": "comments", "text": "What made the biggest difference?", "kind": "free_text"},
        ],
    },
    "ResponseRead": {
        "id": 90,
        "created_at": "2027-06-20T15:10:00Z",
        "evaluation_id": 3,
        "user_id": None,
        "anonymous": True,
        "answers": {"confidence": 4, "comments": "Observing practice in a partner school."},
    },
}
