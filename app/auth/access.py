"""Who may call each operation, in words, for the OpenAPI descriptions.

The rules themselves live in ``app/auth/policy.py``; many are applied inside services, where
the route's dependency tree cannot see them. This table names, per operation id, the
permission the operation needs (or, for the few rules that are not one network permission,
the callers in words). The sentence users read is built from ``ROLE_PERMISSIONS`` and
``SCOPE_PERMISSIONS``, so a change of roles changes the documentation with it.
``tests/test_operation_docs.py`` keeps the table true: every operation has an entry, every
entry names an operation, and each entry agrees with the authorization matrices' answers.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.auth.policy import READ_PERMISSIONS, ROLE_PERMISSIONS, SCOPE_PERMISSIONS, Permission


class Callers(StrEnum):
    """Who may call an operation that needs no permission on a network."""

    anyone = "anyone"  # no token needed
    signed_in = "signed_in"  # any valid bearer token
    admin = "admin"  # a platform admin


@dataclass(frozen=True)
class Access:
    """What an operation needs: a permission on the owner's network, or a kind of caller.

    ``partial``: a weaker permission that allows part of the operation (``partial_note`` says
    which part). ``also``: who else may call, in words (a community's lead, the proposer).
    ``callers_text``: the whole sentence, for the rules that are not one permission.
    """

    permission: Permission | None = None
    callers: Callers | None = None
    partial: Permission | None = None
    partial_note: str = ""
    also: str = ""
    callers_text: str = ""
    on: str = ""  # whose network, when the path does not say (e.g. "the parent network")


def _on(permission: Permission, ops: str, **extra: str | Permission) -> dict[str, Access]:
    return {op: Access(permission=permission, **extra) for op in ops.split()}  # type: ignore[arg-type]


def _callers(callers: Callers, ops: str) -> dict[str, Access]:
    return {op: Access(callers=callers) for op in ops.split()}


def _text(text: str, ops: str) -> dict[str, Access]:
    return {op: Access(callers_text=text) for op in ops.split()}


P = Permission
_LEAD = "the community's current `lead` and `facilitator` members who are people"
_PROPOSER = (
    "its proposer, a platform admin and the chair of the parent network it would join "
    "(others get `404`)"
)

OPERATIONS: dict[str, Access] = {
    # --- no network permission -------------------------------------------------------------
    **_callers(
        Callers.anyone,
        "get_health get_readiness create_token get_network_jwks verify_credential "
        "verify_credential_by_uuid verify_credential_recipient get_organisation_jwks "
        "get_award_share_page",
    ),
    **_callers(
        Callers.signed_in,
        "get_me list_networks get_network list_network_children list_network_parents "
        "get_network_link list_role_kinds list_organisations "
        "get_organisation list_measure_sources list_webhook_event_types",
    ),
    **_callers(Callers.admin, "list_users reactivate_user"),
    **_text(
        "A platform admin, for anyone; a network's chair, for a person joining that network "
        "with a role the chair may appoint (`role:appoint`).",
        "create_user",
    ),
    **_text("Every signed-in person, for themselves.", "change_my_password"),
    **_text(
        "A person, for themselves; a platform admin, for anyone (any other user does not exist "
        "for you: `404`).",
        "get_user update_user deactivate_user",
    ),
    **_text(
        "A platform admin for a top-level network; for a child network, the chair of its parent "
        "(`network:manage_children` there).",
        "create_network delete_network restore_network",
    ),
    **_text(
        "The chair of the parent network to join (`network:manage_children` there), or a "
        "platform admin.",
        "create_network_parent",
    ),
    **_text(
        "The chair of the parent network (`network:manage_children` there), the member "
        "network's own chair, leaving it (`network:update` there), or a platform admin.",
        "end_network_link",
    ),
    **_text(
        "Holders of a role in the network or in one of its ancestors (`network:read`), the "
        "chairs of its child networks (the forum's members), and platform admins; to anyone "
        "else it does not exist (`404`).",
        "get_network_chairs_forum",
    ),
    **_text(
        "Decided by the role: a platform admin appoints (or ends) the chair of a top-level "
        "network, a parent network's chair the chair of its child "
        "(`role:appoint_child_chair`), and a network's chair its executives, facilitators "
        "and members (`role:appoint`).",
        "create_network_role end_role",
    ),
    **_text(
        "Any chair or executive (`organisation:write` on their network, which then keeps the "
        "organisation), or a platform admin.",
        "create_organisation",
    ),
    **_text(
        "The network's chair, also for every network below it (`audit:read` is inherited "
        "downwards), or a platform admin; only a platform admin may leave `network_id` out.",
        "list_audit_events",
    ),
    **_text(
        "Every signed-in person: you see your own proposals, and those you may decide on "
        "(as the chair of the parent network, or a platform admin).",
        "list_badge_proposals",
    ),
    **_text("Every signed-in person (the proposal is theirs).", "create_badge_proposal"),
    **_text(
        f"A proposal exists for {_PROPOSER}; they read it.",
        "get_badge_proposal get_badge_proposal_completeness",
    ),
    **_text(
        f"Its proposer, while the proposal is open (it exists only for {_PROPOSER}).",
        "update_badge_proposal submit_badge_proposal reopen_badge_proposal",
    ),
    **_text(
        "The chair of the parent network the badge network would join "
        "(`network:manage_children` there), or a platform admin.",
        "approve_badge_proposal reject_badge_proposal",
    ),
    **_text(
        "Who may read the badge or issuer (a role in its badge network or above it), speaking "
        "for the endorser: for a network, its chair (`network:update` there); for an organisation, "
        "those who keep its record (a chair or executive of its keeping network, "
        "`organisation:write`); a platform admin for either. The same people withdraw it.",
        "endorse_badge endorse_issuer withdraw_endorsement",
    ),
    **_text(
        "The award's earner: the signed-in person whose account it was awarded to "
        "(`user_id`), with or without a role in the badge network. Others who read the "
        "network get `403` (its chair or an executive use `replace_award_share_token`).",
        "replace_my_award_share_link",
    ),
    # --- the network's private data: read ------------------------------------------------
    **_on(
        P.network_read,
        "list_network_roles get_role list_network_members get_membership "
        "list_network_plans get_network_progress get_plan get_plan_tree get_plan_progress "
        "list_plan_milestones list_plan_objectives get_objective list_objective_actions "
        "get_action list_action_status_changes list_objective_measures get_measure "
        "list_measure_readings list_objective_milestones list_action_milestones get_milestone "
        "list_milestone_evidence export_plan list_objective_check_ins list_measure_check_ins "
        "get_plan_translations list_plan_missing_translations "
        "list_network_cohorts get_cohort list_cohort_enrolments get_enrolment "
        "list_cohort_matchings get_cohort_matching "
        "list_network_mobility_opportunities get_mobility_opportunity "
        "list_network_mobility_counts summarise_network_mobility_counts "
        "export_network_mobility_counts "
        "list_network_partnerships get_partnership list_partner_commitments "
        "list_network_programmes get_programme list_programme_sessions "
        "list_programme_enrolments get_session_attendance list_programme_evaluations "
        "get_evaluation get_evaluation_summary "
        "list_network_badges get_badge list_badge_awards get_award get_award_credential "
        "verify_award get_plan_report get_network_report list_badge_endorsements "
        "list_issuer_endorsements get_endorsement_credential",
    ),
    **_on(
        P.network_read,
        "list_network_communities get_community list_community_actions "
        "list_community_members get_community_member list_community_meetings get_meeting "
        "get_community_meetings_calendar",
        also="the community's current members who are people, and holders of a role in a "
        "participating network",
    ),
    **_text(
        "Every signed-in person (not a service account) who reads the evaluation's network "
        "(`network:read`: a role in it or in an ancestor); being enrolled is not required.",
        "create_evaluation_response",
    ),
    # --- writes ---------------------------------------------------------------------------
    **_on(P.network_update, "update_network"),
    **_on(
        P.service_account_manage,
        "list_network_service_accounts create_network_service_account get_service_account "
        "rotate_service_account revoke_service_account",
    ),
    **_on(
        P.organisation_write,
        "update_organisation delete_organisation restore_organisation",
        on="the network that keeps the organisation",
    ),
    **_on(P.membership_write, "create_network_member end_membership"),
    **_on(
        P.plan_write,
        "create_network_plan update_plan delete_plan restore_plan create_plan_objective "
        "update_objective delete_objective restore_objective create_objective_action "
        "delete_action restore_action create_objective_measure update_measure delete_measure "
        "restore_measure create_objective_milestone create_action_milestone delete_milestone "
        "restore_milestone import_network_plan close_plan copy_plan",
    ),
    **_on(
        P.plan_write,
        "update_action update_milestone",
        partial=P.progress_record,
        partial_note="a body that changes the status alone",
    ),
    **_on(
        P.progress_record,
        "create_measure_reading create_milestone_evidence create_objective_check_in "
        "create_measure_check_in",
    ),
    **_on(
        P.community_write,
        "create_network_community update_community delete_community restore_community "
        "create_network_cohort update_cohort delete_cohort restore_cohort "
        "create_cohort_enrolment update_enrolment withdraw_enrolment create_cohort_matching "
        "accept_cohort_matching",
        on="the home network",
    ),
    **_on(
        P.community_write,
        "create_community_member end_community_member create_community_meeting "
        "update_meeting delete_meeting restore_meeting",
        also=_LEAD,
        on="the community's home network",
    ),
    **_on(
        P.progress_record,
        "create_network_mobility_opportunity update_mobility_opportunity "
        "delete_mobility_opportunity restore_mobility_opportunity",
    ),
    **_on(P.mobility_write, "post_network_mobility_counts"),
    **_on(
        P.plan_write,
        "create_network_partnership update_partnership delete_partnership restore_partnership "
        "renew_partnership create_partner_commitment delete_partner_commitment "
        "create_network_programme update_programme delete_programme create_programme_session "
        "create_programme_enrolment set_session_attendance create_programme_evaluation",
    ),
    **_on(
        P.webhook_manage,
        "list_network_webhooks create_network_webhook get_webhook update_webhook "
        "delete_webhook restore_webhook rotate_webhook_secret list_webhook_deliveries "
        "redeliver_webhook_delivery",
    ),
    **_on(
        P.plan_write,
        "create_network_badge update_badge award_badge revoke_award replace_award_share_token",
        on="the badge network (made when its onboarding proposal was approved)",
    ),
    # --- messaging: invitations, the caller's own feed and calendar, links sent by e-mail --
    **_on(
        P.invitation_manage,
        "list_network_invitations resend_invitation revoke_invitation",
    ),
    **_text(
        "Every signed-in person (not a service account), for themselves.",
        "list_my_notifications read_my_notification read_all_my_notifications "
        "get_my_notification_settings set_my_notification_settings "
        "issue_my_calendar_feed revoke_my_calendar_feed",
    ),
    **_callers(
        Callers.anyone,
        "request_password_reset confirm_password_reset accept_invitation get_personal_calendar",
    ),
}

_ROLE_ORDER = list(ROLE_PERMISSIONS)


def roles_with(permission: Permission) -> list[str]:
    """The roles that grant ``permission``, strongest first."""
    return [role.value for role in _ROLE_ORDER if permission in ROLE_PERMISSIONS[role]]


def _role_list(roles: list[str]) -> str:
    named = [f"an {r}" if r[0] in "aeiou" else f"a {r}" for r in roles]
    named[0] = "the " + roles[0] if roles[0] == "chair" else named[0]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def _scopes_with(permission: Permission) -> list[str]:
    return sorted(scope for scope, perms in SCOPE_PERMISSIONS.items() if permission in perms)


def who_may_call(operation_id: str, owner: str, *, people_only: bool) -> str | None:
    """The "who may call" sentence of an operation (None when the table does not know it).

    ``owner``: whose network the permission is checked on, as the path names it ("the
    network", "the plan's network"); ``people_only``: the route refuses service accounts.
    """
    access = OPERATIONS.get(operation_id)
    if access is None:
        return None
    if access.callers_text:
        return access.callers_text
    if access.callers is Callers.anyone:
        return "Anyone: no token is needed."
    if access.callers is Callers.admin:
        return "A platform admin."
    if access.callers is Callers.signed_in:
        if people_only:
            return "Every signed-in person (not a service account)."
        return "Every caller with a valid token: a signed-in person or a service account."
    assert access.permission is not None
    permission = access.permission
    network = access.on or owner
    if permission in READ_PERMISSIONS:
        sentence = (
            f"Holders of any role that grants `{permission.value}` "
            f"({_role_list(roles_with(permission))}) in {network} or in one of its "
            "ancestors, and platform admins; to anyone else it does not exist (`404`)."
        )
    else:
        sentence = (
            f"{_role_list(roles_with(permission)).capitalize()} of {network} itself "
            f"(`{permission.value}`; a role in an ancestor network only reads), or a platform "
            "admin."
        )
    if access.partial is not None:
        sentence += (
            f" For {access.partial_note}, `{access.partial.value}` is enough: "
            f"{_role_list(roles_with(access.partial))} too."
        )
    scopes = _scopes_with(permission)
    if scopes:
        named = ", ".join(f"`{s}`" for s in scopes)
        sentence += f" A service account of that network may call it with the scope {named}."
    if access.also:
        sentence += f" Also {access.also}."
    return sentence
