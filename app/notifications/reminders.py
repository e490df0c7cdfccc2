"""The daily reminder run: milestones due soon and overdue, stale measures, partnerships due
for review, meetings in the coming week, terms of office ending (``term.ends_soon``); then the
daily and weekly digests. "Soon" is the network's lead time (``networks.reminder_days_ahead``),
or the server's default of 14 days.

The run works network by network in short transactions, so it never holds SQLite's single
write lock (or PostgreSQL's row locks) for long: every request waiting to write gets in
between two batches. For each network and kind of reminder, one read (no write lock) lists
the candidates and drops those already handled (their ``ReminderMark``); then the rest is
written in batches sized to hold the lock about ``HOLD_SECONDS``, each in a transaction of
its own that reads its items again (what changed since is respected) and pauses after
committing (see ``_pause``).

Each (kind, item, due period) is handled once: a ``ReminderMark`` is inserted with ON CONFLICT
DO NOTHING in the same transaction as what is published for it, so a second run, a run
interrupted half-way and started again (it goes on where it stopped), or two workers at once
(the second waits for the first's row on PostgreSQL, and SQLite runs writers one at a time)
publish nothing twice. The same run publishes the webhook events ``milestone.due_soon``,
``milestone.overdue`` and ``measure.stale`` through the audit trail.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.config import Settings
from app.core.db import Database, utcnow
from app.networks.models import Network
from app.notifications import digests
from app.notifications.models import ReminderMark
from app.notifications.reminder_kinds import SOURCES, Key, Source, Summary, lead_days, mark

__all__ = ["Summary", "in_background", "lead_days", "run", "run_if_due"]

log = logging.getLogger("cohesion.reminders")

# How long one write transaction may hold the lock: batches are sized to it, from the time
# the last batch took per item (a reminder is ten statements or so: a few ms on a quiet
# machine, tens of ms on a busy one), between one and ``MAX_BATCH`` items.
HOLD_SECONDS = 0.05
MAX_BATCH = 100
# Marks looked up per statement (bound parameters stay far below both databases' limits).
LOOKUP = 500


async def _unmarked(session: AsyncSession, keys: list[Key]) -> list[int]:
    """The ids of the items whose (kind, item, period) no run has handled yet, in order."""
    done: set[Key] = set()
    for start in range(0, len(keys), LOOKUP):
        part = keys[start : start + LOOKUP]
        rows = await session.execute(
            select(
                col(ReminderMark.kind), col(ReminderMark.object_id), col(ReminderMark.period)
            ).where(
                col(ReminderMark.kind).in_(sorted({k for k, _, _ in part})),
                col(ReminderMark.object_id).in_(sorted({i for _, i, _ in part})),
            )
        )
        done.update((k, i, p) for k, i, p in rows.all())
    return [key[1] for key in keys if key not in done]


async def _pause(db: Database, held: float) -> None:
    """Let waiting writers in. On SQLite a writer waiting for the lock retries on its busy
    handler's schedule (every 100 ms at most), not when the lock is released, so the run
    rests about as long as its batch held the lock; PostgreSQL only needs the loop back."""
    await asyncio.sleep(min(max(held, 0.005), 0.2) if db.settings.is_sqlite else 0)


async def _remind(
    db: Database,
    settings: Settings,
    source: Source,
    network: Network,
    as_of: date,
    summary: Summary,
) -> None:
    """One kind of reminder in one network: the candidates read without the write lock, then
    what is left written in batches, each in its own short transaction."""
    stmt = source.select(settings, network, as_of)
    async with db.transaction(write=False) as session:
        rows = await session.execute(stmt.with_only_columns(*source.key_columns()))
        keys = [k for row in rows.all() if (k := source.key(row, as_of)) is not None]
        waiting = await _unmarked(session, keys)
    size = 1
    while waiting:
        ids, waiting = waiting[:size], waiting[size:]
        began = time.monotonic()
        async with db.transaction() as session:
            # Read again under the lock: what changed since the first read is respected.
            fresh = (await session.execute(stmt.where(col(source.id).in_(ids)))).all()
            await source.send(session, settings, as_of, summary, fresh)
        held = time.monotonic() - began
        # At most doubled at a time: one quick batch is no promise of the next.
        fit = int(HOLD_SECONDS * len(ids) / max(held, 1e-6))
        size = max(1, min(MAX_BATCH, 2 * len(ids), fit))
        await _pause(db, held)


async def _ran(db: Database, as_of: date) -> bool:
    async with db.transaction(write=False) as session:
        found = await session.scalar(
            select(col(ReminderMark.id)).where(
                col(ReminderMark.kind) == "run",
                col(ReminderMark.object_id) == 0,
                col(ReminderMark.period) == as_of.isoformat(),
            )
        )
    return found is not None


async def run(db: Database, settings: Settings, *, as_of: date, daily: bool = False) -> Summary:
    """``cohesion reminders --as-of``: one reminder run and the digests, network by network
    in short transactions. ``daily``: the worker's run, done only if no run of that day was
    finished yet (an interrupted one is taken up again and goes on where it stopped)."""
    summary = Summary(as_of)
    if daily and await _ran(db, as_of):
        return summary
    async with db.transaction(write=False) as session:
        networks = list(
            (
                await session.scalars(
                    select(Network)
                    .where(col(Network.deleted_at).is_(None))
                    .order_by(col(Network.id))
                )
            ).all()
        )
    for network in networks:
        for source in SOURCES:
            await _remind(db, settings, source, network, as_of, summary)
    digested = await digests.send_digests(db, settings, as_of, lambda: _pause(db, 0))
    if digested:
        summary.counts["digests"] += digested
    if daily:
        async with db.transaction() as session:
            await mark(session, "run", 0, as_of.isoformat())
    log.info(summary.line())
    return summary


async def run_if_due(db: Database, settings: Settings, *, now: datetime) -> Summary | None:
    """The worker's daily run: once a day, from ``reminder_hour_utc`` on (the day's mark makes
    several workers, or a restart, run it once)."""
    if now.hour < settings.reminder_hour_utc:
        return None
    return await run(db, settings, as_of=now.date(), daily=True)


@contextlib.asynccontextmanager
async def in_background(db: Database, settings: Settings) -> AsyncIterator[None]:
    """Run the daily reminders beside the app (with the mail worker's setting)."""
    if not settings.mail_worker_enabled:
        yield
        return
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            try:
                await run_if_due(db, settings, now=utcnow())
            except Exception:
                log.exception("reminder run failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 300)

    task = asyncio.create_task(loop(), name="reminders")
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
