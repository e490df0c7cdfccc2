"""The one list of webhook event types, and how an audited write becomes events.

Every write in the codebase goes through ``app.core.audit.record`` with the changed row's table,
the action (create, update, delete, restore, end, …) and before/after snapshots. ``EVENT_RULES``
maps (table, action) to event types; a few events depend on what changed (an action's status,
a milestone reaching ``achieved``). Writes to tables not listed here (users, service accounts,
organisations, cohorts, meetings, partnerships, webhooks themselves…) publish nothing.
docs/webhooks.md repeats this list: keep the two in step (a test compares them).
"""

from collections.abc import Callable, Iterable
from typing import Any

Snapshot = dict[str, Any] | None

# Event type → what it means. The order is the documented order.
EVENT_TYPES: dict[str, str] = {
    "plan.created": "A plan was created (also when imported: `data.imported` has the counts).",
    "plan.updated": "A plan's fields changed.",
    "plan.deleted": "A plan was deleted (restorable).",
    "plan.restored": "A deleted plan was restored.",
    "objective.created": "An objective was added to a plan.",
    "objective.updated": "An objective changed.",
    "objective.deleted": "An objective was deleted.",
    "objective.restored": "A deleted objective was restored.",
    "action.created": "An action was added to an objective.",
    "action.updated": "An action changed (sent with `action.status_changed` when its status did).",
    "action.status_changed": "An action's status changed (`data.status` is the new one).",
    "action.deleted": "An action was deleted.",
    "action.restored": "A deleted action was restored.",
    "measure.created": "A measure of success was added.",
    "measure.updated": "A measure of success changed.",
    "measure.deleted": "A measure of success was deleted.",
    "measure.restored": "A deleted measure was restored.",
    "measure.reading_recorded": "A reading was recorded for a measure.",
    "measure.stale": "A measure's reading is overdue (the daily reminder run, once per period).",
    "milestone.created": "A milestone was added.",
    "milestone.updated": "A milestone changed.",
    "milestone.achieved": "A milestone's status became `achieved`.",
    "milestone.deleted": "A milestone was deleted.",
    "milestone.restored": "A deleted milestone was restored.",
    "milestone.evidence_recorded": "Evidence was recorded for a milestone.",
    "milestone.due_soon": "A pending milestone falls due soon (the daily reminder run, once).",
    "milestone.overdue": "A pending milestone is past its due date (the daily reminder run, once).",
    "network.created": "A network was created (seen by subscriptions on its ancestors).",
    "network.updated": "A network's profile changed.",
    "network.deleted": "A network was deleted.",
    "network.restored": "A deleted network was restored.",
    "role.assigned": "A person was given a role in the network.",
    "role.ended": "A role assignment ended.",
    "member.joined": "An organisation joined the network.",
    "member.left": "An organisation's membership of the network ended.",
    "mobility.counts_posted": "A batch of mobility counts was posted (`data` is the receipt).",
    "mobility.opportunity_created": "A mobility opportunity was published.",
    "mobility.opportunity_updated": "A mobility opportunity changed.",
    "mobility.opportunity_deleted": "A mobility opportunity was deleted.",
    "mobility.opportunity_restored": "A deleted mobility opportunity was restored.",
    "community.created": "A community (working group, community of practice…) was created.",
    "community.updated": "A community changed.",
    "community.deleted": "A community was deleted.",
    "community.restored": "A deleted community was restored.",
    "community.member_joined": "A person or organisation joined a community.",
    "community.member_left": "A person or organisation left a community.",
    "badge.awarded": "A badge was awarded (without the earner's email, salt and identity hash).",
    "badge.revoked": "A badge award was revoked.",
}

Condition = Callable[[Snapshot, Snapshot], bool]


def _always(before: Snapshot, after: Snapshot) -> bool:
    return True


def _changed(field: str) -> Condition:
    def condition(before: Snapshot, after: Snapshot) -> bool:
        return (before or {}).get(field) != (after or {}).get(field)

    return condition


def _became(field: str, value: str) -> Condition:
    def condition(before: Snapshot, after: Snapshot) -> bool:
        return (after or {}).get(field) == value and (before or {}).get(field) != value

    return condition


def _lifecycle(table: str, prefix: str) -> dict[tuple[str, str], list[tuple[str, Condition]]]:
    """create/update/delete/restore of a table as ``<prefix>.created`` … ``.restored``."""
    return {
        (table, action): [(f"{prefix}.{past}", _always)]
        for action, past in (
            ("create", "created"),
            ("update", "updated"),
            ("delete", "deleted"),
            ("restore", "restored"),
        )
    }


# (audited table, audit action) → the event types it publishes, each with a condition on
# (before, after).
EVENT_RULES: dict[tuple[str, str], list[tuple[str, Condition]]] = {
    **_lifecycle("plans", "plan"),
    ("plans", "import"): [("plan.created", _always)],
    **_lifecycle("objectives", "objective"),
    **_lifecycle("actions", "action"),
    ("actions", "update"): [
        ("action.updated", _always),
        ("action.status_changed", _changed("status")),
    ],
    **_lifecycle("measures", "measure"),
    ("measure_readings", "create"): [("measure.reading_recorded", _always)],
    **_lifecycle("milestones", "milestone"),
    ("milestones", "create"): [
        ("milestone.created", _always),
        ("milestone.achieved", _became("status", "achieved")),
    ],
    ("milestones", "update"): [
        ("milestone.updated", _always),
        ("milestone.achieved", _became("status", "achieved")),
    ],
    ("milestone_evidence", "create"): [("milestone.evidence_recorded", _always)],
    # Published by the reminder run (app/notifications/reminders.py).
    ("milestones", "due_soon"): [("milestone.due_soon", _always)],
    ("milestones", "overdue"): [("milestone.overdue", _always)],
    ("measures", "stale"): [("measure.stale", _always)],
    **_lifecycle("networks", "network"),
    ("role_assignments", "create"): [("role.assigned", _always)],
    ("role_assignments", "end"): [("role.ended", _always)],
    ("network_memberships", "create"): [("member.joined", _always)],
    ("network_memberships", "end"): [("member.left", _always)],
    ("mobility_count_batches", "post_counts"): [("mobility.counts_posted", _always)],
    ("mobility_opportunities", "create"): [("mobility.opportunity_created", _always)],
    ("mobility_opportunities", "update"): [("mobility.opportunity_updated", _always)],
    ("mobility_opportunities", "delete"): [("mobility.opportunity_deleted", _always)],
    ("mobility_opportunities", "restore"): [("mobility.opportunity_restored", _always)],
    **_lifecycle("communities", "community"),
    ("community_members", "create"): [("community.member_joined", _always)],
    ("community_members", "end"): [("community.member_left", _always)],
    ("badge_awards", "create"): [("badge.awarded", _always)],
    ("badge_awards", "revoke"): [("badge.revoked", _always)],
}

assert {t for rules in EVENT_RULES.values() for t, _ in rules} == set(EVENT_TYPES)


def event_types_for(table: str, action: str, before: Snapshot, after: Snapshot) -> list[str]:
    """The event types an audited write publishes (none for tables not listed)."""
    return [t for t, condition in EVENT_RULES.get((table, action), []) if condition(before, after)]


PREFIXES = frozenset(t.split(".", 1)[0] for t in EVENT_TYPES)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` names no event type (None when it is valid).

    A pattern is an event type (`plan.created`), a family (`objective.*`) or `*` for all.
    """
    if pattern == "*" or pattern in EVENT_TYPES:
        return None
    if pattern.endswith(".*") and pattern[:-2] in PREFIXES:
        return None
    families = ", ".join(f"{p}.*" for p in sorted(PREFIXES))
    return f"unknown event type {pattern!r}; use one of the documented types, {families} or *"


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether a subscription's ``patterns`` select ``event_type``."""
    family = event_type.split(".", 1)[0] + ".*"
    return any(p in ("*", event_type, family) for p in patterns)
