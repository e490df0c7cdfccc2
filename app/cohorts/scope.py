"""What is inside a cohort (enrolments, matching proposals) loaded with its cohort and network
in one query: a deleted cohort or network hides it, and a caller who may not read the network
gets 404 (``require_read`` in ``app/auth/policy.py``). A cohort itself is loaded by the resource
kit's ``scoped`` loader (``app/cohorts/deps.py``)."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.cohorts.models import Cohort
from app.core.errors import NotFound
from app.networks.models import Network

T = TypeVar("T")


@dataclass
class InCohort(Generic[T]):
    """An object, its cohort and the cohort's network."""

    obj: T
    cohort: Cohort
    network: Network


async def load_in_cohort(
    session: AsyncSession,
    principal: Principal,
    model: Any,
    object_id: int,
    label: str,
    *,
    cohort_id: int | None = None,
) -> InCohort[Any]:
    """``model`` ``object_id`` with its live cohort and network (in cohort ``cohort_id`` when
    given), or 404 when missing or not visible."""
    stmt = (
        select(model, Cohort, Network)
        .join(Cohort, col(Cohort.id) == model.cohort_id)
        .join(Network, col(Network.id) == col(Cohort.network_id))
        .where(
            col(model.id) == object_id,
            col(Cohort.deleted_at).is_(None),
            col(Network.deleted_at).is_(None),
        )
    )
    if cohort_id is not None:
        stmt = stmt.where(col(Cohort.id) == cohort_id)
    row = (await session.execute(stmt)).first()
    missing = NotFound(f"{label} {object_id} does not exist or is not visible to you")
    if row is None:
        raise missing
    found = InCohort(obj=row[0], cohort=row[1], network=row[2])
    try:
        policy.require_read(principal, found.network)
    except NotFound as exc:
        raise missing from exc
    return found
