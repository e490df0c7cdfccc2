"""What every outbox worker shares (webhook deliveries, mail): the back-off schedule, claiming
due rows for a lease, and the polling loop.

Claiming is a short write transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (so
several workers share a queue without taking the same row), serialised by SQLite's BEGIN
IMMEDIATE there. Each claimed row gets a lease (``claimed_until``) and the claim's token
(``claim_token``) instead of a lock held while sending, so no transaction stays open during
network calls; the outcome is recorded only where the token still matches.
"""

import asyncio
import contextlib
import logging
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.config import Settings
from app.core.db import Database

BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 7200)
MAX_BACKOFF_SECONDS = 4 * 3600
RETRY_WINDOW = timedelta(hours=24)

T = TypeVar("T")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (5 s, 30 s, 2 min, 10 min, 30 min,
    1 h, 2 h, then every 4 h)."""
    index = attempts - 1
    seconds = BACKOFF_SECONDS[index] if index < len(BACKOFF_SECONDS) else MAX_BACKOFF_SECONDS
    return timedelta(seconds=seconds)


def due(model: Any, now: datetime) -> list[ColumnElement[bool]]:
    """Rows of an outbox table (``status``, ``next_attempt_at``, ``claimed_until``) due now."""
    return [
        col(model.status) == "pending",
        col(model.next_attempt_at) <= now,
        or_(col(model.claimed_until).is_(None), col(model.claimed_until) <= now),
    ]


async def claim(
    session: AsyncSession,
    model: type[T],
    *,
    now: datetime,
    limit: int,
    lease_seconds: int,
) -> tuple[str, list[T]]:
    """Claim up to ``limit`` due rows of ``model`` for a lease; returns the claim's token and
    the rows (oldest due first)."""
    table: Any = model
    rows = list(
        (
            await session.scalars(
                select(model)
                .where(*due(table, now))
                .order_by(col(table.next_attempt_at), col(table.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    token = uuid.uuid4().hex
    if rows:
        until = now + timedelta(seconds=lease_seconds)
        await session.execute(
            update(model)
            .where(col(table.id).in_([row.id for row in rows]))  # type: ignore[attr-defined]
            .values(claimed_until=until, claim_token=token)
            .execution_options(synchronize_session=False)
        )
        for row in rows:
            row.claimed_until = until  # type: ignore[attr-defined]
            row.claim_token = token  # type: ignore[attr-defined]
    return token, rows


async def poll(
    process_due: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    *,
    batch_size: int,
    poll_seconds: float,
    log: logging.Logger,
    name: str,
) -> None:
    """Call ``process_due`` until ``stop`` is set, waiting ``poll_seconds`` after a batch that
    was not full; an error is logged and the loop goes on."""
    log.info("%s started", name)
    while not stop.is_set():
        try:
            handled = await process_due()
        except Exception:
            log.exception("%s batch failed; retrying shortly", name)
            handled = 0
        if handled < batch_size:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
    log.info("%s stopped", name)


async def stop_task(
    task: "asyncio.Task[Any]", stop: Callable[[], None], *, seconds: float, log: logging.Logger
) -> None:
    """Ask a background worker to stop and wait for it (its claims expire with the lease)."""
    stop()
    try:
        await asyncio.wait_for(task, seconds)
    except TimeoutError:
        log.warning("%s did not stop in time; its claims expire with the lease", task.get_name())
    except Exception:
        log.exception("%s failed", task.get_name())


def token_matches(model: Any, row_id: int, token: str) -> Sequence[ColumnElement[bool]]:
    """Where a worker may record the outcome of its claim (not taken over by another)."""
    return (col(model.id) == row_id, col(model.claim_token) == token)


# --- running a worker --------------------------------------------------------------------


class Worker(Protocol):
    """What an outbox worker offers to be run beside the app or on its own."""

    async def process_due(self) -> int: ...

    async def run(self) -> None: ...

    def stop(self) -> None: ...

    async def aclose(self) -> None: ...


def stop_on_signals(stop: Callable[[], None]) -> None:
    """Call ``stop`` on SIGINT or SIGTERM (where the loop can listen for signals)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop)


@contextlib.asynccontextmanager
async def in_background(
    make: Callable[[], Worker],
    *,
    enabled: bool,
    name: str,
    stop_seconds: float,
    log: logging.Logger,
) -> AsyncIterator[None]:
    """Run the worker ``make`` builds beside the app while the context is open (when
    ``enabled``); on leaving, stop it, wait up to ``stop_seconds`` and close it."""
    if not enabled:
        yield
        return
    worker = make()
    task = asyncio.create_task(worker.run(), name=name)
    try:
        yield
    finally:
        await stop_task(task, worker.stop, seconds=stop_seconds, log=log)
        await worker.aclose()


async def run_forever(
    settings: Settings, make: Callable[[Database, Settings], Worker], *, once: bool = False
) -> int:
    """A worker on its own (``cohesion worker``): until SIGINT/SIGTERM, or one pass with
    ``once`` (then: how many rows it attempted)."""
    db = Database(settings)
    worker = make(db, settings)
    try:
        if once:
            return await worker.process_due()
        stop_on_signals(worker.stop)
        await worker.run()
        return 0
    finally:
        await worker.aclose()
        await db.dispose()
