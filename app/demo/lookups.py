"""Finding what the demo documents name: people by email, organisations by name."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import User
from app.organisations.models import Organisation


async def users(session: AsyncSession, emails: list[str]) -> dict[str, int]:
    """The ids of the users with these emails."""
    rows = await session.execute(
        select(col(User.email), col(User.id)).where(col(User.email).in_(emails))
    )
    return {email: uid for email, uid in rows.all() if uid is not None}


async def organisations(session: AsyncSession, names: list[str]) -> dict[str, int]:
    """The ids of the live organisations with these names."""
    rows = await session.execute(
        select(col(Organisation.name), col(Organisation.id)).where(
            col(Organisation.name).in_(names), col(Organisation.deleted_at).is_(None)
        )
    )
    return {name: oid for name, oid in rows.all() if oid is not None}
