"""Path-object loaders for networks, with the permission each route needs. They live in
``app/auth/deps.py`` (roles and service accounts, in the auth package, need them too)."""

from app.auth.deps import (
    NetworkForAudit,
    NetworkForMembers,
    NetworkForRead,
    NetworkIdPath,
    ValidNetwork,
    network_with,
    valid_network,
)

__all__ = [
    "NetworkForAudit",
    "NetworkForMembers",
    "NetworkForRead",
    "NetworkIdPath",
    "ValidNetwork",
    "network_with",
    "valid_network",
]
