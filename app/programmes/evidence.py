"""A milestone may cite an evaluation of one of its network's programmes as evidence
(``app.plans.evidence``). Registered when the package is imported."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.plans.evidence import register_evaluations
from app.programmes.models import Evaluation, Programme


async def _evaluation_in_network(
    session: AsyncSession, evaluation_id: int, network_id: int
) -> bool:
    found = await session.scalar(
        select(col(Evaluation.id))
        .join(Programme, col(Programme.id) == col(Evaluation.programme_id))
        .where(
            col(Evaluation.id) == evaluation_id,
            col(Programme.network_id) == network_id,
            col(Programme.deleted_at).is_(None),
        )
    )
    return found is not None


register_evaluations(_evaluation_in_network)
