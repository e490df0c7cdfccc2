"""Path-object loaders for networks, with the permission each route needs."""

from typing import Annotated, Any

from fastapi import Depends

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Permission, authorize
from app.core.db import SessionDep
from app.core.models import path_id
from app.networks import service
from app.networks.models import Network

NetworkIdPath = Annotated[int, path_id("network")]


async def valid_network(
    network_id: NetworkIdPath, session: SessionDep, _: CurrentPrincipal
) -> Network:
    """A live network by id, or 404 — for an authenticated caller (anonymous callers get 401
    before anything is looked up, so they cannot probe which ids exist)."""
    return await service.get_or_404(session, network_id)


def network_with(permission: Permission) -> Any:
    """A dependency: the path's network, if the caller has ``permission`` on it."""

    async def dependency(
        network: Annotated[Network, Depends(valid_network)], principal: CurrentPrincipal
    ) -> Network:
        authorize(principal, permission, network)
        return network

    return Depends(dependency)


ValidNetwork = Annotated[Network, Depends(valid_network)]
NetworkForRead = Annotated[Network, network_with(Permission.network_read)]
NetworkForAudit = Annotated[Network, network_with(Permission.audit_read)]
NetworkForMembers = Annotated[Network, network_with(Permission.membership_write)]
