"""Routes for tokens, the caller, users and role assignments."""

import base64
import binascii
from dataclasses import asdict
from functools import partial
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Form, Query, Request, Response, status

from app.auth import role_kinds, service
from app.auth.deps import (
    CurrentAdmin,
    CurrentPrincipal,
    CurrentUser,
    NetworkForRead,
    network_with,
    scoped,
)
from app.auth.models import Network, RoleAssignment, ServiceAccount, User
from app.auth.policy import Permission
from app.auth.schemas import (
    Me,
    MyRole,
    PasswordChange,
    RoleEnd,
    RoleFilters,
    RoleKindList,
    RolePage,
    RoleRead,
    ServiceAccountCreate,
    ServiceAccountCredentials,
    ServiceAccountPage,
    ServiceAccountRead,
    Token,
    UserCreate,
    UserPage,
    UserRead,
    UserUpdate,
)
from app.core import ratelimit, responses
from app.core.db import SessionDep
from app.core.errors import BadRequest, Unauthorized
from app.core.models import path_id
from app.core.resources import ListQuery, Scoped, list_query, path_loader, tagged
from app.core.routes import NESTED_LIST, Collection, ItemRoutes, api_router
from app.core.routing import route_options
from app.core.schemas import LINE_PATTERN
from app.core.state import AppState, app_state_dependency

auth_router = api_router(tags=["auth"])
users_router = api_router(prefix="/users", tags=["users"])
roles_router = api_router(tags=["roles"])

State = Annotated[AppState, Depends(app_state_dependency)]
UserIdPath = Annotated[int, path_id("user")]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthorized("malformed Basic credentials") from exc
    client_id, sep, secret = raw.partition(":")
    if not sep:
        raise Unauthorized("malformed Basic credentials")
    return client_id, secret


@auth_router.post(
    "/auth/token",
    summary="Log in: get an access token",
    responses=responses.problems(400, 401, 422, 429),
)
@route_options(idempotent=False, write=False)
async def create_token(
    request: Request,
    session: SessionDep,
    state: State,
    later: BackgroundTasks,
    grant_type: Annotated[
        str,
        Form(
            pattern="^(password|client_credentials)$",
            description="`password` for people, `client_credentials` for scripts.",
        ),
    ],
    username: Annotated[
        str | None, Form(max_length=254, pattern=LINE_PATTERN, description="Email (password).")
    ] = None,
    password: Annotated[str | None, Form(max_length=128, description="Password.")] = None,
    client_id: Annotated[
        str | None, Form(max_length=64, pattern=LINE_PATTERN, description="Client id.")
    ] = None,
    client_secret: Annotated[str | None, Form(max_length=128, description="Client secret.")] = None,
    scope: Annotated[str | None, Form(max_length=500, description="Ignored.")] = None,
) -> Token:
    """OAuth2 token endpoint (RFC 6749 password and client-credentials grants)."""
    if grant_type == "password":
        if not username or password is None:
            raise BadRequest("the password grant needs username and password")
        async with ratelimit.login_attempt(request, username, later):
            user = await service.authenticate_user(session, state.passwords, username, password)
        roles = await service.current_roles(session, user.id or 0)
        token, lifetime = state.tokens.issue(
            f"user:{user.id}",
            {
                "gen": user.token_generation,
                "roles": [{"network_id": ra.network_id, "role": ra.role} for ra, _ in roles],
            },
        )
        return Token(access_token=token, expires_in=lifetime)
    basic = _basic_credentials(request)
    if basic is not None:
        client_id, client_secret = basic
    if not client_id or client_secret is None:
        raise BadRequest("the client_credentials grant needs client_id and client_secret")
    async with ratelimit.login_attempt(request, client_id, later):
        account = await service.authenticate_client(
            session, state.passwords, client_id, client_secret
        )
    token, lifetime = state.tokens.issue(
        f"sa:{account.id}",
        {
            "gen": account.generation,
            "scope": " ".join(account.scopes),
            "network_id": account.network_id,
        },
    )
    return Token(access_token=token, expires_in=lifetime)


@auth_router.get(
    "/me", summary="Who am I, with my current roles", responses=responses.problems(401)
)
async def get_me(session: SessionDep, principal: CurrentPrincipal) -> Me:
    user_id = principal.user_id
    if user_id is None:
        return Me(
            kind="service_account",
            id=principal.actor_id,
            name=principal.name,
            is_admin=False,
            roles=[],
            scopes=sorted(principal.scopes),
            network_id=principal.service_network_id,
        )
    user = await session.get(User, user_id)
    assert user is not None
    roles = await service.current_roles(session, user_id)
    return Me(
        kind="user",
        id=user_id,
        name=user.name,
        email=user.email,
        is_admin=user.is_admin,
        roles=[
            MyRole(
                id=ra.id or 0,
                network_id=ra.network_id,
                network_name=name,
                role=ra.role,
                functions=ra.functions,
                since=ra.since,
                term_ends_on=ra.term_ends_on,
            )
            for ra, name in roles
        ],
    )


# --- users -------------------------------------------------------------------------------

UserList = Annotated[
    ListQuery,
    list_query({"email": User.email, "name": User.name, "created_at": User.created_at}, User.id),
]


@users_router.get(
    "", summary="List users (admin)", responses=responses.problems(400, 401, 403, 422)
)
async def list_users(
    session: SessionDep,
    _: CurrentAdmin,
    query: UserList,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=LINE_PATTERN, description="Text in email or name."),
    ] = None,
) -> UserPage:
    return query.page(UserPage, await service.list_users(session, q=q, params=query.params))


@users_router.post(
    "",
    summary="Create a user (admin, or a chair for its network)",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=responses.CREATE,
)
async def create_user(
    data: UserCreate,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    state: State,
) -> User:
    user = await service.create_user(session, principal, state.passwords, data=data)
    return tagged(response, user, f"/api/v1/users/{user.id}")


@users_router.post(
    "/me/password",
    summary="Change my password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.ACTION,
)
async def change_my_password(
    data: PasswordChange, session: SessionDep, principal: CurrentUser, state: State
) -> None:
    await service.change_password(session, principal, state.passwords, data=data)


UserPath = Annotated[User, path_loader(service.get_user_or_404, label="user", caller=CurrentUser)]
AdminUserPath = Annotated[
    User, path_loader(service.get_user_or_404, label="user", caller=CurrentAdmin)
]
user = ItemRoutes(users_router, "/{user_id}", "user", UserPath, CurrentUser, read=UserRead)
user.get("Get a user (admin or self)")
user.update("Update a user (admin or self)", UserUpdate, service.update_user)
deactivate, reactivate = (partial(service.set_user_active, active=a) for a in (False, True))
user.action(
    "deactivate", "Deactivate a user (admin or self): they can no longer log in", deactivate
)
user.action("reactivate", "Reactivate a user (admin)", reactivate, found=AdminUserPath)


# --- roles -------------------------------------------------------------------------------

RoleList = Annotated[
    ListQuery,
    list_query({"since": RoleAssignment.since, "role": RoleAssignment.role}, RoleAssignment.id),
]
RoleForRead = Annotated[
    Scoped[RoleAssignment, Network],
    scoped.loader(
        RoleAssignment,
        Permission.network_read,
        label="role assignment",
        param="role_id",
        caller=CurrentUser,
    ),
]


Collection(roles_router, "/networks/{network_id}/roles", "network_role", NetworkForRead).list(
    "List a network's role assignments", RoleList, RolePage, service.list_roles, filters=RoleFilters
)


@roles_router.get(
    "/role-kinds",
    summary="List the role kinds, with their duties and the functions they exercise",
    responses=responses.problems(401),
)
async def list_role_kinds(_: CurrentUser) -> RoleKindList:
    return RoleKindList.model_validate(
        {
            "items": [
                {**asdict(kind), "permissions": kind.permissions} for kind in role_kinds.ROLE_KINDS
            ]
        }
    )


role = ItemRoutes(roles_router, "/roles/{role_id}", "role", RoleForRead, CurrentUser)
role.read = RoleRead
role.get("Get a role assignment")


role.action(
    "end",
    "End a role assignment (kept as history)",
    service.end_role,
    body=RoleEnd,
    optional=True,
)


# --- service accounts --------------------------------------------------------------------

service_accounts_router = api_router(tags=["service-accounts"])
NetworkForServiceAccounts = Annotated[Network, network_with(Permission.service_account_manage)]


def _credentials(account: ServiceAccount, secret: str) -> ServiceAccountCredentials:
    return ServiceAccountCredentials.model_validate(
        {**account.model_dump(), "client_secret": secret}
    )


ManagedAccount = Annotated[
    Scoped[ServiceAccount, Network],
    scoped.loader(
        ServiceAccount,
        Permission.service_account_manage,
        label="service account",
        caller=CurrentUser,
    ),
]
AccountList = Annotated[ListQuery, list_query({}, ServiceAccount.id, sortable=False)]


@service_accounts_router.get(
    "/networks/{network_id}/service-accounts",
    summary="List a network's service accounts (chair)",
    responses=NESTED_LIST,
)
async def list_network_service_accounts(
    query: AccountList, network: NetworkForServiceAccounts, session: SessionDep
) -> ServiceAccountPage:
    result = await service.list_service_accounts(session, network, params=query.params)
    return query.page(ServiceAccountPage, result)


@service_accounts_router.post(
    "/networks/{network_id}/service-accounts",
    summary="Create a service account for automation scripts (chair)",
    description="The response carries `client_secret`, shown only here. Idempotency-Key is "
    "not offered: replaying would require storing the secret.",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
@route_options(idempotent=False)
async def create_network_service_account(
    data: ServiceAccountCreate,
    network: NetworkForServiceAccounts,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    state: State,
) -> ServiceAccountCredentials:
    account, secret = await service.create_service_account(
        session, principal, state.passwords, network, data=data
    )
    response.headers["Location"] = f"/api/v1/service-accounts/{account.id}"
    response.headers["Cache-Control"] = "no-store"
    return _credentials(account, secret)


account = ItemRoutes(
    service_accounts_router, "/service-accounts/{service_account_id}", "service_account", None
)
account.found, account.caller, account.read = ManagedAccount, CurrentUser, ServiceAccountRead
account.unwrap = True
account.get("Get a service account (chair)")


@service_accounts_router.post(
    "/service-accounts/{service_account_id}/rotate",
    summary="Issue a new secret; tokens from the old one stop working",
    responses=responses.ACTION,
)
@route_options(idempotent=False)
async def rotate_service_account(
    found: ManagedAccount,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    state: State,
) -> ServiceAccountCredentials:
    account, secret = await service.rotate_service_account(
        session, principal, state.passwords, found.obj
    )
    response.headers["Cache-Control"] = "no-store"
    return _credentials(account, secret)


account.action(
    "revoke",
    "Revoke a service account; its tokens stop working at once",
    service.revoke_service_account,
)
