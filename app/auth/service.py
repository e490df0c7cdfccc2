"""Accounts, credentials, principals and role assignments."""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.auth import graph, policy, role_kinds
from app.auth.models import Network, RoleAssignment, ServiceAccount, User
from app.auth.policy import Grant, Permission, Principal, Role
from app.auth.schemas import (
    PasswordChange,
    RoleCreate,
    RoleEnd,
    ServiceAccountCreate,
    Succession,
    UserCreate,
    UserUpdate,
)
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.core.filters import WithEnded
from app.core.resources import (
    ListParams,
    PageResult,
    Scoped,
    audited_create,
    audited_end,
    audited_update,
    fetch_page,
)
from app.core.security import PasswordHasher, new_secret


async def get_network(
    session: AsyncSession, network_id: int, *, deleted: bool = False
) -> Network | None:
    """The network (a live one, or with ``deleted`` a deleted one), or None."""
    network = await session.get(Network, network_id)
    if network is None or (network.deleted_at is not None) != deleted:
        return None
    return network


async def get_network_or_404(session: AsyncSession, network_id: int) -> Network:
    """A live network, or 404."""
    network = await get_network(session, network_id)
    if network is None:
        raise NotFound(f"network {network_id} does not exist or is not visible to you")
    return network


def active_role_clause(now: datetime) -> Any:
    return and_(
        col(RoleAssignment.since) <= now,
        or_(col(RoleAssignment.until).is_(None), col(RoleAssignment.until) > now),
    )


async def load_principal(
    session: AsyncSession, claims: dict[str, Any], *, network_id: int | None = None
) -> Principal | None:
    """The caller named by verified token claims, with roles read now; None if gone.

    ``network_id`` (the request path's network) is loaded into the session in the same
    round trip for a user; see ``_user_principal_statement``."""
    kind, _, raw_id = str(claims["sub"]).partition(":")
    if not raw_id.isdigit() or len(raw_id) > 19:
        return None
    subject_id = int(raw_id)
    if kind == "user":
        return await _load_user_principal(
            session, subject_id, network_id, generation=claims.get("gen", 0)
        )
    if kind == "sa":
        account = await session.get(ServiceAccount, subject_id)
        if account is None or not account.is_active or claims.get("gen") != account.generation:
            return None
        return Principal(
            kind="service_account",
            id=subject_id,
            scopes=frozenset(account.scopes),
            service_network_id=account.network_id,
            name=account.name,
        )
    return None


def _user_principal_statement(*, with_network: bool) -> Any:
    """User and current roles (roles on deleted networks do not count), built once: the
    statement is the same on every request, only ``user_id`` and ``now`` change.

    ``with_network`` adds the network named by the request's path (``network_id``) as an ORM
    entity on every row, so a network-scoped request reads principal, roles and its network
    in one round trip; the network then waits in the session's identity map, where the
    route's loader finds it without a query."""
    now: Any = bindparam("now")
    active = and_(
        col(RoleAssignment.since) <= now,
        or_(col(RoleAssignment.until).is_(None), col(RoleAssignment.until) > now),
    )
    role_network = aliased(Network, name="role_network")
    # Every network below each role's network over the links live now, in the same round trip:
    # the read permissions a role passes down (one row per role and network below it).
    held: Any = select(
        col(RoleAssignment.network_id).label("root"), col(RoleAssignment.network_id).label("id")
    ).where(col(RoleAssignment.user_id) == bindparam("user_id"), active)
    below = graph.reach(held, now=now, name="below")
    stmt: Any = (
        select(
            col(User.is_active),
            col(User.is_admin),
            col(User.token_generation),
            col(User.name),
            col(role_network.id).label("network_id"),
            col(RoleAssignment.role),
            below.c.id.label("below_id"),
        )
        .select_from(User)
        .outerjoin(RoleAssignment, and_(col(RoleAssignment.user_id) == col(User.id), active))
        .outerjoin(
            role_network,
            and_(
                col(role_network.id) == col(RoleAssignment.network_id),
                col(role_network.deleted_at).is_(None),
            ),
        )
        .outerjoin(below, and_(below.c.root == col(role_network.id), below.c.id != below.c.root))
    )
    if with_network:
        path_network = aliased(Network, name="path_network")
        stmt = stmt.add_columns(path_network).outerjoin(
            path_network, col(path_network.id) == bindparam("network_id")
        )
    return stmt.where(col(User.id) == bindparam("user_id"))


USER_PRINCIPAL = _user_principal_statement(with_network=False)
USER_PRINCIPAL_AND_NETWORK = _user_principal_statement(with_network=True)


async def _load_user_principal(
    session: AsyncSession, user_id: int, network_id: int | None, *, generation: Any
) -> Principal | None:
    """User and current roles in one round trip, on every request (a revoked role, a
    deactivated account or a token of an earlier ``token_generation`` takes effect at once;
    a token without ``gen`` is of generation 0). Without a path network it runs as a Core
    statement on the session's connection: no ORM bookkeeping on the hottest path."""
    params = {"user_id": user_id, "now": utcnow()}
    if network_id is None:
        conn = await session.connection()
        rows: Any = (await conn.execute(USER_PRINCIPAL, params)).all()
    else:
        rows = (
            await session.execute(USER_PRINCIPAL_AND_NETWORK, {**params, "network_id": network_id})
        ).all()
    if not rows or not rows[0].is_active:
        return None
    if type(generation) is not int or generation != rows[0].token_generation:
        return None
    if network_id is not None:
        # The session's identity map holds objects weakly: keep the path network alive until
        # the route's loader asks for it.
        session.info["path_network"] = rows[0].path_network
    grants = list(
        dict.fromkeys(Grant(r.network_id, Role(r.role)) for r in rows if r.network_id is not None)
    )
    inherited: dict[int, frozenset[Permission]] = {}
    for r in rows:
        if r.below_id is not None:
            passed = policy.inherited_permissions(Role(r.role))
            inherited[r.below_id] = inherited.get(r.below_id, frozenset()) | passed
    return Principal(
        kind="user",
        id=user_id,
        is_admin=rows[0].is_admin,
        grants=grants,
        inherited=inherited,
        name=rows[0].name,
    )


async def authenticate_user(
    session: AsyncSession, passwords: PasswordHasher, email: str, password: str
) -> User:
    """The active user with these credentials, or 401."""
    user = await session.scalar(select(User).where(col(User.email) == email.strip().lower()))
    valid = await passwords.verify(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise Unauthorized("wrong email or password, or the account is deactivated")
    return user


async def authenticate_client(
    session: AsyncSession, passwords: PasswordHasher, client_id: str, secret: str
) -> ServiceAccount:
    """The active service account with these credentials, or 401."""
    account = await session.scalar(
        select(ServiceAccount).where(col(ServiceAccount.client_id) == client_id)
    )
    valid = await passwords.verify(secret, account.secret_hash if account else None)
    if account is None or not valid or not account.is_active:
        raise Unauthorized("unknown client or wrong secret, or the account is revoked")
    return account


async def current_roles(session: AsyncSession, user_id: int) -> list[tuple[RoleAssignment, str]]:
    """A user's current role assignments with their networks' names."""
    stmt = (
        select(RoleAssignment, col(Network.name))
        .join(Network, col(Network.id) == col(RoleAssignment.network_id))
        .where(
            col(RoleAssignment.user_id) == user_id,
            active_role_clause(utcnow()),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(RoleAssignment.id))
    )
    return [(ra, name) for ra, name in (await session.execute(stmt)).all()]


# --- users -------------------------------------------------------------------------------


async def get_user_or_404(session: AsyncSession, principal: Principal, user_id: int) -> User:
    """A user the principal may see: admins see everyone, people see themselves."""
    user = await session.get(User, user_id)
    if user is None or not (principal.is_admin or principal.is_user_id(user_id)):
        raise NotFound(f"user {user_id} does not exist or is not visible to you")
    return user


async def _email_free(session: AsyncSession, email: str, *, except_id: int | None = None) -> None:
    stmt = select(col(User.id)).where(col(User.email) == email)
    if except_id is not None:
        stmt = stmt.where(col(User.id) != except_id)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"a user with email {email} already exists")


async def create_user(
    session: AsyncSession,
    principal: Principal,
    passwords: PasswordHasher,
    *,
    data: UserCreate,
) -> User:
    """Create a person; a chair may only create people joining its own network."""
    network: Network | None = None
    if data.network_id is not None:
        network = await session.get(Network, data.network_id)
        if network is None or network.deleted_at is not None:
            raise NotFound(f"network {data.network_id} does not exist or is not visible to you")
        policy.require_role_change(principal, network, data.role)
    elif not principal.is_admin:
        raise Forbidden("only a platform admin may create a user outside a network")
    email = data.email.lower()
    await _email_free(session, email)
    user = User(email=email, name=data.name, password_hash=await passwords.hash(data.password))
    await audited_create(session, principal, user, network_id=data.network_id)
    if network is not None:
        assert user.id is not None
        await _add_role(
            session, principal, network, user_id=user.id, role=data.role, functions=[], since=None
        )
    return user


async def update_user(
    session: AsyncSession, principal: Principal, user: User, *, data: UserUpdate
) -> User:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "email" in changes:
        changes["email"] = changes["email"].lower()
        await _email_free(session, changes["email"], except_id=user.id)
    return await audited_update(session, principal, user, changes, network_id=None)


def revoke_tokens(user: User) -> None:
    """Every access token issued to ``user`` so far stops working (checked per request in
    ``_load_user_principal``). For a password change or reset and a deactivation."""
    user.token_generation += 1


async def change_password(
    session: AsyncSession, principal: Principal, passwords: PasswordHasher, *, data: PasswordChange
) -> None:
    if principal.user_id is None:
        raise Forbidden("only people have passwords")
    user = await session.get(User, principal.user_id)
    if user is None:
        raise Forbidden("only people have passwords")
    if not await passwords.verify(data.current_password, user.password_hash):
        raise Unprocessable(
            "the current password is wrong",
            errors=[
                {
                    "loc": ["body", "current_password"],
                    "msg": "wrong password",
                    "type": "password_mismatch",
                }
            ],
        )
    user.password_hash = await passwords.hash(data.new_password)
    revoke_tokens(user)
    session.add(user)
    await audit.record(
        session,
        principal,
        action="change_password",
        obj=user,
        network_id=None,
        after={"id": user.id},
    )


async def set_user_active(
    session: AsyncSession, principal: Principal, user: User, *, active: bool
) -> User:
    if not active and user.is_admin and principal.is_user_id(user.id):
        raise Conflict("an admin cannot deactivate their own account")
    changes: dict[str, object] = {"is_active": active}
    if not active:  # every token issued so far stops working (see revoke_tokens)
        changes["token_generation"] = user.token_generation + 1
    action = "activate" if active else "deactivate"
    return await audited_update(session, principal, user, changes, network_id=None, action=action)


async def list_users(
    session: AsyncSession,
    *,
    q: str | None,
    params: ListParams,
) -> PageResult:
    stmt = select(User)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(col(User.email).like(pattern), col(User.name).ilike(pattern)))
    return await fetch_page(session, stmt, params)


# --- roles -------------------------------------------------------------------------------


async def _add_role(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    *,
    user_id: int,
    role: Role,
    functions: list[str],
    since: datetime | None,
    term: Succession | None = None,
) -> RoleAssignment:
    now = utcnow()
    duplicate = await session.scalar(
        select(col(RoleAssignment.id)).where(
            col(RoleAssignment.network_id) == network.id,
            col(RoleAssignment.user_id) == user_id,
            col(RoleAssignment.role) == role.value,
            or_(col(RoleAssignment.until).is_(None), col(RoleAssignment.until) > now),
        )
    )
    if duplicate is not None:
        raise Conflict(f"user {user_id} already holds the {role.value} role in this network")
    assert network.id is not None
    assignment = RoleAssignment(
        network_id=network.id,
        user_id=user_id,
        role=role.value,
        functions=functions,
        since=since or now,
        appointed_by_user_id=principal.user_id,
        **(term.model_dump(include={"term_ends_on", "deputy_of", "succeeded"}) if term else {}),
    )
    return await audited_create(session, principal, assignment, network_id=network.id)


def _role_issue(field: str, msg: str, kind: str) -> list[dict[str, Any]]:
    return [{"loc": ["body", field], "msg": msg, "type": kind}]


async def check_succession(
    session: AsyncSession, network: Network, role: Role, since: datetime | None, data: Succession
) -> None:
    """A term ends after it starts; ``deputy_of`` names a current role in the network;
    ``succeeded`` a role of the same kind there that nobody has taken over from yet."""
    start = (since or utcnow()).date()
    if data.term_ends_on is not None and data.term_ends_on < start:
        raise Unprocessable(
            f"the term cannot end ({data.term_ends_on}) before the role starts ({start})",
            errors=_role_issue("term_ends_on", "before the start", "term_before_start"),
        )
    for field, ref in (("deputy_of", data.deputy_of), ("succeeded", data.succeeded)):
        if ref is None:
            continue
        other = await session.get(RoleAssignment, ref)
        if other is None or other.network_id != network.id:
            raise Unprocessable(
                f"role assignment {ref} is not a role in network {network.id} ({network.name})",
                errors=_role_issue(field, "not a role in this network", "unknown_role"),
            )
        if field == "deputy_of" and other.until is not None and other.until <= utcnow():
            raise Unprocessable(
                f"role assignment {ref} has ended: there is nobody to deputise for",
                errors=_role_issue(field, "ended", "role_ended"),
            )
        if field == "succeeded":
            if other.role != role.value:
                raise Unprocessable(
                    f"a {role.value} cannot succeed a {other.role} (role assignment {ref})",
                    errors=_role_issue(field, "another role", "other_role"),
                )
            taken = await session.scalar(
                select(col(RoleAssignment.id)).where(col(RoleAssignment.succeeded) == ref)
            )
            if taken is not None:
                raise Conflict(f"role assignment {ref} was already succeeded by {taken}")


async def appoint(
    session: AsyncSession, principal: Principal, network: Network, *, data: RoleCreate
) -> RoleAssignment:
    """Give a user a role in a network."""
    policy.require_role_change(principal, network, data.role)
    role_kinds.check_functions(data.role, data.functions)
    await check_succession(session, network, data.role, data.since, data)
    user = await session.get(User, data.user_id)
    if user is None or not user.is_active:
        raise Unprocessable(
            f"user {data.user_id} does not exist or is deactivated",
            errors=[
                {
                    "loc": ["body", "user_id"],
                    "msg": "unknown or inactive user",
                    "type": "unknown_user",
                }
            ],
        )
    return await _add_role(
        session,
        principal,
        network,
        user_id=data.user_id,
        role=data.role,
        functions=[f.value for f in data.functions],
        since=data.since,
        term=data,
    )


async def end_role(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[RoleAssignment, Network],
    *,
    data: RoleEnd | None = None,
) -> RoleAssignment:
    """End a role assignment (at ``data.until``, or now), keeping it as history."""
    assignment, network = found.obj, found.network
    policy.require_role_change(principal, network, Role(assignment.role))
    return await audited_end(
        session,
        principal,
        assignment,
        until=data.until if data else None,
        ended_by_user_id=principal.user_id,
        network_id=network.id,
        label="role assignment",
    )


async def list_roles(
    session: AsyncSession,
    network: Network,
    *,
    filters: WithEnded,
    params: ListParams,
) -> PageResult:
    stmt = select(RoleAssignment).where(col(RoleAssignment.network_id) == network.id)
    if not filters.include_ended and params.since is None:  # a sync reports endings too
        stmt = stmt.where(active_role_clause(utcnow()))
    return await fetch_page(session, stmt, params)


# --- service accounts --------------------------------------------------------------------


async def create_service_account(
    session: AsyncSession,
    principal: Principal,
    passwords: PasswordHasher,
    network: Network,
    *,
    data: ServiceAccountCreate,
) -> tuple[ServiceAccount, str]:
    """A new service account for ``network`` and its secret (shown once, stored hashed)."""
    assert network.id is not None
    secret = new_secret()
    account = ServiceAccount(
        network_id=network.id,
        name=data.name,
        client_id=f"cohesion-{new_secret(12)}",
        secret_hash=await passwords.hash(secret),
        scopes=sorted({s.value for s in data.scopes}),
        created_by_user_id=principal.user_id,
    )
    await audited_create(session, principal, account, network_id=network.id)
    return account, secret


async def list_service_accounts(
    session: AsyncSession,
    network: Network,
    *,
    params: ListParams,
) -> PageResult:
    stmt = select(ServiceAccount).where(col(ServiceAccount.network_id) == network.id)
    return await fetch_page(session, stmt, params)


async def rotate_service_account(
    session: AsyncSession,
    principal: Principal,
    passwords: PasswordHasher,
    account: ServiceAccount,
) -> tuple[ServiceAccount, str]:
    """A new secret; tokens issued before stop working at once."""
    if not account.is_active:
        raise Conflict(f"service account {account.id} is revoked")
    secret = new_secret()
    changes = {"secret_hash": await passwords.hash(secret), "generation": account.generation + 1}
    await audited_update(
        session, principal, account, changes, network_id=account.network_id, action="rotate"
    )
    return account, secret


async def revoke_service_account(
    session: AsyncSession, principal: Principal, account: ServiceAccount
) -> ServiceAccount:
    if not account.is_active:
        raise Conflict(f"service account {account.id} is already revoked")
    changes = {"is_active": False, "generation": account.generation + 1}
    return await audited_update(
        session, principal, account, changes, network_id=account.network_id, action="revoke"
    )
