"""Partners' roles in plan objectives for plan import and export (``app.plans.transfer``):
a commitment travels as a ``<partner name>: <role>`` line of the "Role of Partners" text, the
partner named by its organisation's name. Registered when the package is imported."""

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.db import utcnow
from app.organisations.models import Organisation
from app.partnerships.models import PartnerCommitment, Partnership
from app.plans.models import Objective
from app.plans.transfer.roles import register_partner_roles


class _PartnerRoles:
    async def partner_names(self, session: AsyncSession, network_id: int) -> dict[str, int]:
        stmt = (
            select(col(Organisation.name), col(Partnership.id))
            .join(Organisation, col(Organisation.id) == col(Partnership.organisation_id))
            .where(col(Partnership.network_id) == network_id, col(Partnership.deleted_at).is_(None))
            .order_by(col(Partnership.id).desc())
        )
        # Several partnerships with one organisation: the earliest wins (it is written last).
        rows = (await session.execute(stmt)).all()
        return {name.casefold(): pid for name, pid in rows if pid is not None}

    async def objective_roles(
        self, session: AsyncSession, plan_id: int
    ) -> dict[int, list[tuple[str, str]]]:
        stmt = (
            select(
                col(PartnerCommitment.objective_id),
                col(Organisation.name),
                col(PartnerCommitment.role),
            )
            .join(Objective, col(Objective.id) == col(PartnerCommitment.objective_id))
            .join(Partnership, col(Partnership.id) == col(PartnerCommitment.partnership_id))
            .join(Organisation, col(Organisation.id) == col(Partnership.organisation_id))
            .where(col(Objective.plan_id) == plan_id, col(Partnership.deleted_at).is_(None))
            .order_by(col(PartnerCommitment.id))
        )
        roles: dict[int, list[tuple[str, str]]] = {}
        for objective_id, name, role in (await session.execute(stmt)).all():
            if objective_id is not None:
                roles.setdefault(objective_id, []).append((name, role))
        return roles

    async def add_objective_roles(
        self, session: AsyncSession, roles: list[tuple[int, int, str]]
    ) -> None:
        now = utcnow()
        await session.execute(
            insert(PartnerCommitment),
            [
                {
                    "partnership_id": partnership_id,
                    "objective_id": objective_id,
                    "role": role,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for partnership_id, objective_id, role in roles
            ],
        )


register_partner_roles(_PartnerRoles())
