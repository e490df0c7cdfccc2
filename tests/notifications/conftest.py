"""Fixtures for the messaging tests: an app with a portal address and no background workers,
a real SMTP server (aiosmtpd) inside the test process, and a mail worker pointed at it."""

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from app.core.config import Settings
from app.mail.transport import SmtpTransport
from app.mail.worker import MailWorker
from app.main import create_app
from tests.conftest import World, make_settings

PORTAL = "https://portal.test"


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        body = message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    def token(self, message: EmailMessage, page: str) -> str:
        found = re.search(rf"{PORTAL}/{page}\?token=([A-Za-z0-9_-]+)", self.text(message))
        assert found, self.text(message)
        return found.group(1)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="session")
def notify_settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        portal_url=PORTAL,
        mail_worker_enabled=False,
        webhooks_worker_enabled=False,
        mail_from="Cohesion <no-reply@cohesion.test>",
    )


@pytest.fixture(scope="session")
async def notify_app(notify_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(notify_settings)
    yield application
    await application.state.cohesion.db.dispose()


@pytest.fixture
async def api(notify_app: FastAPI, db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=notify_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
def mailer(notify_app: FastAPI, notify_settings: Settings, smtp: tuple[Inbox, int]) -> MailWorker:
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{smtp[1]}", timeout=10)
    return MailWorker(notify_app.state.cohesion.db, notify_settings, mailer=transport)


async def deliver(worker: MailWorker) -> int:
    """Send what is queued (the SMTP server runs in its own thread)."""
    sent = await worker.process_due()
    await asyncio.sleep(0)
    return sent


async def audited(world: World, object_type: str, action: str) -> int:
    """How many audit events of ``action`` on ``object_type`` the database holds."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from app.core.audit import AuditEvent

    async with world.app.state.cohesion.db.transaction() as session:
        found = await session.scalar(
            select(func.count()).where(
                col(AuditEvent.object_type) == object_type, col(AuditEvent.action) == action
            )
        )
    return int(found or 0)
