"""Fixtures for the mobility tests: organisations to count between, a service account, and a
client whose body limit fits batches of thousands of records."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from tests.conftest import World, make_settings
from tests.mobility.helpers import Orgs, make_orgs


@pytest.fixture(scope="session")
async def big_app(database_url: str) -> AsyncIterator[FastAPI]:
    """The app on the same database with an 8 MiB body limit (the suite's default is 64 KiB)."""
    application = create_app(make_settings(database_url, max_body_bytes=8 * 1_048_576))
    yield application
    await application.state.cohesion.db.dispose()


@pytest.fixture
async def big_client(big_app: FastAPI, db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=big_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def orgs(client: httpx.AsyncClient, world: World) -> Orgs:
    """Six colleges in four countries, with Erasmus OIDs (one has a PIC too)."""
    return await make_orgs(client, world)
