"""SIGKILL the server in the middle of a big write; after a restart the write is all or nothing.

For each database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set) and each operation
(a 5,000-record mobility count batch, a plan import of a large seed-derived plan), the request
is sent to a real ``cohesion serve`` process, the test waits until the server is processing it
(the database shows the request's write transaction: SQLite's write lock is held, or
PostgreSQL's ``pg_stat_activity`` shows the insert), waits a chosen extra delay, and kills the
process with SIGKILL. A new process is started on the same database and the rows are counted:
the batch (its counts, its receipt, its audit event) or the plan (with every objective, action,
measure and milestone, and its audit event) is either wholly there or wholly absent.

The last timing lets the request finish first (the answer is read, then the kill), which must
leave the write wholly there: it shows the counting can see a committed write at all.
"""

import asyncio
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.faults.harness import API, Server, prepare_database, server_env
from tests.live import ROOT

pytestmark = [pytest.mark.faults, pytest.mark.slow_start(150)]

KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# Extra seconds after the write is seen in the database; None: after the answer arrived.
DELAYS: list[float | None] = [0.0, 0.2, None]
BATCH = 5_000
ORGS = 12
SEED_PLAN = ROOT / "examples" / "cln-outcome-planner-2019-20.json"
PLAN_COPIES = 150  # objectives of the seed plan, repeated with new codes


@dataclass
class Db:
    kind: str
    url: str
    sqlite_path: Path | None
    engine: AsyncEngine

    async def scalar(self, sql: str, **params: Any) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(text(sql), params)).scalar() or 0)

    async def writing(self, table: str) -> bool:
        """Does another connection hold an open write transaction (on ``table``)?"""
        if self.sqlite_path is not None:
            probe = sqlite3.connect(self.sqlite_path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc), exc
                return True
            else:
                probe.execute("ROLLBACK")
                return False
            finally:
                probe.close()
        found = await self.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            " AND query ILIKE :insert",
            insert=f"%INSERT INTO {table}%",
        )
        return found > 0


@pytest.fixture(scope="module", params=KINDS)
async def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Db]:
    """One migrated database per kind for the module; each scenario has its own network."""
    kind = str(request.param)
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("sigkill") / "faults.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        path = None
        url = os.environ["TEST_DATABASE_URL"]
    await asyncio.to_thread(prepare_database, server_env(url))
    engine = create_async_engine(url)
    yield Db(kind, url, path, engine)
    await engine.dispose()


@dataclass
class Scene:
    server: Server
    headers: dict[str, str]
    network_id: int


def timing(delay: float | None) -> str:
    return "after the answer" if delay is None else f"write seen +{delay}s"


def report(what: str, db: Db, outcomes: list[Any]) -> None:
    """Shown with -s (and on failure): how each kill landed."""
    for when, ended, state, _ in outcomes:
        print(f"SIGKILL during {what} on {db.kind}, {when}: {ended}; found {state}")


def start(db: Db, tmp_path: Path) -> Server:
    return Server(server_env(db.url), tmp_path / "server.log").start()


def scene(server: Server, name: str) -> Scene:
    headers = server.token()
    body = {"name": f"Fault network {name}", "kind": "thematic"}
    network = server.call("POST", "/networks", headers, 201, json=body)
    return Scene(server, headers, int(network["id"]))


async def kill_during(
    db: Db,
    scene: Scene,
    table: str,
    delay: float | None,
    send: Callable[[httpx.AsyncClient], Any],
) -> str:
    """Send the request, kill the server at the chosen moment; how the request ended."""
    async with httpx.AsyncClient(base_url=scene.server.base, timeout=120) as client:
        task = asyncio.create_task(send(client))
        if delay is None:
            response = await task
            assert response.status_code in (200, 201), response.text
            scene.server.kill()
            return f"answered {response.status_code}"
        for _ in range(6000):  # the write starts within a minute, or the test fails
            if task.done() or await db.writing(table):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the server never started writing")
        if task.done():  # a fast machine: the whole write fell between two looks
            response = task.result()
            scene.server.kill()
            return f"answered {response.status_code} before the write was seen"
        await asyncio.sleep(delay)
        scene.server.kill()
        try:
            response = await task
        except httpx.TransportError as exc:
            return f"cut off ({type(exc).__name__})"
        return f"answered {response.status_code} just before the kill"


# --- mobility counts -----------------------------------------------------------------------


def organisations(scene: Scene, name: str) -> list[int]:
    return [
        int(
            scene.server.call(
                "POST",
                "/organisations",
                scene.headers,
                201,
                json={"name": f"College {name} {i}", "kind": "vet_college"},
            )["id"]
        )
        for i in range(ORGS)
    ]


def batch(orgs: list[int]) -> dict[str, Any]:
    pairs = [(s, r) for s in orgs for r in orgs if s != r]
    keys = [
        (f"{2015 + month // 12}-{1 + month % 12:02d}", pair, participant)
        for month in range(120)
        for pair in pairs
        for participant in ("staff", "learner")
    ]
    records = [
        {
            "period": period,
            "sending_org": s,
            "receiving_org": r,
            "participant": participant,
            "mode": "physical",
            "count": 1 + i % 7,
            "source_ref": f"fault-{i}",
        }
        for i, (period, (s, r), participant) in enumerate(keys[:BATCH])
    ]
    assert len(records) == BATCH
    return {"records": records}


async def mobility_state(db: Db, network_id: int) -> tuple[int, int, int]:
    counts = await db.scalar(
        "SELECT count(*) FROM mobility_counts WHERE network_id = :n", n=network_id
    )
    receipts = await db.scalar(
        "SELECT count(*) FROM mobility_count_batches WHERE network_id = :n", n=network_id
    )
    events = await db.scalar(
        "SELECT count(*) FROM audit_events WHERE network_id = :n AND action = 'post_counts'",
        n=network_id,
    )
    return counts, receipts, events


async def test_sigkill_during_a_mobility_batch(db: Db, tmp_path: Path) -> None:
    server = start(db, tmp_path)
    outcomes = []
    try:
        for delay in DELAYS:
            name = f"{db.kind} {timing(delay)}"
            here = scene(server, name)
            body = json.dumps(batch(organisations(here, name)))
            headers = {**here.headers, "Content-Type": "application/json"}
            url = f"{API}/networks/{here.network_id}/mobility-counts"
            ended = await kill_during(
                db,
                here,
                "mobility_counts",
                delay,
                lambda c, url=url, body=body, headers=headers: c.post(
                    url, content=body, headers=headers
                ),
            )
            server = start(db, tmp_path)  # the next scenario runs on the restarted server
            state = await mobility_state(db, here.network_id)
            page = server.call(
                "GET", f"/networks/{here.network_id}/mobility-counts?limit=1", server.token(), 200
            )
            outcomes.append((timing(delay), ended, state, len(page["items"])))
    finally:
        server.stop()
    report("mobility batch", db, outcomes)
    for when, ended, state, listed in outcomes:
        assert state in {(0, 0, 0), (BATCH, 1, 1)}, (when, ended, state)
        assert listed == (1 if state[0] else 0), (when, "the restarted server disagrees")
    assert outcomes[-1][2] == (BATCH, 1, 1), outcomes[-1]


# --- plan import ---------------------------------------------------------------------------


def recoded(objective: dict[str, Any], prefix: str) -> dict[str, Any]:
    children = [recoded(child, prefix) for child in objective.get("children", [])]
    copy = {**objective, "code": f"{prefix}.{objective['code']}"}
    if children:
        copy["children"] = children
    return copy


def tally(objective: dict[str, Any], expected: dict[str, int]) -> None:
    expected["objectives"] += 1
    expected["actions"] += len(objective.get("actions", []))
    expected["measures"] += len(objective.get("measures", []))
    expected["milestones"] += len(objective.get("milestones", [])) + sum(
        len(action.get("milestones", [])) for action in objective.get("actions", [])
    )
    for child in objective.get("children", []):
        tally(child, expected)


def big_plan() -> tuple[bytes, dict[str, int]]:
    """The seed plan with its objectives repeated under new codes; and how many of each."""
    seed = json.loads(SEED_PLAN.read_text())
    seed["objectives"] = [
        recoded(objective, str(copy + 1))
        for copy in range(PLAN_COPIES)
        for objective in seed["objectives"]
    ]
    seed["title"] = "Fault-tested import"
    expected = dict.fromkeys(("objectives", "actions", "measures", "milestones"), 0)
    for objective in seed["objectives"]:
        tally(objective, expected)
    return json.dumps(seed).encode(), expected


async def plan_state(db: Db, network_id: int) -> dict[str, int]:
    plans = "SELECT id FROM plans WHERE network_id = :n"
    objectives = f"SELECT id FROM objectives WHERE plan_id IN ({plans})"
    return {
        "plans": await db.scalar(f"SELECT count(*) FROM ({plans}) AS p", n=network_id),
        "objectives": await db.scalar(f"SELECT count(*) FROM ({objectives}) AS o", n=network_id),
        **{
            table: await db.scalar(
                f"SELECT count(*) FROM {table} WHERE objective_id IN ({objectives})", n=network_id
            )
            for table in ("actions", "measures", "milestones")
        },
        "events": await db.scalar(
            "SELECT count(*) FROM audit_events WHERE network_id = :n AND action = 'import'",
            n=network_id,
        ),
    }


async def test_sigkill_during_a_plan_import(db: Db, tmp_path: Path) -> None:
    content, expected = big_plan()
    whole = {"plans": 1, **expected, "events": 1}
    nothing = dict.fromkeys(whole, 0)
    server = start(db, tmp_path)
    outcomes = []
    try:
        for delay in DELAYS:
            here = scene(server, f"{db.kind} import {timing(delay)}")
            url = f"{API}/networks/{here.network_id}/plans/import"
            files = {"file": ("plan.json", content, "application/json")}
            ended = await kill_during(
                db,
                here,
                "objectives",
                delay,
                lambda c, url=url, files=files, here=here: c.post(
                    url, files=files, headers=here.headers
                ),
            )
            server = start(db, tmp_path)
            state = await plan_state(db, here.network_id)
            plans = server.call("GET", f"/networks/{here.network_id}/plans", server.token(), 200)
            outcomes.append((timing(delay), ended, state, len(plans["items"])))
    finally:
        server.stop()
    report("plan import", db, outcomes)
    for when, ended, state, listed in outcomes:
        assert state in (whole, nothing), (when, ended, state)
        assert listed == state["plans"], (when, "the restarted server disagrees")
    assert outcomes[-1][2] == whole, outcomes[-1]
