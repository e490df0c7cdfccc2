"""The whole demo in a test's database, as `cohesion load-demo` builds it."""

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.auth.policy import Principal
from app.demo import build
from tests.conftest import World, reset_database, saved_state


async def build_demo(app: FastAPI, session: AsyncSession) -> Principal:
    """Add the demo's admin and everything of the demo in ``session``; the admin."""
    user = User(email="admin@cohesion.example", name="Admin", is_admin=True)
    session.add(user)
    await session.flush()
    assert user.id is not None
    admin = Principal(kind="user", id=user.id, is_admin=True, name=user.name)
    await build(session, admin, app.state.cohesion.passwords)
    return admin


async def restore_demo(app: FastAPI) -> Principal:
    """The demo (and its admin) alone on an emptied database, as ``build_demo`` makes it:
    built once per database and session, then put back from its saved rows for each test
    (the demo writes nothing outside the database: webhook secrets are sealed with the
    test settings' data key, which every test shares); the admin."""
    engine = app.state.cohesion.db.engine

    async def fresh() -> Principal:
        await reset_database(engine)
        async with app.state.cohesion.db.transaction() as session:
            return await build_demo(app, session)

    return await saved_state(app, "demo", fresh)


async def restore_demo_on_world(world: World) -> None:
    """The demo built on top of the test world (restored for the test), by the world's admin:
    built once per database and session, then put back, world and demo, from saved rows."""
    app = world.app
    state = app.state.cohesion

    async def fresh() -> None:
        async with state.db.transaction() as session:
            admin = Principal(kind="user", id=world.admin.id, is_admin=True)
            await build(session, admin, state.passwords)

    await saved_state(app, "world+demo", fresh)
