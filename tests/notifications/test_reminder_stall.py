"""The daily reminder run never stalls requests: a real ``cohesion serve`` on a SQLite file
starts its in-process run over many networks with overdue milestones and terms ending, and
while it runs a health check and a log-in (which writes: the log-in attempt is counted in
the database) each answer within two seconds (about one at most on a busy machine).
Afterwards every reminder was made exactly once, and a second run makes none. A run stopped
half-way is taken up where it stopped.

The run used to handle everything in one transaction, holding SQLite's write lock from the
first reminder to the last (over 30 s on the bench's data set): every write waited for it.
"""

import asyncio
import contextlib
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col

from app import models  # noqa: F401 - every table, for the foreign keys between domains
from app.auth.models import RoleAssignment, User
from app.core.config import Settings
from app.core.db import Database
from app.networks.models import Network
from app.notifications import reminders
from app.notifications.models import Notification, ReminderMark
from app.plans.models import Milestone, Objective, Plan
from tests.conftest import World
from tests.faults.harness import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    API,
    Server,
    prepare_database,
    server_env,
)

SECRET = "reminder-stall-secret-long-enough-for-hs256!"
NETWORKS = 30
MILESTONES = 20  # overdue, in each network's plan: 600 reminders, each told to the chair
# A log-in hashes a password and writes; on a quiet machine it answers in well under 1 s during
# the run, on a shared 2-core one at load 9 up to ~1 s. The old run held it for 12 s and more.
BOUND_SECONDS = 2.0


async def build(
    db: Database, today: date, *, networks: int = NETWORKS, milestones: int = MILESTONES
) -> int:
    """Networks, each with a chair whose term ends in a month and a plan with overdue
    milestones, written in a few bulk statements; returns how many reminders are due."""
    async with db.transaction() as session:
        made = [Network(name=f"Busy network {i}", kind="regional") for i in range(networks)]
        chairs = [
            User(email=f"chair{i}@test.example", name=f"Chair {i}", password_hash="-")
            for i in range(networks)
        ]
        session.add_all([*made, *chairs])
        await session.flush()
        plans = [
            Plan(
                network_id=n.id or 0,
                title=f"Plan of {n.name}",
                period_start=today - timedelta(days=200),
                period_end=today + timedelta(days=200),
                status="active",
            )
            for n in made
        ]
        session.add_all(plans)
        session.add_all(
            RoleAssignment(
                network_id=n.id or 0,
                user_id=c.id or 0,
                role="chair",
                term_ends_on=today + timedelta(days=30),
            )
            for n, c in zip(made, chairs, strict=True)
        )
        await session.flush()
        objectives = [
            Objective(plan_id=p.id or 0, code="1", kind="objective", title="Better VET")
            for p in plans
        ]
        session.add_all(objectives)
        await session.flush()
        session.add_all(
            Milestone(
                plan_id=o.plan_id,
                objective_id=o.id or 0,
                title=f"Milestone {m}",
                due_on=today - timedelta(days=10 + m),
            )
            for o in objectives
            for m in range(milestones)
        )
    return networks * (milestones + 1)


async def marks(db: Database) -> int:
    """How many items the runs have handled so far."""
    async with db.transaction(write=False) as session:
        found = await session.scalar(select(func.count()).where(col(ReminderMark.kind) != "run"))
    return int(found or 0)


async def test_a_run_stopped_half_way_goes_on_where_it_stopped(
    notify_app: FastAPI, notify_settings: Settings, world: World
) -> None:
    db = notify_app.state.cohesion.db
    today = datetime.now(UTC).date()
    expected = await build(db, today, networks=4, milestones=10)
    first = asyncio.create_task(reminders.run(db, notify_settings, as_of=today, daily=True))
    while not await marks(db) > 0:
        assert not first.done()
        await asyncio.sleep(0.005)
    first.cancel()  # a worker stopped (or killed: its open transaction is rolled back)
    with contextlib.suppress(asyncio.CancelledError):
        await first
    handled = await marks(db)
    assert 0 < handled < expected
    second = await reminders.run(db, notify_settings, as_of=today, daily=True)
    assert second.counts["milestone.overdue"] + second.counts["term.ends_soon"] == (
        expected - handled
    )
    assert await marks(db) == expected
    async with db.transaction(write=False) as session:
        told = (
            await session.execute(
                select(col(Notification.object_type), col(Notification.object_id))
            )
        ).all()
    assert len(told) == len(set(told)) == expected  # each chair once per item
    done = await reminders.run(db, notify_settings, as_of=today, daily=True)
    assert dict(done.counts) == {}  # the day's run is done


async def test_the_daily_run_lets_every_request_through(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'remind.db'}"
    env = server_env(
        url,
        COHESION_JWT_SECRET=SECRET,
        COHESION_REMINDER_HOUR_UTC="0",  # the day's run starts with the server
        COHESION_MAIL_WORKER_ENABLED="true",  # which runs the reminders beside the app
        COHESION_MAIL_DIR=str(tmp_path / "mail"),
        COHESION_RATELIMIT_LOGIN="100000/minute",
        COHESION_RATELIMIT_LOGIN_ADDRESS="100000/minute",
        COHESION_RATELIMIT_TOKEN_IP="100000/minute",
    )
    await asyncio.to_thread(prepare_database, env)
    settings = Settings(_env_file=None, database_url=url, jwt_secret=SECRET)  # type: ignore[call-arg]
    today = datetime.now(UTC).date()
    db = Database(settings)
    try:
        expected = await build(db, today)  # milestones, and one term ending per network
    finally:
        await db.dispose()
    milestones = expected - NETWORKS

    engine = create_async_engine(url)  # reads only: in WAL mode they never block a writer

    async def scalar(sql: str) -> int:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar() or 0)

    server = Server(env, tmp_path / "server.log").start()
    slowest = {"healthz": 0.0, "login": 0.0}
    probes = half_way = 0  # probes made during the run, and while it was half-way
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
            deadline = time.monotonic() + 600
            while not await scalar("SELECT count(*) FROM reminder_marks WHERE kind = 'run'"):
                assert time.monotonic() < deadline, "the run did not finish in 10 minutes"
                done = await scalar("SELECT count(*) FROM reminder_marks WHERE kind != 'run'")
                began = time.monotonic()
                health = await http.get("/healthz")
                slowest["healthz"] = max(slowest["healthz"], time.monotonic() - began)
                assert health.status_code == 200, health.text
                began = time.monotonic()
                login = await http.post(
                    f"{API}/auth/token",
                    data={
                        "grant_type": "password",
                        "username": ADMIN_EMAIL,
                        "password": ADMIN_PASSWORD,
                    },
                )
                slowest["login"] = max(slowest["login"], time.monotonic() - began)
                assert login.status_code == 200, login.text
                probes += 1
                half_way += 0 < done < expected
                await asyncio.sleep(0.05)
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert "locked" not in log.lower() and "Traceback" not in log, log[-2000:]
    print(f"slowest answers during the run: {slowest}; {probes} probes, {half_way} half-way")
    assert max(slowest.values()) < BOUND_SECONDS, slowest
    assert probes >= 5, f"only {probes} probes ran during the run"
    assert half_way >= 1, "the run's reminders were committed all at once"

    # Every reminder exactly once: one mark, one notification, one mail, one audit event.
    try:
        assert await scalar("SELECT count(*) FROM reminder_marks WHERE kind != 'run'") == expected
        items = "SELECT count(*) FROM (SELECT DISTINCT object_type, object_id FROM notifications)"
        assert await scalar(items) == expected
        assert await scalar("SELECT count(*) FROM notifications") == expected
        assert await scalar("SELECT count(*) FROM mail_outbox") == expected
        overdue = "SELECT count(*) FROM audit_events WHERE action = 'overdue'"
        assert await scalar(overdue) == milestones
        db = Database(settings)
        try:
            again = await reminders.run(db, settings, as_of=today)
            assert dict(again.counts) == {}
        finally:
            await db.dispose()
        assert await scalar("SELECT count(*) FROM notifications") == expected
    finally:
        await engine.dispose()
