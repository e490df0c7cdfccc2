"""Path-object loaders for partnerships and partner commitments (FastAPI dependencies): the
resource kit's scoped loader, each object with its live network in one statement, 404 unless
the caller reads the network (``app/auth/policy.py``)."""

from typing import Annotated

from app.auth.deps import scoped
from app.auth.policy import Permission
from app.core.resources import Scoped
from app.networks.models import Network
from app.partnerships.models import PartnerCommitment, Partnership
from app.partnerships.scope import COMMITMENT_NETWORK

_READ = Permission.network_read

ValidPartnership = Annotated[
    Scoped[Partnership, Network], scoped.loader(Partnership, _READ, label="partnership")
]
DeletedPartnership = Annotated[
    Scoped[Partnership, Network],
    scoped.loader(Partnership, _READ, label="partnership", deleted=True),
]
ValidCommitment = Annotated[
    Scoped[PartnerCommitment, Network],
    scoped.loader(
        PartnerCommitment,
        _READ,
        label="partner commitment",
        param="commitment_id",
        network_id=COMMITMENT_NETWORK,
    ),
]
