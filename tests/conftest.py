"""Test harness: one migrated database per session and database kind, a cheap reset per test,
and the real app called through httpx's ASGI transport.

The suite runs on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set; every test
that uses the database runs once per kind (ids end in ``[sqlite]`` / ``[postgresql]``).

Under pytest-xdist (``make test`` runs ``-n auto``) each worker has its own databases: SQLite
files under its own temporary directory, and ``<TEST_DATABASE_URL's database>_<worker>`` on
PostgreSQL, created on first use and put back into TEST_DATABASE_URL for the worker (and the
servers it starts), so no two workers ever share a schema.
"""

import asyncio
import copy
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import Table, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.auth.models import User
from app.auth.policy import Principal, Role
from app.auth.schemas import RoleCreate
from app.core.config import Settings
from app.core.db import WRITE_OPTION
from app.main import create_app
from app.models import metadata
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkKind

ROOT = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "correct horse battery"
TEST_DATA_KEY = "AyqHfjoQIY0DTXBzPSTlZh9gTWxwGaP5P2OmspesIFY="  # a Fernet key, for tests only
T = TypeVar("T")
DB_KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


async def _ensure_database(url: str) -> None:
    """Create ``url``'s PostgreSQL database if it does not exist yet."""
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL")
    if worker and url:
        base = make_url(url)
        own = base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)
        asyncio.run(_ensure_database(own))
        os.environ["TEST_DATABASE_URL"] = own


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


async def recreate_postgres_schema(url: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def make_settings(url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": url,
        "jwt_secret": "test-secret-that-is-long-enough-for-hs256!",
        "data_keys": TEST_DATA_KEY,
        "respondent_hmac_key": "test-respondent-key-that-is-long-enough!",
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 1024,
        "sqlite_busy_timeout_ms": 30_000,
        "max_body_bytes": 65_536,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Coverage (``make test`` runs ``--cov``) is measured on the SQLite run only: the same code
    runs again on PostgreSQL, and tracing it twice doubled the suite's time for a figure that
    moves by a fraction of a percent (a dialect branch). The PostgreSQL run is untraced."""
    plugin = item.config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    callspec = getattr(item, "callspec", None)
    pause = (
        controller is not None
        and getattr(controller, "started", False)
        and callspec is not None
        and callspec.params.get("db_kind") == "postgresql"
    )
    if pause:
        controller.pause()
    try:
        yield
    finally:
        if pause:
            controller.resume()


@pytest.fixture(scope="session", params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def database_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head with Alembic, once per session and kind."""
    if db_kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'cohesion.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        await recreate_postgres_schema(url)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.cohesion.db.dispose()


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> AsyncEngine:
    return app.state.cohesion.db.engine  # type: ignore[no-any-return]


_RESET_SCRIPTS: dict[int, str] = {}


async def reset_database(engine: AsyncEngine) -> None:
    """Empty every table (the append-only audit triggers are set aside for the reset), as one
    script sent straight to the driver: one round trip per test instead of one per table."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        script = _RESET_SCRIPTS.get(id(engine))
        if script is None:
            deletes = "".join(f'DELETE FROM "{table}";' for table in tables)
            if engine.dialect.name == "postgresql":
                # Row DELETEs with triggers (foreign keys, audit guard) switched off for this
                # transaction are much faster than TRUNCATE on small tables.
                script = f"BEGIN;SET LOCAL session_replication_role = replica;{deletes}COMMIT;"
            else:
                triggers = await driver.execute_fetchall(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                )
                drops = "".join(f'DROP TRIGGER "{name}";' for name, _ in triggers)
                creates = "".join(f"{sql};" for _, sql in triggers)
                script = f"BEGIN IMMEDIATE;{drops}{deletes}{creates}COMMIT;"
            _RESET_SCRIPTS[id(engine)] = script
        if engine.dialect.name == "postgresql":
            await driver.execute(script)
        else:
            await driver.executescript(script)


@pytest.fixture
async def db(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[None]:
    await reset_database(engine)
    yield


@pytest.fixture
async def client(app: FastAPI, db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@dataclass
class Person:
    id: int
    email: str
    headers: dict[str, str]


@dataclass
class World:
    """Two networks with people in every role, and helpers to act as them."""

    app: FastAPI
    admin: Person
    network_a: int
    child_a: int
    network_b: int
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]

    def headers(self, name: str) -> dict[str, str]:
        if name == "anonymous":
            return {}
        return self.people[name].headers


def token_headers(app: FastAPI, subject: str, **claims: object) -> dict[str, str]:
    token, _ = app.state.cohesion.tokens.issue(subject, claims or None)
    return {"Authorization": f"Bearer {token}"}


_PASSWORD_HASHES: dict[int, str] = {}


async def test_password_hash(app: FastAPI) -> str:
    """TEST_PASSWORD hashed once per app (hashing is deliberately slow)."""
    key = id(app)
    if key not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[key] = await app.state.cohesion.passwords.hash(TEST_PASSWORD)
    return _PASSWORD_HASHES[key]


def _new_user(email: str, password_hash: str, *, is_admin: bool = False) -> User:
    return User(
        email=email,
        name=email.split("@")[0].title(),
        is_admin=is_admin,
        password_hash=password_hash,
    )


async def make_user(app: FastAPI, email: str, *, is_admin: bool = False) -> Person:
    state = app.state.cohesion
    async with state.db.transaction() as session:
        user = _new_user(email, await test_password_hash(app), is_admin=is_admin)
        session.add(user)
        await session.flush()
        assert user.id is not None
        user_id = user.id
    return Person(user_id, email, token_headers(app, f"user:{user_id}"))


async def build_world(app: FastAPI) -> World:
    """Network A (a top-level alliance with one child) and network B, each with people.

    People: admin; chair, executive, facilitator, member of A; chair of B (``other_chair``);
    ``outsider``, a signed-in user with no role. Built in one transaction through the services.
    """
    from app.auth import service as auth_service

    state = app.state.cohesion
    password_hash = await test_password_hash(app)
    people = ["chair", "executive", "facilitator", "member", "other_chair", "outsider"]
    async with state.db.transaction() as session:
        users = {"admin": _new_user("admin@test.example", password_hash, is_admin=True)}
        users.update({name: _new_user(f"{name}@test.example", password_hash) for name in people})
        session.add_all(users.values())
        await session.flush()
        ids = {name: user.id for name, user in users.items()}
        root = Principal(kind="user", id=ids["admin"] or 0, is_admin=True)
        a = await network_service.create(
            session, root, data=NetworkCreate(name="Network of Networks", kind=NetworkKind.alliance)
        )
        child = await network_service.create(
            session,
            root,
            data=NetworkCreate(
                name="Basque VET Network", kind=NetworkKind.regional, parent_id=a.id
            ),
        )
        b = await network_service.create(
            session, root, data=NetworkCreate(name="West Partnership", kind=NetworkKind.partnership)
        )
        for name, network, role in [
            ("chair", a, Role.chair),
            ("executive", a, Role.executive),
            ("facilitator", a, Role.facilitator),
            ("member", a, Role.member),
            ("other_chair", b, Role.chair),
        ]:
            await auth_service.appoint(
                session, root, network, data=RoleCreate(user_id=ids[name] or 0, role=role)
            )
    assert a.id and child.id and b.id
    admin = Person(
        ids["admin"] or 0, "admin@test.example", token_headers(app, f"user:{ids['admin']}")
    )
    w = World(app=app, admin=admin, network_a=a.id, child_a=child.id, network_b=b.id)
    w.people["admin"] = admin
    for name in people:
        w.people[name] = Person(
            ids[name] or 0, f"{name}@test.example", token_headers(app, f"user:{ids[name]}")
        )
    return w


Rows = list[tuple[Table, list[dict[str, Any]]]]


async def saved_rows(engine: AsyncEngine) -> Rows:
    """Every row of every non-empty table, table by table in insert order, rows by key."""
    async with engine.connect() as conn:
        rows = [
            (
                table,
                [
                    dict(row._mapping)
                    for row in await conn.execute(table.select().order_by(*table.primary_key))
                ],
            )
            for table in metadata.sorted_tables
        ]
    return [(table, found) for table, found in rows if found]


async def put_back_rows(engine: AsyncEngine, rows: Rows) -> None:
    """Insert saved rows (ids and all) in one transaction, foreign keys checked at its end
    (SQLite) or not re-checked (PostgreSQL: they held when the rows were saved)."""
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            await conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table, found in rows:
            await conn.execute(table.insert(), found)
        if engine.dialect.name == "postgresql":
            # Explicit ids do not move the sequences: set each past its table's highest id
            # (a schema made anew, by another fixture or module, starts them at 1 again).
            await conn.execute(text(_sequences_past(rows)))


def _sequences_past(rows: Rows) -> str:
    moves = []
    for table, _ in rows:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and len(table.primary_key.columns) == 1
            ):
                seq = f"pg_get_serial_sequence('\"{table.name}\"', '{column.name}')"
                top = f'(SELECT max("{column.name}") FROM "{table.name}")'
                moves.append(f"setval({seq}, GREATEST({top}, nextval({seq})))")
    return "SELECT " + ", ".join(moves or ["1"])


@dataclass
class _Snapshot:
    """The world as first built on a database, and its rows, table by table (in insert order)."""

    world: World
    rows: list[tuple[Table, list[dict[str, Any]]]]


_SNAPSHOTS: dict[str, _Snapshot] = {}


async def restore_world(app: FastAPI) -> World:
    """The world on an empty database: built through the services the first time per database
    (and session), then put back from its saved rows, one transaction of bulk inserts: the
    same rows, ids and all, for a fraction of the services' statements. Tokens are issued anew
    for each test."""
    engine = app.state.cohesion.db.engine
    key = engine.url.render_as_string(hide_password=False)
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        built = await build_world(app)
        snapshot = _Snapshot(built, await saved_rows(engine))
        _SNAPSHOTS[key] = snapshot
    else:
        await put_back_rows(engine, snapshot.rows)
    template = snapshot.world
    people = {
        name: replace(person, headers=token_headers(app, f"user:{person.id}"))
        for name, person in template.people.items()
    }
    return replace(template, app=app, admin=people["admin"], people=people)


_STATES: dict[tuple[str, str], tuple[Any, Rows]] = {}


async def saved_state(app: FastAPI, name: str, build: Callable[[], Awaitable[T]]) -> T:
    """The database as ``build`` leaves it, and ``build``'s result: ``build`` runs the first
    time per database and ``name`` (and session) and every row is saved; later calls empty the
    database and put those rows back, ids and all (a load of the demo data: seconds of
    services and password hashes, against one transaction of bulk inserts). The caller gives
    ``build`` the same starting database each time (empty, or the world). The result (ids,
    principals; never ORM objects) is deep-copied for each caller."""
    engine = app.state.cohesion.db.engine
    key = (engine.url.render_as_string(hide_password=False), name)
    saved = _STATES.get(key)
    if saved is None:
        result = await build()
        _STATES[key] = (result, await saved_rows(engine))
        return copy.deepcopy(result)
    await reset_database(engine)
    await put_back_rows(engine, saved[1])
    return copy.deepcopy(saved[0])  # type: ignore[no-any-return]


@pytest.fixture
async def world(app: FastAPI, db: None) -> World:
    """The world (see ``build_world``) on a database emptied for the test."""
    return await restore_world(app)


# --- one world per module, a rollback per test ----------------------------------------------
#
# Building the world (and emptying the database before it) is most of a small test's time.
# Modules whose tests only need the world as it was built use ``module_world`` (built and
# committed once per module) and ``rollback_client``: every request of the test, and every
# ``db.transaction()`` it runs, joins one outer transaction through SAVEPOINTs (the app's
# commits release them), and that outer transaction is rolled back when the test ends. Inside a
# test, ``async with rolled_back(app):`` gives a nested part its own clean slate the same way.
# Do not mix ``world``/``client`` (which empty the database) with these in one module.


_PINNED: dict[int, AsyncConnection] = {}


@asynccontextmanager
async def rolled_back(app: FastAPI) -> AsyncIterator[None]:
    """Everything the app writes inside the block is rolled back at its end."""
    db = app.state.cohesion.db
    pinned = _PINNED.get(id(db))
    if pinned is not None:  # nested: a SAVEPOINT on the connection already pinned
        inner = await pinned.begin_nested()
        try:
            yield
        finally:
            await inner.rollback()
        return
    # BEGIN IMMEDIATE on SQLite: the block writes, so it takes the write lock up front.
    async with db.engine.execution_options(**{WRITE_OPTION: True}).connect() as conn:
        outer = await conn.begin()
        db.pin(conn)
        _PINNED[id(db)] = conn
        try:
            yield
        finally:
            del _PINNED[id(db)]
            db.pin(None)
            await outer.rollback()


@pytest.fixture(scope="module")
async def module_world(app: FastAPI, engine: AsyncEngine) -> World:
    """The world, built once per module on an empty database (tests roll back their changes)."""
    await reset_database(engine)
    return await restore_world(app)


def one_world_per_module() -> tuple[Any, Any]:
    """``world`` and ``client`` fixtures for a module whose tests all start from the world as
    built: ``world, client = one_world_per_module()`` at the top of the module."""

    @pytest.fixture(name="world")
    def world_fixture(module_world: World) -> World:
        return replace(module_world, people=dict(module_world.people))

    @pytest.fixture(name="client")
    def client_fixture(rollback_client: httpx.AsyncClient) -> httpx.AsyncClient:
        return rollback_client

    return world_fixture, client_fixture


@pytest.fixture
async def rollback_client(app: FastAPI, module_world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose every write is rolled back when the test ends (see above)."""
    async with rolled_back(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def appoint(app: FastAPI, by: Principal, network_id: int, user_id: int, role: Role) -> int:
    from app.auth import service as auth_service

    async with app.state.cohesion.db.transaction() as session:
        network = await session.get(Network, network_id)
        assert network is not None
        assignment = await auth_service.appoint(
            session, by, network, data=RoleCreate(user_id=user_id, role=role)
        )
        assert assignment.id is not None
        return assignment.id


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    yield "asyncio"


# --- the xdist tail ---------------------------------------------------------------------------
#
# ``make test`` runs ``-n auto --dist worksteal``: each worker is first sent an equal share of
# the collection, in order, and an idle worker then steals from the end of another's queue. A
# test of minutes that starts last leaves the other worker idle for minutes; so the tests marked
# ``slow_start(seconds)`` are dealt out (longest first, each to the share with the least
# expected time so far) to the front of the workers' shares, and the rest follow in collection
# order. Without xdist the order is left alone.


def _slow_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("slow_start")
    return float(marker.args[0]) if marker is not None else 0.0


def _db_kind(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("db_kind", "")) if callspec is not None else ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workerinput = getattr(config, "workerinput", None)
    workers = int(workerinput["workercount"]) if workerinput else 0
    if workers < 2:
        return
    slow = sorted(
        (item for item in items if _slow_seconds(item) > 0), key=lambda i: -_slow_seconds(i)
    )
    if not slow:
        return
    chosen = set(map(id, slow))
    rest = [item for item in items if id(item) not in chosen]
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for item in slow:
        least = load.index(min(load))
        shares[least].append(item)
        load[least] += _slow_seconds(item)
    # The scheduler sends share i ``len(pending) // (workers - i)`` items: fill each share up to
    # that with the next tests of the rest (in collection order, so fixtures stay grouped).
    ordered: list[pytest.Item] = []
    pending = len(items)
    for i, share in enumerate(shares):
        size = pending // (workers - i)
        take = max(0, size - len(share))
        share.sort(key=_db_kind)  # PostgreSQL's, then SQLite's: the rest begins on SQLite
        ordered += share + rest[:take]
        rest = rest[take:]
        pending -= len(share) + take
    items[:] = ordered + rest
