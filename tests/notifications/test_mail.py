"""The mail outbox and worker: the .eml default, retries, and one send per message id, also
with two workers at once."""

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import utcnow
from app.mail import service as mail
from app.mail.models import MailMessage
from app.mail.transport import FileTransport, SmtpTransport
from app.mail.worker import MailWorker
from tests.conftest import World
from tests.notifications.conftest import Inbox


async def queue(app: FastAPI, settings: Settings, count: int = 1) -> None:
    async with app.state.cohesion.db.transaction() as session:
        for i in range(count):
            await mail.enqueue(
                session,
                settings,
                kind="notification",
                to=f"person{i}@test.example",
                network_name="West Partnership",
                title=f"Hello {i}",
                text="Something is due.",
            )


async def test_without_a_server_mail_is_written_as_eml_files(
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cohesion.mail")
    await queue(notify_app, notify_settings)
    worker = MailWorker(
        notify_app.state.cohesion.db, notify_settings, mailer=FileTransport(tmp_path / "mail")
    )
    assert await worker.process_due() == 1
    [written] = list((tmp_path / "mail").glob("*.eml"))
    text = written.read_text()
    assert "Subject: [West Partnership] Hello 0" in text
    assert any(str(written) in r.getMessage() for r in caplog.records)
    assert await worker.process_due() == 0


def test_the_default_transport_is_the_eml_one(notify_settings: Settings) -> None:
    from app.mail.transport import from_settings

    assert isinstance(from_settings(notify_settings), FileTransport)
    configured = notify_settings.model_copy(
        update={"smtp_url": SecretStr("smtps://u:p@mail.example:465")}
    )
    transport = from_settings(configured)
    assert isinstance(transport, SmtpTransport)
    assert (transport.hostname, transport.port, transport.use_tls) == ("mail.example", 465, True)


async def test_two_workers_at_once_send_each_message_once(
    notify_app: FastAPI, notify_settings: Settings, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    await queue(notify_app, notify_settings, count=5)
    other = MailWorker(notify_app.state.cohesion.db, notify_settings, mailer=mailer.mailer)
    sent = await asyncio.gather(mailer.process_due(), other.process_due())
    assert sum(sent) == 5
    assert sorted(m["To"] for m in inbox.messages) == [f"person{i}@test.example" for i in range(5)]
    assert len({m["Message-ID"] for m in inbox.messages}) == 5
    assert await mailer.process_due() == 0


async def test_a_failed_send_is_retried_with_back_off(
    notify_app: FastAPI, notify_settings: Settings, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    await queue(notify_app, notify_settings)
    closed = SmtpTransport.from_url("smtp://127.0.0.1:9", timeout=2)
    failing = MailWorker(notify_app.state.cohesion.db, notify_settings, mailer=closed)
    assert await failing.process_due() == 1
    async with notify_app.state.cohesion.db.transaction() as session:
        [row] = (await session.scalars(select(MailMessage))).all()
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert await mailer.process_due() == 0  # not due before its back-off
    assert await mailer.process_due(now=utcnow() + timedelta(seconds=6)) == 1
    [message] = inbox.messages
    assert message["Message-ID"] == f"<{row.message_id}>"
