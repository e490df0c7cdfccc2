"""Plans' scoped loader: an object with its plan and network, 404 unless visible.

Each loads the object with its plan and network in one query, and answers 404 when any of the
three is deleted or the network's private data is not visible to the caller. Services take
what it returns (``InPlan``); ``app/plans/deps.py`` wraps it as path dependencies.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core.errors import NotFound
from app.networks.models import Network
from app.plans.models import Plan

T = TypeVar("T")


@dataclass
class InPlan(Generic[T]):
    """An object, its plan and the plan's network."""

    obj: T
    plan: Plan
    network: Network


async def load_in_plan(
    session: Any,
    principal: Principal,
    model: Any,
    object_id: int,
    label: str,
    *,
    deleted: bool = False,
) -> InPlan[Any]:
    """``model`` ``object_id`` with its plan and network (``deleted``: a deleted one)."""
    deleted_clause = (
        col(model.deleted_at).is_not(None) if deleted else col(model.deleted_at).is_(None)
    )
    if model is Plan:
        stmt = select(Plan, Network).where(col(Plan.id) == object_id, deleted_clause)
    else:
        stmt = (
            select(model, Plan, Network)
            .join(Plan, col(Plan.id) == model.plan_id)
            .where(col(model.id) == object_id, deleted_clause, col(Plan.deleted_at).is_(None))
        )
    stmt = stmt.join(Network, col(Network.id) == col(Plan.network_id)).where(
        col(Network.deleted_at).is_(None)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"{label} {object_id} does not exist or is not visible to you")
    found = InPlan(obj=row[0], plan=row[-2], network=row[-1])
    policy.authorize_plan_read(principal, found.network)
    return found
