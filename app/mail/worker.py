"""The mail worker: claims due messages (see app/core/outbox.py), sends them through the
configured transport, records what happened.

A message is claimed by one worker only (SKIP LOCKED on PostgreSQL, a lease everywhere) and
marked sent, its bodies emptied, only by the claim that sent it; the ``Message-ID`` stays the
same on every attempt. Failures are retried with the webhooks' back-off for 24 hours; a
permanent refusal (SMTP 5xx) fails the message at once.
"""

import asyncio
import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import col

from app.core import outbox
from app.core.config import Settings
from app.core.db import Database, utcnow
from app.core.outbox import RETRY_WINDOW, backoff, claim, due, poll, token_matches
from app.mail import service, transport
from app.mail.models import MailMessage

log = logging.getLogger("cohesion.mail")


@dataclass(frozen=True, slots=True)
class Outcome:
    message: MailMessage
    token: str
    error: str | None
    permanent: bool = False


class MailWorker:
    """Sends due mail; one transport for the worker's life."""

    def __init__(
        self, db: Database, settings: Settings, *, mailer: transport.Transport | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer or transport.from_settings(settings)
        self._stop = asyncio.Event()

    async def claim(self, *, now: datetime) -> tuple[str, list[MailMessage]]:
        async with self.db.transaction(write=False) as session:
            if (
                await session.scalar(
                    select(col(MailMessage.id)).where(*due(MailMessage, now)).limit(1)
                )
                is None
            ):
                return "", []
        async with self.db.transaction() as session:
            return await claim(
                session,
                MailMessage,
                now=now,
                limit=self.settings.mail_batch_size,
                lease_seconds=self.settings.mail_lease_seconds,
            )

    async def _send(self, message: MailMessage, token: str) -> Outcome:
        try:
            email = service.build(self.settings, message)
            await self.mailer.send(email, message_id=message.message_id)
        except transport.PermanentFailure as exc:
            return Outcome(message, token, str(exc)[:500], permanent=True)
        except Exception as exc:  # one bad message must not stop the batch
            log.warning(
                "mail not sent; will retry",
                extra={"message_id": message.message_id, "error": type(exc).__name__},
            )
            return Outcome(message, token, f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(message, token, None)

    async def record(self, outcomes: Sequence[Outcome], *, now: datetime) -> None:
        async with self.db.transaction() as session:
            for result in outcomes:
                message = result.message
                attempts = message.attempts + 1
                first = message.first_attempt_at or now
                values: dict[str, object] = {
                    "attempts": attempts,
                    "first_attempt_at": first,
                    "last_attempt_at": now,
                    "last_error": result.error,
                    "claimed_until": None,
                    "claim_token": None,
                }
                if result.error is None:
                    values.update(
                        status="sent",
                        sent_at=now,
                        next_attempt_at=None,
                        content=service.emptied(self.settings),
                    )
                elif result.permanent or now - first >= RETRY_WINDOW:
                    values.update(status="failed", next_attempt_at=None)
                else:
                    values.update(next_attempt_at=now + backoff(attempts))
                assert message.id is not None
                await session.execute(
                    update(MailMessage)
                    .where(*token_matches(MailMessage, message.id, result.token))
                    .values(**values)
                )

    async def process_due(self, *, now: datetime | None = None) -> int:
        """Send every message due at ``now`` (default: the current time) once; returns how
        many were attempted."""
        moment = now or utcnow()
        token, messages = await self.claim(now=moment)
        if not messages:
            return 0
        outcomes = [await self._send(m, token) for m in messages]
        await self.record(outcomes, now=now or utcnow())
        return len(messages)

    async def run(self) -> None:
        await poll(
            self.process_due,
            self._stop,
            batch_size=self.settings.mail_batch_size,
            poll_seconds=self.settings.mail_poll_seconds,
            log=log,
            name="mail worker",
        )

    def stop(self) -> None:
        self._stop.set()

    async def aclose(self) -> None:
        """Nothing to close: the transport opens a connection per message."""


def in_background(db: Database, settings: Settings) -> AbstractAsyncContextManager[None]:
    """Run a mail worker beside the app while the context is open (when enabled)."""
    return outbox.in_background(
        lambda: MailWorker(db, settings),
        enabled=settings.mail_worker_enabled,
        name="mail-worker",
        stop_seconds=settings.smtp_timeout_seconds + 5,
        log=log,
    )


async def run_forever(settings: Settings, *, once: bool = False) -> int:
    """The mail part of ``cohesion worker``: until SIGINT/SIGTERM, or one pass with once."""
    return await outbox.run_forever(settings, MailWorker, once=once)
