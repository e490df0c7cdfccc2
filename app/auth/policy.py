"""The one authorization policy: may this principal do this on this network?

Permissions are data (``ROLE_PERMISSIONS``). A role on a network grants its read permissions
on that network and every descendant, and its write permissions on that network only. A
principal who may not read a network's private data gets ``404`` for it, as if it did not
exist; one who may read but not do gets ``403``.
"""

from collections.abc import Iterable
from dataclasses import InitVar, dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, cast

from sqlalchemy import ColumnElement, false

from app.core.errors import Forbidden, NotFound


class Role(StrEnum):
    chair = "chair"
    executive = "executive"
    facilitator = "facilitator"
    member = "member"


class SeilFunction(StrEnum):
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
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.chair: frozenset(_CHAIR),
    Role.executive: frozenset(_EXECUTIVE),
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

    @property
    def lineage_ids(self) -> list[int]: ...


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
    lineage = network.lineage_ids
    granted: set[Permission] = set()
    for grant in principal.grants:
        if grant.network_id == network.id:
            granted |= ROLE_PERMISSIONS[grant.role]
        elif grant.network_id in lineage:
            granted |= ROLE_PERMISSIONS[grant.role] & READ_PERMISSIONS
    return frozenset(granted)


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
    """Chairs and executives create, edit, delete, restore, import, close and copy plans and
    everything in them."""
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
