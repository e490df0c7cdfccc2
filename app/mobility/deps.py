"""Path-object loaders for the mobility register.

An opportunity is loaded with its network in one query; a deleted opportunity or network, or
one whose network the caller may not read, is a 404.
"""

from typing import Annotated

from app.auth.policy import Permission
from app.core.resources import Scoped
from app.mobility.models import MobilityOpportunity
from app.networks.deps import scoped
from app.networks.models import Network

_LOADER = {"label": "mobility opportunity", "param": "opportunity_id"}
ValidOpportunity = Annotated[
    Scoped[MobilityOpportunity, Network],
    scoped.loader(MobilityOpportunity, Permission.network_read, **_LOADER),
]
DeletedOpportunity = Annotated[
    Scoped[MobilityOpportunity, Network],
    scoped.loader(MobilityOpportunity, Permission.network_read, deleted=True, **_LOADER),
]
