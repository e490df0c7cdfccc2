"""Path-object loaders for networks, with the permission each route needs, and ``scoped`` (the
resource kit's scoped loader bound to the network table and the policy). They live in
``app/auth/deps.py`` (roles and service accounts, in the auth package, need them too)."""

from app.auth.deps import (
    DeletedNetwork,
    NetworkForAudit,
    NetworkForMembers,
    NetworkForRead,
    NetworkIdPath,
    ValidNetwork,
    network_with,
    scoped,
    valid_network,
)

__all__ = [
    "DeletedNetwork",
    "NetworkForAudit",
    "NetworkForMembers",
    "NetworkForRead",
    "NetworkIdPath",
    "ValidNetwork",
    "network_with",
    "scoped",
    "valid_network",
]
