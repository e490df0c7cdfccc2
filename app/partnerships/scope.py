"""Where a partnership's children find their network: a partner commitment through its live
partnership (a deleted partnership hides its commitments). Used by the scoped loaders in
``app/partnerships/deps.py`` (``app.core.resources.ScopeKit``), in one statement."""

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from app.partnerships.models import PartnerCommitment, Partnership

COMMITMENT_NETWORK: Any = (
    select(col(Partnership.network_id))
    .where(
        col(Partnership.id) == col(PartnerCommitment.partnership_id),
        col(Partnership.deleted_at).is_(None),
    )
    .scalar_subquery()
)
"""The network of a commitment's live partnership (none when the partnership is deleted)."""
