"""The one authorization policy: may this principal do this on this network?

Permissions are data (``ROLE_PERMISSIONS``). A role on a network grants its read permissions
on that network and every descendant (over the links live now, ``app/auth/graph.py``: a network
in two alliances is read by the chairs of both; the principal carries them as ``inherited``),
and its write permissions on that network only. A principal who may not read a network's
private data gets ``404`` for it, as if it did not exist; one who may read but not do ``403``.

The rules of each domain that go beyond one permission on one network (who runs a community,
who decides a badge-network proposal, ...) are named functions at the end of this module, so
that every permission rule is found here. They take the loaded objects through small
protocols: this module knows no domain package.
"""

from collections.abc import Iterable, Sequence
from dataclasses import InitVar, dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, cast

from sqlalchemy import ColumnElement, false

from app.core.errors import Forbidden, NotFound


class Role(StrEnum):
    chair = "chair"
    executive = "executive"
    # the senior education improvement leader (SEIL, seed 003): was stored as ``facilitator``,
    # whose name clashes with the SEIL's "facilitator" function (migration 0012a)
    improvement_leader = "improvement_leader"
    facilitator = "facilitator"
    member = "member"


class SeilFunction(StrEnum):
    """The functions a role exercises (the SEIL's five, seed 003; ``app/auth/role_kinds.py``)."""

    connector = "connector"
    integrator = "integrator"
    facilitator = "facilitator"
    challenge_partner = "challenge_partner"
    conduit = "conduit"


class Permission(StrEnum):
    # read permissions: inherited by descendant networks
    network_read = "network:read"
    audit_read = "audit:read"
    # write permissions: only on the network the role is held in
    network_update = "network:update"
    network_manage_children = "network:manage_children"
    role_appoint = "role:appoint"
    role_appoint_child_chair = "role:appoint_child_chair"
    membership_write = "membership:write"
    organisation_write = "organisation:write"
    plan_write = "plan:write"
    progress_record = "progress:record"
    community_write = "community:write"
    mobility_write = "mobility:write"
    service_account_manage = "service_account:manage"
    webhook_manage = "webhook:manage"
    # notifications (app/notifications/): list, resend and revoke a network's invitations
    invitation_manage = "invitation:manage"


READ_PERMISSIONS = frozenset({Permission.network_read, Permission.audit_read})

_MEMBER = frozenset({Permission.network_read})
_FACILITATOR = _MEMBER | {Permission.progress_record, Permission.mobility_write}
_EXECUTIVE = _FACILITATOR | {
    Permission.plan_write,
    Permission.community_write,
    Permission.membership_write,
    Permission.organisation_write,
}
_CHAIR = _EXECUTIVE | {
    Permission.audit_read,
    Permission.network_update,
    Permission.network_manage_children,
    Permission.role_appoint,
    Permission.role_appoint_child_chair,
    Permission.service_account_manage,
    Permission.webhook_manage,
    # a network's invitations (appointing by e-mail is decided as by id: ``role:appoint``)
    Permission.invitation_manage,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.chair: frozenset(_CHAIR),
    Role.executive: frozenset(_EXECUTIVE),
    Role.improvement_leader: frozenset(_FACILITATOR),
    Role.facilitator: frozenset(_FACILITATOR),
    Role.member: _MEMBER,
}

# What a service-account scope lets its token do on its one network.
SCOPE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "mobility:write": frozenset({Permission.mobility_write}),
}


class NetworkLike(Protocol):
    @property
    def id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Grant:
    """An active role of the principal in one network."""

    network_id: int
    role: Role


PrincipalKind = Literal["user", "service_account"]


@dataclass(slots=True)
class Principal:
    """Who is calling: a user (with current roles, re-read per request) or a service account.

    Users and service accounts are separate id spaces: service account 7 is not user 7. The
    raw id is therefore not an attribute (``id`` is only a constructor argument; reading
    ``principal.id`` fails under mypy and at run time). Compare the caller with a user column
    only through ``user_id`` (None for a service account), ``is_user_id`` or, in SQL,
    ``user_id_equals``; ``actor_kind`` + ``actor_id`` together name the caller in records.
    """

    kind: PrincipalKind
    id: InitVar[int]
    is_admin: bool = False
    grants: list[Grant] = field(default_factory=list)
    scopes: frozenset[str] = frozenset()
    service_network_id: int | None = None
    name: str = ""
    # network id -> the read permissions passed down to it by roles held above it (the
    # descendants over live links, read with the roles on every request)
    inherited: dict[int, frozenset[Permission]] = field(default_factory=dict)
    _subject_id: int = field(init=False, repr=False)

    def __post_init__(self, id: int) -> None:
        if self.kind not in ("user", "service_account"):
            raise ValueError(f"unknown principal kind {self.kind!r}")
        self._subject_id = id

    @property
    def actor_kind(self) -> str:
        return self.kind

    @property
    def actor_id(self) -> int:
        """The id within ``actor_kind``'s id space: meaningless without the kind."""
        return self._subject_id

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    @property
    def user_id(self) -> int | None:
        """The caller's user id; None for a service account (whose id is no user's)."""
        return self._subject_id if self.kind == "user" else None

    @property
    def service_account_id(self) -> int | None:
        return self._subject_id if self.kind == "service_account" else None

    def is_user_id(self, user_id: int | None) -> bool:
        """Whether the caller is the user ``user_id`` (never true for a service account, nor
        for a missing id)."""
        return user_id is not None and self.kind == "user" and user_id == self._subject_id

    def user_id_equals(self, column: Any) -> ColumnElement[bool]:
        """SQL: ``column`` (a user-id column) names the caller. Always false for a service
        account; never ``column IS NULL`` (which ``column == None`` would be)."""
        if self.kind != "user":
            return false()
        return cast("ColumnElement[bool]", column == self._subject_id)

    def with_grant(self, grant: Grant) -> "Principal":
        """The same caller with one more role (e.g. the chair an approval creates)."""
        return Principal(
            kind=self.kind,
            id=self._subject_id,
            is_admin=self.is_admin,
            grants=[*self.grants, grant],
            inherited=self.inherited,
            scopes=self.scopes,
            service_network_id=self.service_network_id,
            name=self.name,
        )

    @property
    def key(self) -> str:
        """A stable identity string, e.g. ``user:4`` (used to scope idempotency keys)."""
        return f"{self.kind}:{self._subject_id}"

    def roles_in(self, network_id: int) -> set[Role]:
        return {g.role for g in self.grants if g.network_id == network_id}

    def role_network_ids(self) -> set[int]:
        return {g.network_id for g in self.grants}


def permissions_on(principal: Principal, network: NetworkLike) -> frozenset[Permission]:
    """Everything ``principal`` may do on ``network``."""
    if principal.is_admin:
        return frozenset(Permission)
    if not principal.is_user:
        if network.id is not None and network.id == principal.service_network_id:
            perms: set[Permission] = set()
            for scope in principal.scopes:
                perms |= SCOPE_PERMISSIONS.get(scope, frozenset())
            return frozenset(perms)
        return frozenset()
    granted: set[Permission] = set(principal.inherited.get(network.id or 0, ()))
    for grant in principal.grants:
        if grant.network_id == network.id:
            granted |= ROLE_PERMISSIONS[grant.role]
    return frozenset(granted)


def inherited_permissions(role: Role) -> frozenset[Permission]:
    """What a role passes down to every network below its own: its read permissions."""
    return ROLE_PERMISSIONS[role] & READ_PERMISSIONS


def can(principal: Principal, permission: Permission, network: NetworkLike) -> bool:
    return permission in permissions_on(principal, network)


def can_see(principal: Principal, network: NetworkLike) -> bool:
    """Whether the network's private data exists for this principal at all."""
    return Permission.network_read in permissions_on(principal, network)


def authorize(
    principal: Principal, permission: Permission, network: NetworkLike, *, public: bool = False
) -> None:
    """Raise ``NotFound`` when the network is invisible, ``Forbidden`` when not allowed.

    ``public`` says the target is the network's public profile, which every signed-in
    person sees, so a refusal there is always ``403``.
    """
    perms = permissions_on(principal, network)
    if permission in perms:
        return
    if not perms and not (public and principal.is_user):
        raise NotFound(f"network {network.id} does not exist or is not visible to you")
    raise Forbidden(f"your role does not allow {permission.value} on network {network.id}")


def readable_network_ids(principal: Principal) -> Iterable[int] | None:
    """Networks whose private data (and descendants') the principal reads; None means all."""
    if principal.is_admin:
        return None
    return principal.role_network_ids() if principal.is_user else set()


# --- shapes and checks the domain rules share ------------------------------------------------


class TreeNetwork(NetworkLike, Protocol):
    @property
    def parent_id(self) -> int | None: ...


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("only a platform admin may do this")


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def require_read(principal: Principal, network: NetworkLike) -> None:
    """Read a network's private data (404 when it does not exist for the caller)."""
    authorize(principal, Permission.network_read, network)


def require_person(principal: Principal, refusal: str) -> int:
    """Only a person (not a service account), else 403 ``refusal``; answers the user id."""
    if principal.user_id is None:
        raise Forbidden(refusal)
    return principal.user_id


# --- the network tree: networks and the roles held in them ------------------------------------
# Creating, deleting and restoring a network, and appointing or ending its chair, are decided
# one level up (the parent's chair; a platform admin at the top level); other roles by the
# network's own chair.


def require_parent_level(principal: Principal, network_or_parent: NetworkLike | None) -> None:
    """Creating, deleting and restoring a network is decided one level up."""
    if network_or_parent is not None:
        authorize(principal, Permission.network_manage_children, network_or_parent, public=True)
    elif not principal.is_admin:
        raise Forbidden("only a platform admin manages top-level networks")


def require_link_end(principal: Principal, parent: NetworkLike, child: NetworkLike) -> None:
    """Ending a network's membership of a parent: the parent's chair
    (``network:manage_children`` there), the member network's own chair leaving it
    (``network:update`` there), or a platform admin. Adding one is decided one level up, as
    creating a child is (``require_parent_level`` on the new parent)."""
    if can(principal, Permission.network_update, child):
        return
    authorize(principal, Permission.network_manage_children, parent, public=True)


def require_forum_read(principal: Principal, network: NetworkLike, chairs: Iterable[int]) -> None:
    """A network's chairs' forum is read by whoever reads the network (its role holders and
    those above it) and by its members: the chairs of its child networks (404 for others)."""
    if principal.user_id is None or principal.user_id not in set(chairs):
        require_read(principal, network)


def _appoint_permission(role: Role) -> Permission:
    return Permission.role_appoint_child_chair if role is Role.chair else Permission.role_appoint


class _ParentRef:
    """Stands for a network's primary parent when checking who may appoint its chair (a
    write permission, so only a role held in that parent itself counts)."""

    def __init__(self, network: TreeNetwork) -> None:
        self.id = network.parent_id


def _appoint_target(network: TreeNetwork, role: Role) -> NetworkLike:
    """Chairs are appointed from the parent network (or by an admin at the top level)."""
    if role is Role.chair and network.parent_id is not None:
        return _ParentRef(network)
    return network


def require_role_change(principal: Principal, network: TreeNetwork, role: Role) -> None:
    """Who may appoint or end ``role`` in ``network``: see ``authorize`` for 403 vs 404."""
    target = _appoint_target(network, role)
    if role is Role.chair and network.parent_id is None:
        if principal.is_admin:
            return
        if can_see(principal, network):
            raise Forbidden("only a platform admin appoints or ends chairs of top-level networks")
        raise NotFound(f"network {network.id} does not exist or is not visible to you")
    permission = _appoint_permission(role)
    if can(principal, permission, target):
        return
    if can_see(principal, network):
        who = "the parent network's chair" if role is Role.chair else "the network's chair"
        raise Forbidden(f"only {who} or a platform admin may appoint or end a {role.value}")
    raise NotFound(f"network {network.id} does not exist or is not visible to you")


# --- organisations ---------------------------------------------------------------------------
# An organisation's record is kept by one network (or by the platform): its chair or an
# executive (organisation_write there, decided as on the public profile: 403, never 404) or a
# platform admin changes it; a record kept by no network only a platform admin.


def require_organisation_write(principal: Principal, network: NetworkLike) -> None:
    authorize(principal, Permission.organisation_write, network, public=True)


def organisation_keeper_network_ids(principal: Principal) -> set[int] | None:
    """Networks that may keep an organisation the caller creates (those they chair or are an
    executive of); None for a platform admin (no network needed); 403 for anyone else."""
    if principal.is_admin:
        return None
    keepers = {g.network_id for g in principal.grants if g.role in (Role.chair, Role.executive)}
    if not keepers:
        raise Forbidden("only a chair or executive of a network may create organisations")
    return keepers


def require_organisation_keeper(principal: Principal, network: NetworkLike | None) -> None:
    """Change an organisation: a platform admin, or organisation_write on ``network``, the
    live network that keeps it (None when it is kept by none)."""
    if not principal.is_admin:
        if network is None:
            raise Forbidden("only a platform admin may change this organisation")
        require_organisation_write(principal, network)


# --- communities and cohorts ----------------------------------------------------------------
# A community exists for holders of a role in its home network or in any participating network
# (or in an ancestor of one), and for its current members who are people. Managing it (edit,
# close, delete, restore) is community_write on its home network; running it (members,
# meetings) is for those who manage it and its current lead and facilitator members. A cohort
# belongs to one network: reading it is network_read there, writing community_write.

# The CommunityRole values (app/communities/schemas.py) whose members run their community.
COMMUNITY_RUNNING_ROLES = frozenset({"lead", "facilitator"})


class CommunityScope(Protocol):
    @property
    def community(self) -> HasId: ...

    @property
    def network(self) -> NetworkLike: ...

    @property
    def networks(self) -> Sequence[NetworkLike]: ...

    @property
    def member_roles(self) -> frozenset[str]: ...


def can_read_community(principal: Principal, found: CommunityScope) -> bool:
    """Whether the community exists for the caller."""
    return bool(found.member_roles) or any(can_see(principal, n) for n in found.networks)


def can_manage_community(principal: Principal, found: CommunityScope) -> bool:
    """Edit, close, delete and restore the community: community_write on the home network."""
    return can(principal, Permission.community_write, found.network)


def can_run_community(principal: Principal, found: CommunityScope) -> bool:
    """Manage members and meetings: who manages it, and its current lead or facilitator."""
    return can_manage_community(principal, found) or bool(
        found.member_roles & COMMUNITY_RUNNING_ROLES
    )


def require_manage_community(principal: Principal, found: CommunityScope) -> None:
    if not can_manage_community(principal, found):
        raise Forbidden(
            f"only the chair or an executive of network {found.network.id} may change "
            f"community {found.community.id}"
        )


def require_run_community(principal: Principal, found: CommunityScope) -> None:
    if not can_run_community(principal, found):
        raise Forbidden(
            f"only the lead or a facilitator of community {found.community.id}, or the chair or "
            f"an executive of network {found.network.id}, may do this"
        )


def community_readable_network_ids(principal: Principal, found: CommunityScope) -> list[int]:
    """The community's networks whose private data (plans, for one) the caller reads."""
    return [n.id for n in found.networks if n.id is not None and can_see(principal, n)]


def require_community_write(principal: Principal, network: NetworkLike) -> None:
    """Create communities or cohorts in a network, and write a cohort and what is in it."""
    authorize(principal, Permission.community_write, network)


# --- partnerships, programmes, evaluations -------------------------------------------------
# Everything belongs to one network; reading is network_read there, writing (partnerships,
# commitments, programmes, sessions, enrolments, attendance, evaluation forms) is plan_write:
# the chair or an executive. Answering an evaluation is for any person who reads the network.


def require_partnership_write(principal: Principal, network: NetworkLike) -> None:
    authorize(principal, Permission.plan_write, network)


def require_evaluation_answer(principal: Principal, network: NetworkLike) -> int:
    """Answer an evaluation: a person (not a service account) who reads its network; answers
    the caller's user id."""
    require_read(principal, network)
    return require_person(principal, "only a person answers an evaluation")


# --- mobility --------------------------------------------------------------------------------
# The opportunities register is kept by whoever records progress (chair, executive,
# facilitator); counts are posted with mobility_write (those roles, and scripts' service
# accounts with the mobility:write scope).


def require_opportunity_write(principal: Principal, network: NetworkLike) -> None:
    authorize(principal, Permission.progress_record, network)


def require_mobility_count_write(principal: Principal, network: NetworkLike) -> None:
    authorize(principal, Permission.mobility_write, network)


# --- badges ----------------------------------------------------------------------------------
# A proposal exists for its proposer, platform admins and the chair of its parent network
# (network_manage_children there), who decide it. Only people draft proposals; only the
# proposer changes or submits one. Badges and awards are private data of their badge network;
# writing badges and awarding them is for its chair or an executive (the policy has no badge
# permission: plan_write is held by exactly those roles).

BADGE_WRITE = Permission.plan_write


def may_decide_proposal(principal: Principal, parent: NetworkLike | None) -> bool:
    """Platform admins, and the chair of the parent network, approve or reject."""
    if principal.is_admin:
        return True
    return parent is not None and can(principal, Permission.network_manage_children, parent)


def may_see_proposal(
    principal: Principal, proposer_user_id: int | None, parent: NetworkLike | None
) -> bool:
    return principal.is_user_id(proposer_user_id) or may_decide_proposal(principal, parent)


def require_proposal_decider(principal: Principal, parent: NetworkLike | None) -> None:
    if not may_decide_proposal(principal, parent):
        raise Forbidden("only a platform admin or the parent network's chair decides proposals")


def require_proposer(principal: Principal, proposer_user_id: int | None) -> None:
    if not principal.is_user_id(proposer_user_id):
        raise Forbidden("only the proposer may change or submit a proposal")


def proposal_network_ids(principal: Principal) -> list[int] | None:
    """Parent networks whose proposals the caller lists besides their own; None means all."""
    if principal.is_admin:
        return None
    return [g.network_id for g in principal.grants if g.role is Role.chair]


def require_badge_write(principal: Principal, network: NetworkLike) -> None:
    authorize(principal, BADGE_WRITE, network)


def may_see_recipient_email(principal: Principal, network: NetworkLike) -> bool:
    """An award's recipient e-mail is shown to those who write the network's badges."""
    return can(principal, BADGE_WRITE, network)


def require_earner(principal: Principal, earner_user_id: int | None, network: NetworkLike) -> None:
    """Only the award's earner (the account it names); its network's readers get 403."""
    if not principal.is_user_id(earner_user_id):
        authorize(principal, Permission.network_read, network)
        raise Forbidden("only the award's earner may do this")


def require_network_endorser(principal: Principal, endorser: NetworkLike) -> None:
    """Endorsing a badge or an issuer speaks for the endorser: a network's chair (403, never
    404: public profile), an organisation's keepers (below); they also withdraw it."""
    authorize(principal, Permission.network_update, endorser, public=True)


require_organisation_endorser = require_organisation_keeper


# --- webhooks --------------------------------------------------------------------------------
# A network's webhooks are managed by its chair (or an admin): other role holders get 403,
# everyone else 404.


def require_webhook_manage(principal: Principal, network: NetworkLike) -> None:
    authorize(principal, Permission.webhook_manage, network)


# --- plans ----------------------------------------------------------------------------------
# Who may read, change and record progress on a plan and everything in it (objectives,
# actions, measures, readings, milestones, evidence, check-ins). A plan object has no roles of
# its own: every rule is the plan network's permission.

# Fields whose change is progress, which facilitators record, rather than editing the plan.
PLAN_PROGRESS_FIELDS: dict[str, frozenset[str]] = {
    "action": frozenset({"status", "status_note"}),
    "milestone": frozenset({"status", "achieved_on"}),
}


def authorize_plan_read(principal: Principal, network: NetworkLike) -> None:
    """Whoever reads the network's private data reads its plans; anyone else gets ``404``."""
    authorize(principal, Permission.network_read, network)


def authorize_plan_write(principal: Principal, network: NetworkLike) -> None:
    """Chairs and executives create, edit, delete, restore, import, close and copy plans."""
    authorize(principal, Permission.plan_write, network)


def authorize_progress_record(principal: Principal, network: NetworkLike) -> None:
    """Facilitators (and up) record progress: readings, evidence, check-ins."""
    authorize(principal, Permission.progress_record, network)


def plan_edit_permission(kind: str, changed: Iterable[str]) -> Permission:
    """What editing ``changed`` fields of a plan's ``kind`` (action, milestone) needs: recording
    progress when only its progress fields change, writing the plan otherwise."""
    progress_only = set(changed) <= PLAN_PROGRESS_FIELDS.get(kind, frozenset())
    return Permission.progress_record if progress_only else Permission.plan_write


def authorize_plan_edit(
    principal: Principal, network: NetworkLike, kind: str, changed: Iterable[str]
) -> None:
    """Chairs and executives edit a plan's ``kind``; facilitators may change only its progress
    fields (an action's status, a milestone achieved or missed)."""
    authorize(principal, plan_edit_permission(kind, changed), network)
