"""Path-object loaders for programmes, their sessions and evaluations (FastAPI dependencies):
the resource kit's scoped loader, each object with its live network in one statement, 404
unless the caller reads the network (``app/auth/policy.py``)."""

from typing import Annotated

from app.auth.deps import scoped
from app.auth.policy import Permission
from app.core.resources import Scoped
from app.networks.models import Network
from app.programmes.models import Evaluation, Programme, ProgrammeSession
from app.programmes.scope import EVALUATION_NETWORK, SESSION_NETWORK

_READ = Permission.network_read

ValidProgramme = Annotated[
    Scoped[Programme, Network], scoped.loader(Programme, _READ, label="programme")
]
ValidSession = Annotated[
    Scoped[ProgrammeSession, Network],
    scoped.loader(
        ProgrammeSession,
        _READ,
        label="programme session",
        param="session_id",
        network_id=SESSION_NETWORK,
    ),
]
ValidEvaluation = Annotated[
    Scoped[Evaluation, Network],
    scoped.loader(Evaluation, _READ, label="evaluation", network_id=EVALUATION_NETWORK),
]
