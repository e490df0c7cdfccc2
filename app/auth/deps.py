"""Who is calling: bearer token to principal, re-reading roles from the database."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth import policy, service
from app.auth.models import Network
from app.auth.policy import Permission, Principal, authorize
from app.core import idempotency, ratelimit
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.core.idempotency import IdempotencyKeyHeader
from app.core.models import path_id
from app.core.resources import ScopeKit, record_loader
from app.core.security import InvalidToken
from app.core.state import app_state

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="Log in with email and password (grant_type=password), or as a service "
    "account with client_id and client_secret (grant_type=client_credentials).",
)


async def current_principal(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    """The authenticated caller; 401 with ``WWW-Authenticate: Bearer`` otherwise."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if not token:
        raise Unauthorized("this operation needs a bearer token")
    # The rate limiter has usually verified this token already (to know whom to count).
    claims = ratelimit.verified_claims(request, token)
    if claims is None:
        try:
            claims = app_state(request).tokens.verify(token)
        except InvalidToken as exc:
            raise Unauthorized(
                "the token is invalid or expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from exc
    principal = await service.load_principal(session, claims, network_id=_path_network_id(request))
    if principal is None:
        raise Unauthorized(
            "the token's account no longer exists or is deactivated",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    request.state.principal = principal
    return principal


def _path_network_id(request: Request) -> int | None:
    """The ``network_id`` of the request's path, if it names one a database can hold (the
    route's own validation answers anything else)."""
    raw = request.path_params.get("network_id")
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_user(principal: CurrentPrincipal) -> Principal:
    """A person (not a service account)."""
    policy.require_person(
        principal, "service accounts may only use the operations their scopes name"
    )
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


async def current_admin(principal: CurrentUser) -> Principal:
    policy.require_admin(principal)
    return principal


CurrentAdmin = Annotated[Principal, Depends(current_admin)]


async def idempotency_guard(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKeyHeader = None,
) -> None:
    """Added to every POST by CohesionRoute: replays or refuses a reused Idempotency-Key."""
    if idempotency_key is not None:
        await idempotency.begin(session, request, principal.key, idempotency_key)


# --- the path's network, with the permission a route needs ------------------------------------

NetworkIdPath = Annotated[int, path_id("network")]


async def valid_network(
    network_id: NetworkIdPath, session: SessionDep, _: CurrentPrincipal
) -> Network:
    """A live network by id, or 404 — for an authenticated caller (anonymous callers get 401
    before anything is looked up, so they cannot probe which ids exist)."""
    return await service.get_network_or_404(session, network_id)


def network_with(permission: Permission) -> Any:
    """A dependency: the path's network, if the caller has ``permission`` on it."""

    async def dependency(
        network: Annotated[Network, Depends(valid_network)], principal: CurrentPrincipal
    ) -> Network:
        authorize(principal, permission, network)
        return network

    return Depends(dependency)


ValidNetwork = Annotated[Network, Depends(valid_network)]
DeletedNetwork = Annotated[
    Network, record_loader(Network, label="network", caller=CurrentPrincipal, deleted=True)
]
scoped: ScopeKit[Network] = ScopeKit(
    network=Network, principal=CurrentPrincipal, authorize=authorize
)
"""The resource kit's scoped loader bound to the network table and the policy: every domain's
"this object, its live network, and the permission the caller needs" (one statement, 404 when
invisible)."""
NetworkForRead = Annotated[Network, network_with(Permission.network_read)]
NetworkForAudit = Annotated[Network, network_with(Permission.audit_read)]
NetworkForMembers = Annotated[Network, network_with(Permission.membership_write)]
