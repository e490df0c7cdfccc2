"""Engine, per-request sessions and column types shared by every domain."""

import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

from app.core.config import Settings

WRITE_OPTION = "cohesion_write"
# Drivers whose DEBUG log prints every statement with its parameter values (aiosqlite does).
DRIVER_LOGGERS = ("aiosqlite", "asyncpg")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC before they are stored.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys and a busy timeout on every connection; BEGIN IMMEDIATE for writes.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    a write transaction that starts DEFERRED and later upgrades to a write lock fails at
    once with "database is locked" when another writer got there first, whatever the
    busy timeout. Starting it IMMEDIATE makes it wait for the lock instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        # Straight to aiosqlite: one hop to its thread, where a cursor through SQLAlchemy
        # costs four (open, execute, fetch, close) and BEGIN is on every request. What the
        # driver raises (a write lock not granted within the busy timeout) is wrapped as
        # SQLAlchemy would have, so it is answered as every other database error.
        try:
            await_only(conn.connection.driver_connection.execute(statement))
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc

    @event.listens_for(engine.sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
        # A connection whose transaction was committed or rolled back (every request's,
        # see core.routing) goes back to the pool as it is; only an open one is rolled back.
        # (sqlite3's in_transaction is read without a hop to aiosqlite's thread.)
        if not state.terminate_only and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()


def create_engine(settings: Settings) -> AsyncEngine:
    """The process's engine for the configured database.

    ``hide_parameters``: a database error's text names the statement but not the values sent
    with it (e-mails, answers, secrets), so logging the error logs no data. For the same
    reason the drivers' own loggers never log below INFO, whatever COHESION_LOG_LEVEL says."""
    for name in DRIVER_LOGGERS:
        if logging.getLogger(name).level < logging.INFO:
            logging.getLogger(name).setLevel(logging.INFO)
    if settings.is_sqlite:
        # A writer holds its connection while it waits for the write lock, so a request may
        # wait as long for a connection as for the lock.
        busy_seconds = settings.sqlite_busy_timeout_ms / 1000
        engine = create_async_engine(
            settings.database_url,
            connect_args={"timeout": busy_seconds},
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_pool_size,
            pool_timeout=busy_seconds,
            pool_reset_on_return=None,  # _on_reset rolls back only what is still open
            hide_parameters=True,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout_seconds,
        pool_recycle=1800,
        connect_args={"timeout": settings.database_connect_timeout_seconds},
        hide_parameters=True,
    )
    _ping_after_disconnect(engine)
    return engine


# After a lost connection, every checkout pings for this long (connections opened just before
# the server went away look alive until used); otherwise no checkout pings.
PING_WINDOW_SECONDS = 60.0


def _ping_after_disconnect(engine: AsyncEngine) -> None:
    """A pre-ping only after a connection error, instead of ``pool_pre_ping`` on every checkout.

    ``pool_pre_ping`` cost three round trips per request on asyncpg (BEGIN, an empty query,
    ROLLBACK). Without it, a disconnect seen by any statement already invalidates every pooled
    connection opened before it (SQLAlchemy's pool invalidation); this also pings each checkout
    for ``PING_WINDOW_SECONDS`` after it, so a connection opened just before the server went
    away is replaced before a request uses it, not after it failed that request."""
    suspect_until = [0.0]

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        if context.is_disconnect:
            suspect_until[0] = time.monotonic() + PING_WINDOW_SECONDS

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if time.monotonic() >= suspect_until[0]:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("the connection did not answer a ping") from exc


class Database:
    """The engine and the two session factories (reads, and writes that lock early)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_engine(settings)
        write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._read = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._write = async_sessionmaker(write_engine, expire_on_commit=False, autoflush=True)
        # PostgreSQL reads without BEGIN and COMMIT: each statement is its own transaction,
        # which at READ COMMITTED (PostgreSQL's default) sees what one transaction would have
        # seen, since there each statement takes its own snapshot anyway. Two round trips
        # fewer per read request. SQLite keeps its transaction (one snapshot for the request).
        self._autocommit = (
            self._read
            if settings.is_sqlite
            else async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
                autoflush=True,
            )
        )
        self._pinned: async_sessionmaker[AsyncSession] | None = None

    def session(self, *, write: bool, autocommit: bool = False) -> AsyncSession:
        """A new session; ``write`` sessions take SQLite's write lock when they begin.
        ``autocommit``: a request that only reads (GET/HEAD), on PostgreSQL without a
        transaction of its own (see ``__init__``)."""
        if self._pinned is not None:
            return self._pinned()
        if write:
            return self._write()
        return (self._autocommit if autocommit else self._read)()

    def pin(self, connection: AsyncConnection | None) -> None:
        """Test hook: every new session joins ``connection``'s open transaction through a
        SAVEPOINT (its commit releases the savepoint, its rollback goes back to it), so a test
        rolls back everything the app did by rolling back that one transaction.
        ``None`` restores the engine's own sessions. Never used outside the tests."""
        self._pinned = (
            None
            if connection is None
            else async_sessionmaker(
                bind=connection,
                expire_on_commit=False,
                autoflush=True,
                join_transaction_mode="create_savepoint",
            )
        )

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One unit of work outside a request (CLI, demo loader): commit or roll back."""
        async with self.session(write=write) as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncSession:
    """The request's session; the route class owns its transaction (see core.routing).

    ``async`` on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, which
    on every request cost a thread hand-off (and waits for a free thread under load)."""
    session: AsyncSession | None = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("route does not use CohesionRoute, so it has no session")
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
