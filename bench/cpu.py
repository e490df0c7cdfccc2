"""Server CPU per request, in-process, for before/after comparisons on a shared machine.

    .venv/bin/python bench/cpu.py build [--db URL]      # the bench data set, once (kept)
    .venv/bin/python bench/cpu.py measure [--db URL] [-n 50] [--profile ROUTE]

``build`` migrates a fresh schema and builds ``bench/dataset.py``'s data set (SQLite: the file
``var/bench/cpu.db``; with ``--db postgresql+asyncpg://…`` that database's ``public`` schema is
DROPPED). ``measure`` serves the app in-process (httpx over ASGI, uvloop) and, for each route of
``bench/run.py``, times ``-n`` sequential requests with ``time.process_time`` (CPU of this
process only: the server's CPU, PostgreSQL's excluded; wall-clock too), and counts what each
request sends to the database: SQL statements, and on PostgreSQL every message asyncpg sends
(``BEGIN``, ``COMMIT``, the pre-ping, each statement), through asyncpg's query logger.
``--profile ROUTE`` writes a cProfile of that route's requests to ``var/bench/ROUTE.prof``;
``--dump DIR`` writes each route's answer there (to compare two versions of the code byte for
byte: the same data set, the same answers).

CPU time is what a worker spends per request: 1 / (CPU per request) is the most requests per
second one core can serve, whatever else runs on the machine. Ratios between routes of one run
are what the issue's targets are about (cost = 1 / req/s at one connection).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COHESION_LOG_LEVEL", "WARNING")

from bench import dataset  # noqa: E402
from bench.run import API, analyze, count_records, reset_postgres  # noqa: E402

OUT = ROOT / "var" / "bench"
SQLITE = f"sqlite+aiosqlite:///{OUT / 'cpu.db'}"
JWT = "bench-cpu-" + "x" * 40


def _meta_path(url: str) -> Path:
    return OUT / ("cpu-postgresql.json" if url.startswith("postgresql") else "cpu-sqlite.json")


def build(url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        asyncio.run(reset_postgres(url))
    else:
        (OUT / "cpu.db").unlink(missing_ok=True)
    env = {**os.environ, "COHESION_DATABASE_URL": url, "COHESION_JWT_SECRET": JWT}
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, cwd=ROOT, check=True)
    password = secrets.token_urlsafe(16)
    data = asyncio.run(dataset.build(url, chair_password=password))
    asyncio.run(analyze(url))
    meta = {
        "chair_email": data.chair_email,
        "chair_password": password,
        "alliance": data.alliance_id,
        "big_plan": data.big_plan_id,
        "small_plan": data.small_plan_id,
        "objectives": data.objective_ids[:50],
        "org_ids": data.org_ids,
    }
    _meta_path(url).write_text(json.dumps(meta))
    print(f"built in {data.seconds:.0f} s: {data.counts}")


def paths(meta: dict[str, Any]) -> dict[str, str]:
    alliance = meta["alliance"]
    return {
        "network": f"{API}/networks/{alliance}",
        "plans": f"{API}/networks/{alliance}/plans?limit=50",
        "objectives": f"{API}/plans/{meta['big_plan']}/objectives?limit=50",
        "progress_10": f"{API}/plans/{meta['small_plan']}/progress",
        "tree_10": f"{API}/plans/{meta['small_plan']}/tree",
        "progress_1000": f"{API}/plans/{meta['big_plan']}/progress",
        "tree_1000": f"{API}/plans/{meta['big_plan']}/tree",
        "summary": f"{API}/networks/{alliance}/mobility-counts/summary?from=2023-01&to=2023-12"
        "&include_descendants=true&group_by=participant,mode",
    }


class Wire:
    """What each request sends to the database."""

    def __init__(self, engine: Any) -> None:
        self.statements: list[str] = []
        self.messages: list[str] = []
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"

        def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
            self.statements.append(sql)

        def connect(dbapi_connection: Any, _record: Any) -> None:
            driver = getattr(dbapi_connection, "driver_connection", None)
            if driver is not None and hasattr(driver, "add_query_logger"):
                driver.add_query_logger(lambda record: self.messages.append(record.query))

        event.listen(engine.sync_engine, "before_cursor_execute", statement)
        event.listen(engine.sync_engine.pool, "connect", connect)

    def clear(self) -> None:
        self.statements.clear()
        self.messages.clear()


async def _measure(url: str, n: int, only: list[str], profile: str | None) -> dict[str, Any]:
    from app.core.config import Settings
    from app.main import create_app

    meta = json.loads(_meta_path(url).read_text())
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        jwt_secret=JWT,
        ratelimit_principal="100000000/minute",
        access_token_minutes=240,
    )
    application = create_app(settings)
    wire = Wire(application.state.cohesion.db.engine)
    if os.environ.get("BENCH_GC") == "off":  # to compare: the collector not running at all
        import gc

        gc.disable()
    elif os.environ.get("BENCH_GC") != "default":  # what the app's lifespan does at start-up
        from app.main import settle_heap

        settle_heap()
    transport = httpx.ASGITransport(app=application)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        token = (
            await client.post(
                f"{API}/auth/token",
                data={
                    "grant_type": "password",
                    "username": meta["chair_email"],
                    "password": meta["chair_password"],
                },
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        routes = paths(meta)
        bodies = [
            json.dumps({"records": count_records(1000, meta["org_ids"], b)}) for b in range(4)
        ]

        async def one(name: str, i: int) -> httpx.Response:
            if name == "post_counts":
                return await client.post(
                    f"{API}/networks/{meta['alliance']}/mobility-counts",
                    content=bodies[i % len(bodies)],
                    headers={**headers, "Content-Type": "application/json"},
                )
            if name == "patch":
                obj = meta["objectives"][i % len(meta["objectives"])]
                got = await client.get(f"{API}/objectives/{obj}", headers=headers)
                return await client.patch(
                    f"{API}/objectives/{obj}",
                    json={"description": f"Updated by the benchmark ({i})."},
                    headers={**headers, "If-Match": got.headers["etag"]},
                )
            return await client.get(routes[name], headers=headers)

        names = only or [*routes, "post_counts"]
        heavy = ("tree_1000", "progress_1000", "post_counts")
        cpu: dict[str, list[float]] = {name: [] for name in names}
        wall: dict[str, float] = dict.fromkeys(names, 0.0)
        for name in names:
            for i in range(2):  # warm: compiled statements, prepared statements, caches
                (await one(name, i)).raise_for_status()
            wire.clear()
            answer = await one(name, 2)
            answer.raise_for_status()
            results[name] = {
                "statements": len(wire.statements),
                # Round trips: every statement (a prepared statement's Bind/Execute is one),
                # plus what asyncpg's query logger saw (BEGIN, COMMIT, the pre-ping's three).
                "round_trips": len(wire.statements) + len(wire.messages) if wire.pg else None,
                "wire": list(wire.messages[:12]),
                "body": answer.content if name != "post_counts" else None,
            }
        # Interleaved rounds: a change in the machine's load during the run falls on every
        # route alike, so the ratios between routes hold even when absolute times move.
        prof = cProfile.Profile() if profile else None
        for r in range(max(3, n // 5)):
            for name in names:
                for i in range(1 if name in heavy else 5):
                    c0, w0 = time.process_time(), time.perf_counter()
                    if prof and name == profile:
                        prof.enable()
                    answer = await one(name, r * 5 + i + 3)
                    if prof and name == profile:
                        prof.disable()
                    cpu[name].append(time.process_time() - c0)
                    wall[name] += time.perf_counter() - w0
                    answer.raise_for_status()
        if prof:
            prof.dump_stats(str(OUT / f"{profile}.prof"))
        for name in names:
            results[name].update(
                cpu_ms=statistics.median(cpu[name]) * 1000,
                cpu_mean_ms=statistics.fmean(cpu[name]) * 1000,
                wall_ms=wall[name] / len(cpu[name]) * 1000,
            )
    await application.state.cohesion.db.dispose()
    return results


def measure(url: str, n: int, only: list[str], profile: str | None, dump: Path | None) -> None:
    import uvloop

    results = uvloop.run(_measure(url, n, only, profile))
    for name, r in results.items():
        body = r.pop("body")
        if dump is not None and body is not None:
            dump.mkdir(parents=True, exist_ok=True)
            (dump / f"{name}.json").write_bytes(body)
    base = results.get("network", {}).get("cpu_ms")
    print(f"{'route':<14} {'cpu ms':>8} {'mean':>8} {'wall ms':>8} {'x net':>7} stmts trips")
    for name, r in results.items():
        x = f"{r['cpu_ms'] / base:7.1f}" if base else "      -"
        print(
            f"{name:<14} {r['cpu_ms']:8.2f} {r['cpu_mean_ms']:8.2f} {r['wall_ms']:8.2f} {x} "
            f"{r['statements']:>5} {r['round_trips'] if r['round_trips'] is not None else '-':>5}"
        )
    for name, r in results.items():
        if r["wire"]:
            print(f"  {name} wire: {[w[:40] for w in r['wire']]}")
    OUT.mkdir(parents=True, exist_ok=True)
    label = "postgresql" if url.startswith("postgresql") else "sqlite"
    (OUT / f"cpu-results-{label}.json").write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("build", "measure"))
    parser.add_argument("--db", default=SQLITE)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile")
    parser.add_argument("--dump", type=Path, help="write each route's answer into this folder")
    args = parser.parse_args()
    if args.command == "build":
        build(args.db)
    else:
        only = [s for s in args.only.split(",") if s]
        measure(args.db, args.n, only, args.profile, args.dump)


if __name__ == "__main__":
    main()
