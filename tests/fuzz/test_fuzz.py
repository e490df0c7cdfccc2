"""Schemathesis over the whole API, in process, as a chair, an executive, a facilitator and a
member of network A.

The schema is the committed snapshot (tests/test_openapi.py keeps it equal to the app's own).
Every operation gets a bounded, derandomized run: settings in ``schemathesis.toml`` at the repo
root, which also lists every exclusion with its reason. Half the examples aim at the real
network and user ids of the ``world`` fixture, so network-scoped reads and writes reach the
services rather than stopping at a 404.

The fuzzed app is its own instance on the test database: Schemathesis calls it from an event
loop thread of its own, and the app's connections must live in that loop.
"""

import tomllib
import zlib
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi

from app.core.config import Settings
from app.main import create_app
from app.openapi_snapshot import SNAPSHOT
from tests.conftest import ROOT, World
from tests.fuzz import checks  # noqa: F401  (registers our check)

ROLES = ["chair", "executive", "facilitator", "member"]


def _config() -> SchemathesisConfig:
    """schemathesis.toml, with three changes for a quick in-suite run: no [auth] (that is the CLI
    run's pair of chairs; here each case picks its own person), no coverage phase (the CLI run
    has it: its boundary values add hundreds of cases) and at most 6 examples per operation."""
    data = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    data.pop("auth", None)
    data.setdefault("phases", {})["coverage"] = {"enabled": False}
    data.setdefault("generation", {})["max-examples"] = 6
    return SchemathesisConfig.from_dict(data, base_dir=str(ROOT))


schema = schemathesis.openapi.from_path(SNAPSHOT, config=_config())


@pytest.fixture
def sqlite_only(db_kind: str) -> None:
    if db_kind != "sqlite":
        # Time budget: the run takes minutes per database (about 7 on SQLite on a loaded 2-core
        # machine); the rest of the suite covers PostgreSQL.
        pytest.skip("fuzzed on SQLite only, to keep the suite's time")


@pytest.fixture
def fuzz_app(sqlite_only: None, settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings.model_copy(update={"webhooks_worker_enabled": False}))
    yield application
    # Its connections belong to Schemathesis' event loop: closed there.
    asgi._get_portal().call(application.state.cohesion.db.dispose)


def _pick(case: schemathesis.Case) -> tuple[str, bool]:
    """A role and whether to use real ids, derived from the generated case: the same case always
    runs as the same person, so a failure replays and shrinks (``@schema.given`` would refuse the
    schema's own examples)."""
    digest = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    return ROLES[digest % len(ROLES)], bool(digest // len(ROLES) % 2)


@schema.parametrize()
# One world per operation, shared by its examples: they build on each other's state on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api(case: schemathesis.Case, fuzz_app: FastAPI, world: World) -> None:
    role, real_ids = _pick(case)
    if real_ids and case.path_parameters:
        known = {"network_id": world.network_a, "user_id": world[role].id}
        case.path_parameters = {
            name: known.get(name, value) for name, value in case.path_parameters.items()
        }
    case.headers = {**(case.headers or {}), **world.headers(role)}
    case.call_and_validate(app=fuzz_app, base_url="http://testserver")
