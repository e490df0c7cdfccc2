"""The whole demo in a test's database, as `cohesion load-demo` builds it."""

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.auth.policy import Principal
from app.demo import build


async def build_demo(app: FastAPI, session: AsyncSession) -> Principal:
    """Add the demo's admin and everything of the demo in ``session``; the admin."""
    user = User(email="admin@cohesion.example", name="Admin", is_admin=True)
    session.add(user)
    await session.flush()
    assert user.id is not None
    admin = Principal(kind="user", id=user.id, is_admin=True, name=user.name)
    await build(session, admin, app.state.cohesion.passwords)
    return admin
