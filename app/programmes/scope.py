"""Where a programme's children find their network: a session, an enrolment or an evaluation
through its live programme (a deleted programme hides everything under it). Used by the scoped
loaders in ``app/programmes/deps.py`` (``app.core.resources.ScopeKit``), in one statement."""

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from app.programmes.models import Evaluation, Programme, ProgrammeSession


def programme_network(model: Any) -> Any:
    """The network of ``model``'s live programme (none when the programme is deleted)."""
    return (
        select(col(Programme.network_id))
        .where(col(Programme.id) == col(model.programme_id), col(Programme.deleted_at).is_(None))
        .scalar_subquery()
    )


SESSION_NETWORK = programme_network(ProgrammeSession)
EVALUATION_NETWORK = programme_network(Evaluation)
