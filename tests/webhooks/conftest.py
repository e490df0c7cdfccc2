"""Fixtures for webhook tests: an app that may send to 127.0.0.1 and runs no background
worker, a worker the tests drive by hand, and a real HTTP receiver."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.main import create_app
from app.webhooks.worker import WebhookWorker
from tests.conftest import World, make_settings
from tests.webhooks.helpers import Hooks, Receiver, start_receiver


@pytest.fixture(scope="session")
def hook_settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        webhooks_worker_enabled=False,
        webhooks_allow_private_targets=True,
        webhooks_timeout_seconds=2.0,
    )


@pytest.fixture(scope="session")
async def hook_app(hook_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(hook_settings)
    yield application
    await application.state.cohesion.db.dispose()


@pytest.fixture
async def hook_client(hook_app: FastAPI, db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hook_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def hooks(hook_client: httpx.AsyncClient, world: World) -> Hooks:
    return Hooks(hook_client, world)


@pytest.fixture
async def worker(hook_app: FastAPI, hook_settings: Settings) -> AsyncIterator[WebhookWorker]:
    w = WebhookWorker(hook_app.state.cohesion.db, hook_settings)
    yield w
    await w.aclose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = start_receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()
