"""Path-object loaders for networks, with the permission each route needs, and ``scoped``: the
resource kit's scoped loader bound to the network table and the authorization policy, which
every domain uses for "this object, its live network, and the permission the caller needs"."""

from typing import Annotated, Any

from fastapi import Depends

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, authorize
from app.core.models import path_id
from app.core.resources import ScopeKit, record_loader
from app.networks.models import Network

NetworkIdPath = Annotated[int, path_id("network")]

scoped: ScopeKit[Network] = ScopeKit(
    network=Network, principal=CurrentPrincipal, authorize=authorize
)

# A live network by id, or 404 — for an authenticated caller (anonymous callers get 401
# before anything is looked up, so they cannot probe which ids exist).
ValidNetwork = Annotated[Network, record_loader(Network, label="network", caller=CurrentPrincipal)]
DeletedNetwork = Annotated[
    Network, record_loader(Network, label="network", caller=CurrentPrincipal, deleted=True)
]


def network_with(permission: Permission) -> Any:
    """A dependency: the path's network, if the caller has ``permission`` on it."""

    async def dependency(network: ValidNetwork, principal: CurrentPrincipal) -> Network:
        authorize(principal, permission, network)
        return network

    return Depends(dependency)


NetworkForRead = Annotated[Network, network_with(Permission.network_read)]
NetworkForAudit = Annotated[Network, network_with(Permission.audit_read)]
NetworkForMembers = Annotated[Network, network_with(Permission.membership_write)]
