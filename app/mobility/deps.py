"""Path-object loaders for the mobility register (FastAPI dependencies).

An opportunity is loaded with its network in one query; a deleted opportunity or network, or
one whose network the caller may not read, is a 404.
"""

from typing import Annotated

from app.auth.deps import scoped
from app.auth.models import Network
from app.auth.policy import Permission
from app.core.resources import Scoped
from app.mobility.models import MobilityOpportunity

_LOADER = {"label": "mobility opportunity", "param": "opportunity_id"}
ValidOpportunity = Annotated[
    Scoped[MobilityOpportunity, Network],
    scoped.loader(MobilityOpportunity, Permission.network_read, **_LOADER),
]
DeletedOpportunity = Annotated[
    Scoped[MobilityOpportunity, Network],
    scoped.loader(MobilityOpportunity, Permission.network_read, deleted=True, **_LOADER),
]
