"""What the OpenAPI document says about each operation and schema, beyond its summary.

``app/core/openapi.py`` builds every description from the facts this module gives it (core
knows no domain): who may call the operation (``app/auth/access.py``, built on the policy),
what it changes (the audit events it records and the webhook events they publish,
``app/webhooks/events.py``) and, for some statuses, when it answers them. Example values
come from each domain's ``examples.py``.
"""

from typing import Any

from app.audit.examples import EXAMPLES as AUDIT_EXAMPLES
from app.auth import deps as auth_deps
from app.auth.access import OPERATIONS, Callers, who_may_call
from app.auth.examples import EXAMPLES as AUTH_EXAMPLES
from app.badges.examples import EXAMPLES as BADGE_EXAMPLES
from app.cohorts.examples import EXAMPLES as COHORT_EXAMPLES
from app.communities.examples import EXAMPLES as COMMUNITY_EXAMPLES
from app.core.openapi import OperationFacts
from app.mobility.examples import EXAMPLES as MOBILITY_EXAMPLES
from app.networks.examples import EXAMPLES as NETWORK_EXAMPLES
from app.notifications.examples import EXAMPLES as NOTIFICATION_EXAMPLES
from app.organisations.examples import EXAMPLES as ORGANISATION_EXAMPLES
from app.partnerships.examples import EXAMPLES as PARTNERSHIP_EXAMPLES
from app.plans.examples import EXAMPLES as PLAN_EXAMPLES
from app.programmes.examples import EXAMPLES as PROGRAMME_EXAMPLES
from app.webhooks.events import EVENT_RULES
from app.webhooks.examples import EXAMPLES as WEBHOOK_EXAMPLES

EXAMPLES: dict[str, Any] = {
    **AUTH_EXAMPLES,
    **NETWORK_EXAMPLES,
    **ORGANISATION_EXAMPLES,
    **AUDIT_EXAMPLES,
    **PLAN_EXAMPLES,
    **COMMUNITY_EXAMPLES,
    **COHORT_EXAMPLES,
    **MOBILITY_EXAMPLES,
    **PARTNERSHIP_EXAMPLES,
    **PROGRAMME_EXAMPLES,
    **BADGE_EXAMPLES,
    **WEBHOOK_EXAMPLES,
    **NOTIFICATION_EXAMPLES,
}

Audited = tuple[tuple[str, str], ...]


def _same(records: Audited, ops: str) -> dict[str, Audited]:
    return dict.fromkeys(ops.split(), records)


def _lifecycle(table: str, noun: str, verbs: str = "update delete restore") -> dict[str, Audited]:
    """The operations ``<verb>_<noun>`` of one table, each audited as its verb."""
    return {f"{verb}_{noun}": ((table, verb),) for verb in verbs.split()}


# The audit events (table, action) each writing operation records, as observed by running
# every row of the authorization matrices with an audit recorder (tests/test_operation_docs.py
# checks a sample against the audit trail, and that every write is listed).
RECORDS: dict[str, Audited] = {
    "create_user": (("users", "create"), ("role_assignments", "create")),
    "update_user": (("users", "update"),),
    "change_my_password": (("users", "change_password"),),
    "deactivate_user": (("users", "deactivate"),),
    "reactivate_user": (("users", "activate"),),
    "create_network": (("networks", "create"),),
    **_lifecycle("networks", "network"),
    # A link to a parent (the network's primary parent_id, derived from its links, follows
    # without an event of its own).
    "create_network_parent": (("network_links", "create"),),
    "end_network_link": (("network_links", "end"),),
    # By user id: the role. By e-mail: the role (an existing person) or the invitation (made,
    # or sent again while one is pending).
    "create_network_role": (
        ("role_assignments", "create"),
        ("invitations", "create"),
        ("invitations", "resend"),
    ),
    "confirm_password_reset": (("users", "reset_password"),),
    # Accepting creates the account and grants what was offered: a role, or a community place.
    "accept_invitation": (
        ("users", "create"),
        ("role_assignments", "create"),
        ("community_members", "create"),
        ("invitations", "accept"),
    ),
    "resend_invitation": (("invitations", "resend"),),
    "revoke_invitation": (("invitations", "revoke"),),
    "end_role": (("role_assignments", "end"),),
    "create_network_service_account": (("service_accounts", "create"),),
    "rotate_service_account": (("service_accounts", "rotate"),),
    "revoke_service_account": (("service_accounts", "revoke"),),
    "create_organisation": (("organisations", "create"),),
    **_lifecycle("organisations", "organisation"),
    "create_network_member": (("network_memberships", "create"),),
    "end_membership": (("network_memberships", "end"),),
    "create_network_plan": (("plans", "create"),),
    **_lifecycle("plans", "plan"),
    "create_plan_objective": (("objectives", "create"),),
    **_lifecycle("objectives", "objective"),
    "create_objective_action": (("actions", "create"),),
    **_lifecycle("actions", "action"),
    "create_objective_measure": (("measures", "create"),),
    **_lifecycle("measures", "measure"),
    "create_measure_reading": (("measure_readings", "create"),),
    **_same((("milestones", "create"),), "create_objective_milestone create_action_milestone"),
    **_lifecycle("milestones", "milestone"),
    "create_milestone_evidence": (("milestone_evidence", "create"),),
    "import_network_plan": (("plans", "import"),),
    "create_objective_check_in": (("check_ins", "create"),),
    "create_measure_check_in": (("check_ins", "create"),),
    "close_plan": (("plans", "update"),),
    "copy_plan": (("plans", "create"),),
    "create_network_community": (("communities", "create"),),
    **_lifecycle("communities", "community"),
    # By id: the membership. By e-mail: the membership (an existing person) or the invitation
    # (made, or sent again while one is pending).
    "create_community_member": (
        ("community_members", "create"),
        ("invitations", "create"),
        ("invitations", "resend"),
    ),
    "end_community_member": (("community_members", "end"),),
    "create_community_meeting": (("community_meetings", "create"),),
    **_lifecycle("community_meetings", "meeting"),
    "create_network_cohort": (("cohorts", "create"),),
    **_lifecycle("cohorts", "cohort"),
    "create_cohort_enrolment": (("cohort_enrolments", "create"),),
    "update_enrolment": (("cohort_enrolments", "update"),),
    "withdraw_enrolment": (("cohort_enrolments", "withdraw"),),
    "create_cohort_matching": (("matching_proposals", "create"),),
    # Accepting makes each team a community with its schools as members.
    "accept_cohort_matching": (
        ("matching_proposals", "accept"),
        ("communities", "create"),
        ("community_members", "create"),
    ),
    "create_network_mobility_opportunity": (("mobility_opportunities", "create"),),
    **_lifecycle("mobility_opportunities", "mobility_opportunity"),
    "post_network_mobility_counts": (("mobility_count_batches", "post_counts"),),
    "create_network_partnership": (("partnerships", "create"),),
    **_lifecycle("partnerships", "partnership"),
    "renew_partnership": (("partnerships", "renew"),),
    "create_partner_commitment": (("partner_commitments", "create"),),
    "delete_partner_commitment": (("partner_commitments", "delete"),),
    "create_network_programme": (("programmes", "create"),),
    **_lifecycle("programmes", "programme", "update delete"),
    "create_programme_session": (("programme_sessions", "create"),),
    "create_programme_enrolment": (("programme_enrolments", "create"),),
    "set_session_attendance": (("programme_sessions", "attendance"),),
    "create_programme_evaluation": (("evaluations", "create"),),
    # A named response is audited as itself; an anonymous one as `respond` on the evaluation.
    "create_evaluation_response": (("evaluation_responses", "create"), ("evaluations", "respond")),
    "create_network_webhook": (("webhook_subscriptions", "create"),),
    **_lifecycle("webhook_subscriptions", "webhook"),
    "rotate_webhook_secret": (("webhook_subscriptions", "rotate_secret"),),
    "redeliver_webhook_delivery": (("webhook_deliveries", "redeliver"),),
    "create_badge_proposal": (("badge_proposals", "create"),),
    "update_badge_proposal": (("badge_proposals", "update"),),
    "submit_badge_proposal": (("badge_proposals", "submit"),),
    "reject_badge_proposal": (("badge_proposals", "reject"),),
    "reopen_badge_proposal": (("badge_proposals", "reopen"),),
    # Approving makes the badge network, its chair, a plan from the success measures and the
    # sub-groups as communities, and invites the initial members (by e-mail where an address
    # is known: an invitation, or the member role for an existing account).
    "approve_badge_proposal": (
        ("badge_proposals", "approve"),
        ("networks", "create"),
        ("role_assignments", "create"),
        ("plans", "create"),
        ("objectives", "create"),
        ("measures", "create"),
        ("communities", "create"),
        ("badge_network_invitations", "create"),
        ("invitations", "create"),
    ),
    "create_network_badge": (("badges", "create"),),
    "update_badge": (("badges", "update"),),
    "award_badge": (("badge_awards", "create"),),
    "revoke_award": (("badge_awards", "revoke"),),
    **_same((("badge_awards", "share"),), "replace_award_share_token replace_my_award_share_link"),
    **_same((("badge_endorsements", "create"),), "endorse_badge endorse_issuer"),
    "withdraw_endorsement": (("badge_endorsements", "withdraw"),),
}

# Operations sent with POST that change nothing a reader sees.
CHANGES_NOTHING_POSTS: dict[str, str] = {
    "create_token": "Issues a token and stores nothing but the count of failed log-ins "
    "(for the log-in rate limit).",
    "verify_credential": "Nothing: it only checks the credential.",
    "verify_credential_by_uuid": "Nothing: it only checks the credential.",
    "verify_credential_recipient": "Nothing: it only checks the credential.",
    # The caller's own messaging state: not audited (nobody else's data changes).
    "request_password_reset": "Stores a single-use reset token (hashed) and queues the e-mail "
    "with the link; nothing else, and nothing at all for an address without an account.",
    "read_my_notification": "Marks one of your notifications read.",
    "read_all_my_notifications": "Marks all your unread notifications read.",
    "set_my_notification_settings": "Stores how often you are e-mailed, per kind, and the "
    "language you read content in (`language`).",
    "issue_my_calendar_feed": "Stores a new calendar feed token (hashed); the previous one "
    "stops working.",
    "revoke_my_calendar_feed": "Deletes your calendar feed token; the feed URL stops working.",
}


_TO_SUBSCRIBERS = (
    " to the network's subscriptions (and to its ancestors' that include descendants)."
)

# When an operation answers a status for a reason of its own.
ERRORS: dict[str, dict[str, str]] = {
    "create_token": {
        "400": "The password grant lacks `username` or `password`, or the client-credentials "
        "grant lacks `client_id` or `client_secret` (in the form or as HTTP Basic).",
        "401": "The email and password (or client id and secret) are wrong, or the account is "
        "deactivated or revoked.",
    },
    "endorse_issuer": {
        "409": "The network is not a badge network (only issuers are endorsed), or the "
        "endorser already endorses it (an endorsement not withdrawn).",
        "422": "The body is invalid, names an endorser that does not exist, or names the "
        "endorsed network itself as the endorser (a network may not endorse itself).",
    },
}


def _event_types(records: Audited) -> list[str]:
    seen: list[str] = []
    for key in records:
        for event_type, _ in EVENT_RULES.get(key, []):
            if event_type not in seen:
                seen.append(event_type)
    return seen


def changes(operation_id: str, method: str) -> str | None:
    """The "what it changes" sentence (None when the operation's writes are not known)."""
    if operation_id in CHANGES_NOTHING_POSTS:
        return CHANGES_NOTHING_POSTS[operation_id]
    if method == "get":
        return "Nothing: it only reads."
    records = RECORDS.get(operation_id)
    if records is None:
        return None
    audited = ", ".join(f"`{action}` on `{table}`" for table, action in records)
    events_word = "an audit event" if len(records) == 1 else "audit events"
    sentence = (
        f"Writes in one transaction, with {events_word} ({audited}: who, when, before and "
        "after; read them with `GET /api/v1/audit-events`)."
    )
    events = _event_types(records)
    if len(events) == 1:
        sentence += f" Publishes the webhook event `{events[0]}`{_TO_SUBSCRIBERS}"
    elif events:
        named = ", ".join(f"`{e}`" for e in events)
        sentence += f" Publishes the webhook events {named}, each when it applies,{_TO_SUBSCRIBERS}"
    else:
        sentence += " Publishes no webhook event."
    return sentence


def _dependency_calls(dependant: Any) -> set[Any]:
    calls = set()
    stack = [dependant]
    while stack:
        node = stack.pop()
        if node.call is not None:
            calls.add(node.call)
        stack.extend(node.dependencies)
    return calls


def _owner(path: str) -> str:
    """Whose network a permission is checked on, as the path names it."""
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("_id}"):
            name = segment[1:-4].replace("_", " ")
            return "the network" if name == "network" else f"the {name}'s network"
    return "the network"


def describe(route: Any, operation: dict[str, Any]) -> OperationFacts | None:
    """The facts of one operation, for app/core/openapi.py."""
    operation_id = str(operation.get("operationId", ""))
    method = next(iter(getattr(route, "methods", None) or {"GET"})).lower()
    calls = _dependency_calls(route.dependant)
    people_only = auth_deps.current_user in calls or auth_deps.current_admin in calls
    who = who_may_call(operation_id, _owner(route.path_format), people_only=people_only)
    what = changes(operation_id, method)
    if who is None or what is None:
        return None
    errors: dict[str, str] = dict(ERRORS.get(operation_id, {}))
    access = OPERATIONS[operation_id]
    if access.permission is not None:
        errors["403"] = (
            f"You can see {_owner(route.path_format)}, but your role there does not grant "
            f"`{access.permission.value}`."
        )
    elif access.callers is Callers.admin:
        errors["403"] = "You are not a platform admin."
    return OperationFacts(who=who, changes=what, errors=errors)
