"""Example values for invitations, notifications and calendar feeds (the Victorian communities
of practice: a chair invites an improvement leader; a milestone of the Network of Networks' plan
falls due)."""

from typing import Any

from app.core.examples import stamp

EXAMPLES: dict[str, Any] = {
    "InvitationRead": {
        "id": 14,
        "network_id": 7,
        "email": "improvement.leader@school.vic.example",
        "offer": "role",
        "offer_title": "a facilitator",
        "role": "facilitator",
        "functions": ["connector", "challenge_partner"],
        "status": "pending",
        "expires_at": stamp("2026-12-17", "10:05:00"),
        "sent_count": 1,
        "last_sent_at": stamp("2026-12-03", "10:05:00"),
        "invited_by_user_id": 21,
        "accepted_user_id": None,
        "accepted_at": None,
        "created_at": stamp("2026-12-03", "10:05:00"),
        "updated_at": stamp("2026-12-03", "10:05:00"),
        "version": 1,
    },
    "NotificationRead": {
        "id": 305,
        "kind": "milestone_due_soon",
        "network_id": 1,
        "title": "Milestone 'MoU signed' (objective 1.2) is due on 2026-12-14",
        "body": "Objective 1.2 of the Networks of Networks Action Plan 2026-27: the milestone "
        "'MoU signed' falls due in 11 days.",
        "object_type": "milestones",
        "object_id": 88,
        "created_at": stamp("2026-12-03", "06:00:00"),
        "read_at": None,
        "updated_at": stamp("2026-12-03", "06:00:00"),
    },
    "NotificationSettings": {
        "email": {
            "milestone_due_soon": "immediately",
            "milestone_overdue": "immediately",
            "measure_stale": "weekly",
            "partnership_review": "daily",
            "meeting_upcoming": "immediately",
            "role_granted": "immediately",
            "term_ends_soon": "daily",
        },
        "language": "fi",
    },
    "CalendarFeedRead": {
        "path": "/api/v1/calendar/Qm9vdHN0cmFwIGZlZWQgdG9rZW4gZXhhbXBsZQ.ics",
        "token": "Qm9vdHN0cmFwIGZlZWQgdG9rZW4gZXhhbXBsZQ",
    },
}
