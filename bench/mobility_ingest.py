"""How fast can a script post mobility counts through the API, next to the database's own pace?

    .venv/bin/python bench/mobility_ingest.py                      # SQLite (a fresh file)
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/mobility_ingest.py                  # and PostgreSQL

For each database it migrates a fresh schema (``cohesion migrate``; on PostgreSQL the
``public`` schema of BENCH_DATABASE_URL is DROPPED first, so give it a database of its own),
creates an admin (``cohesion create-admin``), serves the app with uvicorn on a free port of
127.0.0.1, and through the API creates a network, organisations with Erasmus OIDs and a
``mobility:write`` service account. Then:

* **direct** (the ceiling): the same rows inserted in one process with SQLAlchemy's
  ``INSERT … ON CONFLICT DO UPDATE`` in chunks of the batch size, one transaction per chunk,
  organisation codes resolved up front;
* **api**: the records (half of the organisations given by code) posted by the service account
  with ``examples/post_mobility_counts.py``'s client, one batch per request with its
  Idempotency-Key, waiting for each answer;

and reports records/s for both and their ratio (the target is at least 40 %). The counts table
is emptied between the two runs, so both insert into an empty table.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import literal_column, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.core.db import Database, utcnow  # noqa: E402
from app.mobility.service import _upsert  # noqa: E402
from app.organisations.models import Organisation  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN = "bench-admin@cohesion.example"
TARGET = 0.40


def _load_client() -> Any:
    path = ROOT / "examples" / "post_mobility_counts.py"
    spec = importlib.util.spec_from_file_location("post_mobility_counts", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = _load_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def org_codes(n: int) -> list[str]:
    return [f"E9{i:07d}" for i in range(n)]


def make_records(n: int, codes: list[str], ids: dict[str, int]) -> list[dict[str, Any]]:
    """``n`` records with distinct natural keys; every other one names organisations by code."""
    records: list[dict[str, Any]] = []
    pairs = [(s, r) for s in codes for r in codes if s != r]
    months = [f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(120)]
    i = 0
    for period in months:
        for participant in ("staff", "learner"):
            for mode in ("physical", "virtual", "blended"):
                for eqf in (None, 3, 4, 5):
                    for s, r in pairs:
                        if len(records) == n:
                            return records
                        by_code = i % 2 == 0
                        record: dict[str, Any] = {
                            "period": period,
                            "sending_org": s if by_code else ids[s],
                            "receiving_org": r if by_code else ids[r],
                            "participant": participant,
                            "mode": mode,
                            "count": 1 + i % 17,
                            "source_ref": f"bench-{i}",
                        }
                        if eqf is not None:
                            record["eqf_level"] = eqf
                        records.append(record)
                        i += 1
    raise ValueError("too many records for the key space")


@dataclass
class Result:
    database: str
    records: int
    batch_size: int
    direct_seconds: float
    api_seconds: float

    @property
    def direct_rate(self) -> float:
        return self.records / self.direct_seconds

    @property
    def api_rate(self) -> float:
        return self.records / self.api_seconds

    @property
    def share(self) -> float:
        return self.api_rate / self.direct_rate


class Server:
    """``cohesion serve`` in a subprocess on a free port; stopped by its own handle."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(BIN / "cohesion"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log.name}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def run_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "cohesion"), *args], env=env, cwd=ROOT, check=True, capture_output=True
    )


async def reset_postgres(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def setup_through_api(base_url: str, password: str, n_orgs: int) -> dict[str, Any]:
    """As the admin: a network, organisations, a mobility:write service account."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        token = http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": ADMIN, "password": password},
        )
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        network = http.post(
            "/api/v1/networks",
            json={"name": "Benchmark network", "kind": "thematic"},
            headers=headers,
        )
        network.raise_for_status()
        network_id = network.json()["id"]
        ids: dict[str, int] = {}
        for i, code in enumerate(org_codes(n_orgs)):
            org = http.post(
                "/api/v1/organisations",
                json={
                    "name": f"Benchmark college {i}",
                    "kind": "vet_college",
                    "country": ["GB", "ES", "FI", "IT"][i % 4],
                    "erasmus_oid": code,
                },
                headers=headers,
            )
            org.raise_for_status()
            ids[code] = org.json()["id"]
        account = http.post(
            f"/api/v1/networks/{network_id}/service-accounts",
            json={"name": "Benchmark script", "scopes": ["mobility:write"]},
            headers=headers,
        )
        account.raise_for_status()
        return {"network_id": network_id, "ids": ids, "account": account.json()}


def _row(record: dict[str, Any], network_id: int, ids: dict[str, int]) -> dict[str, Any]:
    def org(ref: int | str) -> int:
        return ref if isinstance(ref, int) else ids[ref]

    period = record["period"]
    now = utcnow()
    return {
        "network_id": network_id,
        "period": date(int(period[:4]), int(period[5:7]), 1),
        "sending_org_id": org(record["sending_org"]),
        "receiving_org_id": org(record["receiving_org"]),
        "participant": record["participant"],
        "mode": record["mode"],
        "eqf_level": record.get("eqf_level") or 0,
        "count": record["count"],
        "source_ref": record.get("source_ref"),
        "batch_id": None,
        "created_at": now,
        "updated_at": now,
    }


async def direct_insert(
    url: str, network_id: int, records: list[dict[str, Any]], batch_size: int, form: str
) -> float:
    """The ceiling: the same rows upserted in-process, one transaction per chunk.

    ``executemany`` hands the chunk to the driver's executemany; ``values`` adds a RETURNING
    clause, which makes SQLAlchemy send multi-row ``VALUES`` statements instead (faster on
    asyncpg, slower on SQLite). The faster of the two is the ceiling.
    """
    db = Database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        started = time.perf_counter()
        async with db.transaction(write=False) as session:
            found = await session.execute(
                select(Organisation.id, Organisation.erasmus_oid)  # type: ignore[call-overload]
            )
            ids = {code: org_id for org_id, code in found.all()}
        stmt = _upsert(db.engine.dialect.name)
        if form == "values":
            stmt = stmt.returning(literal_column("1"))
        for start in range(0, len(records), batch_size):
            rows = [_row(r, network_id, ids) for r in records[start : start + batch_size]]
            async with db.transaction() as session:
                conn = await session.connection()
                result = await conn.execute(stmt, rows)
                if form == "values":
                    result.all()
        return time.perf_counter() - started
    finally:
        await db.dispose()


async def empty_counts(url: str) -> None:
    db = Database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        async with db.transaction() as session:
            await session.execute(text("DELETE FROM mobility_counts"))
            await session.execute(text("DELETE FROM mobility_count_batches"))
        if db.engine.dialect.name == "sqlite":
            # Outside the app's engine, which wraps every statement in BEGIN.
            with sqlite3.connect(url.split("///", 1)[1]) as raw:
                raw.execute("VACUUM")
        else:
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("VACUUM ANALYZE mobility_counts")
    finally:
        await db.dispose()


async def count_rows(url: str) -> tuple[int, int]:
    db = Database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        async with db.transaction(write=False) as session:
            row = (
                await session.execute(text("SELECT count(*), sum(count) FROM mobility_counts"))
            ).one()
            return int(row[0]), int(row[1] or 0)
    finally:
        await db.dispose()


def post_through_api(
    base_url: str, setup: dict[str, Any], records: list[dict[str, Any]], batch_size: int
) -> float:
    account = setup["account"]
    data = script.CsvRecords(records, list(range(2, len(records) + 2)), secrets.token_hex(32))
    with httpx.Client(base_url=base_url, timeout=300) as http:
        poster = script.Poster(
            http,
            network_id=setup["network_id"],
            client_id=account["client_id"],
            client_secret=account["client_secret"],
        )
        poster.token()  # not timed: a script fetches it once
        started = time.perf_counter()
        totals = script.post_file(
            poster, data, batch_size=batch_size, progress=script.Progress(len(records))
        )
        seconds = time.perf_counter() - started
    if totals.inserted != len(records) or totals.retries:
        raise RuntimeError(f"unexpected totals: {totals}")
    return seconds


def bench(label: str, url: str, n: int, batch_size: int, n_orgs: int, workdir: Path) -> Result:
    print(f"\n== {label}: {url}", flush=True)
    if url.startswith("postgresql"):
        asyncio.run(reset_postgres(url))
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "COHESION_DATABASE_URL": url,
        "COHESION_ENVIRONMENT": "development",
        "COHESION_JWT_SECRET": secrets.token_urlsafe(48),
        "COHESION_LOG_LEVEL": "WARNING",
        "COHESION_ADMIN_PASSWORD": password,
        # This checkout's code, whatever the virtualenv's editable install points at.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    run_cli(env, "migrate")
    run_cli(env, "create-admin", "--email", ADMIN)
    server = Server(env, workdir / f"server-{label}.log")
    try:
        server.wait_ready()
        setup = setup_through_api(server.base_url, password, n_orgs)
        records = make_records(n, list(setup["ids"]), setup["ids"])
        direct = 0.0
        for form in ("executemany", "values"):
            seconds = asyncio.run(
                direct_insert(url, setup["network_id"], records, batch_size, form)
            )
            rows, total = asyncio.run(count_rows(url))
            assert rows == n, rows
            print(f"direct ({form}): {n:,} rows in {seconds:.1f} s = {n / seconds:,.0f}/s")
            direct = seconds if not direct else min(direct, seconds)
            asyncio.run(empty_counts(url))
        api = post_through_api(server.base_url, setup, records, batch_size)
        rows_api, total_api = asyncio.run(count_rows(url))
        assert (rows_api, total_api) == (rows, total), (rows_api, total_api)
        print(f"api: {n:,} records in {api:.1f} s = {n / api:,.0f}/s", flush=True)
    finally:
        server.stop()
    result = Result(label, n, batch_size, direct, api)
    verdict = "meets" if result.share >= TARGET else "MISSES"
    print(f"api / direct = {result.share:.0%} ({verdict} the {TARGET:.0%} target)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--organisations", type=int, default=20)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    print(f"machine: {machine()}; {args.records:,} records, batches of {args.batch_size:,}")
    results = []
    with tempfile.TemporaryDirectory(prefix="mobility-bench-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "sqlite"):
            url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
            results.append(
                bench("sqlite", url, args.records, args.batch_size, args.organisations, workdir)
            )
        pg = os.environ.get("BENCH_DATABASE_URL")
        if args.only in (None, "postgresql") and pg:
            results.append(
                bench("postgresql", pg, args.records, args.batch_size, args.organisations, workdir)
            )
    print("\n| database | records | batch | direct records/s | API records/s | API / direct |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.database} | {r.records:,} | {r.batch_size:,} | {r.direct_rate:,.0f} | "
            f"{r.api_rate:,.0f} | {r.share:.0%} |"
        )
    if any(r.share < TARGET for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
