"""Database errors are logged without the values sent with the statement: the engines are made
with ``hide_parameters=True``, so neither an error's text nor SQLAlchemy's own statement log
carries a parameter (an e-mail, an answer, a secret)."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.core.config import Settings
from app.core.db import SessionDep
from app.core.routing import CohesionRoute
from app.main import create_app
from tests.conftest import World

SENTINEL = "zq-sentinel-4711-do-not-log"


def _carries_sentinel(record: logging.LogRecord) -> bool:
    text_ = record.getMessage()
    if record.exc_info:
        text_ += logging.Formatter().formatException(record.exc_info)
    return SENTINEL in text_


@pytest.fixture
async def failing_app(settings: Settings, world: World) -> AsyncIterator[FastAPI]:
    """The real app and error handlers, plus one route whose statements fail on purpose."""
    application = create_app(settings)
    router = APIRouter(route_class=CohesionRoute)

    @router.post("/test-only/db-error")
    async def fail(session: SessionDep) -> None:
        # A row the database refuses (NOT NULL columns missing), with a value to look for.
        await session.execute(text("INSERT INTO networks (name) VALUES (:v)"), {"v": SENTINEL})

    application.include_router(router)
    yield application
    await application.state.cohesion.db.dispose()


async def test_no_log_record_carries_a_parameter_value(
    failing_app: FastAPI, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # as COHESION_LOG_LEVEL=DEBUG: drivers' logs too
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=failing_app, raise_app_exceptions=False),
        base_url="http://test",
    ) as http:
        r = await http.post("/test-only/db-error", headers=world.headers("admin"))
    assert r.status_code == 409, r.text
    assert SENTINEL not in r.text
    assert any(record.name.startswith("sqlalchemy.engine") for record in caplog.records)
    assert any(record.name == "cohesion.errors" for record in caplog.records)
    leaking = [record for record in caplog.records if _carries_sentinel(record)]
    assert not leaking, [record.getMessage() for record in leaking]


async def test_the_error_text_itself_names_no_parameter(failing_app: FastAPI) -> None:
    engine = failing_app.state.cohesion.db.engine
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO networks (name) VALUES (:v)"), {"v": SENTINEL})
    assert "parameters hidden" in str(caught.value)
    assert SENTINEL not in str(caught.value)
