"""Cohesion against its ceilings: ``make bench`` (issue #10).

    .venv/bin/python bench/run.py                      # SQLite (a fresh file)
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/run.py           # and PostgreSQL (its public schema is DROPPED)
    BENCH_DURATION=3 BENCH_WARMUP=1 .venv/bin/python bench/run.py --only sqlite   # quick

For each database: migrate a fresh schema, build the large data set through the service layer
(``bench/dataset.py``), count the SQL statements of each read route in-process, then serve the
app with uvicorn (uvloop, httptools, no access log) pinned to core 0 and drive it with ``wrk``
pinned to core 1 (``bench/wrk/cohesion.lua``), a warm-up and then BENCH_DURATION seconds per
scenario, at 1 and at 32 connections. The ceiling (scenario 1) is ``bench/ceiling.py``, a bare
FastAPI app returning scenario 2's JSON, served the same way. Prints the table and writes
``var/bench/results-<database>.{json,md}``. Ratios within one run are what count: the machine
is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COHESION_LOG_LEVEL", "WARNING")  # before app.main configures logging

from bench import dataset  # noqa: E402

BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "wrk" / "cohesion.lua"
OUT = ROOT / "var" / "bench"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
DURATION = float(os.environ.get("BENCH_DURATION", "8"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
WORKERS = os.environ.get("BENCH_WORKERS") == "1"
API = "/api/v1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine() -> dict[str, Any]:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


class Server:
    """uvicorn pinned to core 0, in its own subprocess; stopped through its own handle."""

    def __init__(self, target: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                "taskset",
                "-c",
                "0",
                str(BIN / "uvicorn"),
                target,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log.name}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready")

    def drain(self, timeout: float = 180.0) -> None:
        """Wait until requests left queued by the last run are answered (wrk stops sending
        at the end of its duration; the server still works through what it accepted)."""
        deadline = time.monotonic() + timeout
        quick = 0
        # One kept-alive client: a new httpx client per probe costs ~30 ms on a slow host
        # (its TLS context), enough to never look "quick" and wait out the whole timeout.
        with httpx.Client(base_url=self.url, timeout=timeout) as http:
            while quick < 3 and time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    http.get("/healthz")
                except httpx.TransportError:
                    time.sleep(0.5)
                    continue
                quick = quick + 1 if time.monotonic() - started < 0.05 else 0
                time.sleep(0.1)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@dataclass
class Run:
    scenario: str
    label: str
    connections: int
    result: dict[str, Any]
    ceiling_rps: float | None = None


@dataclass
class Report:
    database: str
    machine: dict[str, Any]
    data: dict[str, Any]
    build_seconds: float
    runs: list[Run] = field(default_factory=list)
    statements: dict[str, int] = field(default_factory=dict)
    memory: dict[str, int] = field(default_factory=dict)
    targets: list[tuple[str, str, bool]] = field(default_factory=list)


def wrk(
    url: str, plan: Path, token: str | None, connections: int, seconds: float
) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_PLAN": str(plan),
        "BENCH_TOKEN": token or "",
        "BENCH_OFFSET": str(secrets.randbelow(1_000_000)),
    }
    done = subprocess.run(
        [
            "taskset",
            "-c",
            "1",
            WRK,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"wrk printed no summary: {done.stdout} {done.stderr}")


def write_plan(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(BIN / "cohesion"), "migrate"], env=env, cwd=ROOT, check=True, capture_output=True
    )


async def reset_postgres(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def analyze(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()


async def statement_counts(url: str, token: str, paths: dict[str, str]) -> dict[str, int]:
    """SQL statements per request of each read route, counted in-process on the same data."""
    from app.core.config import Settings
    from app.main import create_app

    settings = Settings(_env_file=None, database_url=url, jwt_secret=os.environ["BENCH_JWT"])  # type: ignore[call-arg]
    application = create_app(settings)
    engine = application.state.cohesion.db.engine
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    counts: dict[str, int] = {}
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        headers = {"Authorization": f"Bearer {token}"}
        event.listen(engine.sync_engine, "before_cursor_execute", listener)
        try:
            for name, path in paths.items():
                seen.clear()
                answer = await client.get(path, headers=headers)
                answer.raise_for_status()
                counts[name] = len([s for s in seen if not s.startswith(("BEGIN", "COMMIT"))])
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", listener)
    await application.state.cohesion.db.dispose()
    return counts


@contextmanager
def serving(target: str, env: dict[str, str], log: Path, ready: str) -> Any:
    server = Server(target, env, log)
    try:
        server.wait_ready(ready)
        yield server
    finally:
        server.stop()


def settle(base: str, url: str, email: str, password: str) -> None:
    """Wait for the day's reminder run and its mail (a catch-up over thousands of overdue
    milestones), so the measurements do not share the core with them; meanwhile a health
    check and a log-in (which writes) are timed: the run must not stall them."""
    began = time.monotonic()
    slowest = {"healthz": 0.0, "token": 0.0}
    credentials = {"grant_type": "password", "username": email, "password": password}
    with httpx.Client(base_url=base, timeout=120) as http:
        while time.monotonic() - began < 1800 and asyncio.run(workers_busy(url)):
            for name, call in (
                ("healthz", lambda: http.get("/healthz")),
                ("token", lambda: http.post(f"{API}/auth/token", data=credentials)),
            ):
                start = time.monotonic()
                call().raise_for_status()
                slowest[name] = max(slowest[name], time.monotonic() - start)
            time.sleep(0.5)
    print(
        f"reminder run and its mail done in {time.monotonic() - began:.0f} s; slowest answers "
        f"meanwhile: healthz {slowest['healthz']:.2f} s, token {slowest['token']:.2f} s",
        flush=True,
    )


async def workers_busy(url: str) -> bool:
    """Whether the day's reminder run is unfinished or mail waits to be written."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            ran = await conn.scalar(text("SELECT count(*) FROM reminder_marks WHERE kind = 'run'"))
            queued = await conn.scalar(
                text("SELECT count(*) FROM mail_outbox WHERE status = 'pending'")
            )
    finally:
        await engine.dispose()
    return not ran or bool(queued)


def count_records(n: int, org_ids: list[int], batch: int) -> list[dict[str, Any]]:
    """Scenario 6's bodies: distinct keys in 2024 (so the first pass inserts)."""
    records = []
    i = 0
    for month in range(1, 13):
        for participant in ("staff", "learner"):
            for mode in ("physical", "virtual", "blended"):
                for eqf in (3, 4, 5, 6):
                    for s in org_ids[:60]:
                        if len(records) == n:
                            return records
                        r = org_ids[(i * 11 + 5) % len(org_ids)]
                        if r == s:
                            r = org_ids[(i * 11 + 6) % len(org_ids)]
                        records.append(
                            {
                                "period": f"2024-{month:02d}",
                                "sending_org": s,
                                "receiving_org": r,
                                "participant": participant,
                                "mode": mode,
                                "eqf_level": eqf,
                                "count": 1 + i % 7,
                                "source_ref": f"bench-{batch}-{i}",
                            }
                        )
                        i += 1
    return records


def bench_database(label: str, url: str, workdir: Path) -> Report:
    print(f"\n== {label}", flush=True)
    if url.startswith("postgresql"):
        asyncio.run(reset_postgres(url))
    jwt = secrets.token_urlsafe(48)
    os.environ["BENCH_JWT"] = jwt
    env = {
        **os.environ,
        "COHESION_DATABASE_URL": url,
        "COHESION_ENVIRONMENT": "development",
        "COHESION_JWT_SECRET": jwt,
        "COHESION_LOG_LEVEL": "WARNING",
        "COHESION_ACCESS_TOKEN_MINUTES": "240",
        # The limiter stays in the request path (its cost is part of what is measured), with a
        # budget no load generator reaches: one token drives every row.
        "COHESION_RATELIMIT_PRINCIPAL": "100000000/minute",
        # ``settle`` logs in every half second while it waits for the reminder run.
        "COHESION_RATELIMIT_LOGIN": "100000/minute",
        "COHESION_MAIL_DIR": str(workdir / "mail"),
        # By default no in-process workers: the bench measures request paths, and the day's
        # first reminder catch-up over this data set (6,770 overdue milestones, 5,650 mails)
        # takes minutes of a core. BENCH_WORKERS=1 runs it with the server, as in production,
        # and ``settle`` times a log-in and /healthz meanwhile (RESULTS.md, round 4).
        **(
            {"COHESION_REMINDER_HOUR_UTC": "0"}
            if WORKERS
            else {
                "COHESION_MAIL_WORKER_ENABLED": "false",
                "COHESION_WEBHOOKS_WORKER_ENABLED": "false",
            }
        ),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    migrate(env)
    print("building the data set through the service layer ...", flush=True)
    data = asyncio.run(dataset.build(url, chair_password=secrets.token_urlsafe(16)))
    asyncio.run(analyze(url))
    print(f"built in {data.seconds:.0f} s: {data.counts}", flush=True)
    report = Report(label, machine(), data.counts, data.seconds)

    alliance = data.alliance_id
    summary = (
        f"{API}/networks/{alliance}/mobility-counts/summary?from=2023-01&to=2023-12"
        "&include_descendants=true&group_by=participant,mode"
    )
    counts_list = f"{API}/networks/{alliance}/mobility-counts?include_descendants=true&limit=50"
    paths = {
        "network": f"{API}/networks/{alliance}",
        "plans": f"{API}/networks/{alliance}/plans?limit=50",
        "objectives": f"{API}/plans/{data.big_plan_id}/objectives?limit=50",
        "progress_1000": f"{API}/plans/{data.big_plan_id}/progress",
        "tree_1000": f"{API}/plans/{data.big_plan_id}/tree",
        "progress_10": f"{API}/plans/{data.small_plan_id}/progress",
        "tree_10": f"{API}/plans/{data.small_plan_id}/tree",
        "summary": summary,
        "counts_first": counts_list,
    }

    with serving("app.main:app", env, workdir / f"api-{label}.log", "/healthz") as api:
        if WORKERS:
            settle(api.url, url, data.chair_email, data.chair_password)
        token_answer = httpx.post(
            f"{api.url}{API}/auth/token",
            data={
                "grant_type": "password",
                "username": data.chair_email,
                "password": data.chair_password,
            },
            timeout=30,
        )
        token_answer.raise_for_status()
        token = token_answer.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        # The cursor of a page 10,000 items deep, walked with the largest page.
        with httpx.Client(base_url=api.url, headers=headers, timeout=60) as http:
            cursor = None
            for _ in range(50):
                walk = counts_list.replace("limit=50", "limit=200")
                page = http.get(f"{walk}&cursor={cursor}" if cursor else walk)
                page.raise_for_status()
                cursor = page.json()["next_cursor"]
            paths["counts_10000"] = f"{counts_list}&cursor={cursor}"
            network_body = http.get(paths["network"]).json()

        report.statements = asyncio.run(statement_counts(url, token, paths))
        print(f"SQL statements per request: {report.statements}", flush=True)

        # Scenario 6's bodies and scenario 7's mixed plan.
        bodies = []
        for b in range(20):
            body = workdir / f"counts-{label}-{b}.json"
            body.write_text(json.dumps({"records": count_records(1000, data.org_ids, b)}))
            bodies.append(body)
        reads = [
            paths["network"],
            paths["plans"],
            paths["objectives"],
            paths["progress_10"],
            paths["tree_10"],
            paths["summary"],
            paths["network"],
            paths["objectives"],
        ]
        mixed: list[str] = []
        for i, objective_id in enumerate(data.objective_ids):
            for j in range(4):
                mixed.append(f"GET\t{reads[(i * 4 + j) % len(reads)]}")
            mixed.append(
                f"PATCH\t{API}/objectives/{objective_id}\t"
                + json.dumps({"description": f"Updated by the benchmark ({i})."})
            )
        plans = {
            name: write_plan(workdir / f"{name}.plan", [f"GET\t{p}"]) for name, p in paths.items()
        }
        plans["healthz"] = write_plan(workdir / "healthz.plan", ["GET\t/healthz"])
        plans["post_counts"] = write_plan(
            workdir / "post.plan",
            [f"POST\t{API}/networks/{alliance}/mobility-counts\t{b}" for b in bodies],
        )
        plans["mixed"] = write_plan(workdir / "mixed.plan", mixed)

        served = 0

        def measure(scenario: str, name: str, connections: int, server: Server = api) -> Run:
            nonlocal served
            if WARMUP > 0:
                served += wrk(server.url, plans[name], token, connections, WARMUP)["requests"]
                server.drain()
            result = wrk(server.url, plans[name], token, connections, DURATION)
            served += result["requests"]
            server.drain()
            run = Run(scenario, name, connections, result)
            report.runs.append(run)
            print(
                f"{scenario:<28} {name:<14} c={connections:<3} {result['rps']:>9,.1f} req/s "
                f"p50 {result['p50_ms']:>8.2f} ms  p99 {result['p99_ms']:>8.2f} ms"
                + (f"  non-2xx {result['non_2xx']}" if result["non_2xx"] else ""),
                flush=True,
            )
            return run

        # Memory after the first 1,000 requests: every read route, the 1,000-objective ones
        # included, 32 at a time, so the baseline has already seen the largest responses in
        # flight together (what the scenarios do next). Growth after that is what a leak
        # would show; growth before it is the peak a worker needs.
        first = [*reads, paths["progress_1000"], paths["tree_1000"]]
        asyncio.run(first_requests(api.url, headers, [first[i % len(first)] for i in range(1000)]))
        served += 1000
        report.memory["rss_kib_after_1000"] = api.rss_kib()

        ceiling_json = workdir / "ceiling.json"
        ceiling_json.write_text(json.dumps(network_body))
        ceiling_env = {**env, "BENCH_CEILING_JSON": str(ceiling_json)}
        ceiling: dict[int, float] = {}
        with serving(
            "bench.ceiling:app", ceiling_env, workdir / "ceiling.log", f"{API}/networks/1"
        ) as bare:
            plans["ceiling"] = write_plan(
                workdir / "ceiling.plan", [f"GET\t{API}/networks/{alliance}"]
            )
            for c in (1, 32):
                ceiling[c] = measure("1 ceiling (bare FastAPI)", "ceiling", c, bare).result["rps"]

        for scenario, name in [
            ("2 GET network", "network"),
            ("3 plans page (50)", "plans"),
            ("3 objectives page (50)", "objectives"),
            ("4 progress, 1,000 objectives", "progress_1000"),
            ("4 tree, 1,000 objectives", "tree_1000"),
            ("5 mobility summary, a year", "summary"),
        ]:
            for c in (1, 32):
                measure(scenario, name, c)
        measure("DB-free: /healthz", "healthz", 32)
        measure("4 progress, 10 objectives", "progress_10", 32)
        measure("deep page: first", "counts_first", 32)
        measure("deep page: 10,000 deep", "counts_10000", 32)
        measure("6 POST 1,000 counts", "post_counts", 1)
        measure("7 mixed 80/20 If-Match", "mixed", 32)

        for run in report.runs:
            run.ceiling_rps = ceiling[32 if run.connections > 1 else 1]

        report.memory["rss_kib_after_scenarios"] = api.rss_kib()
        report.memory["requests_after_scenarios"] = served
        # Memory after 100,000 requests: top up with the mixed read routes if needed.
        remaining = 100_000 - served
        if remaining > 0 and os.environ.get("BENCH_MEMORY", "1") != "0":
            cheap = [paths["network"], paths["plans"], paths["objectives"]]
            plans["reads"] = write_plan(workdir / "reads.plan", [f"GET\t{p}" for p in cheap])
            rate = max(by(report, "network", 32)["rps"], 50.0)
            while served < 100_000:
                seconds = min(120.0, max(2.0, (100_000 - served) / rate * 1.05))
                result = wrk(api.url, plans["reads"], token, 32, seconds)
                served += result["requests"]
                rate = max(result["rps"], 50.0)
                api.drain()
        report.memory["requests_served"] = served
        report.memory["rss_kib_at_end"] = api.rss_kib()

    evaluate(report)
    return report


async def first_requests(url: str, headers: dict[str, str], paths: list[str]) -> None:
    """``paths`` requested 32 at a time, each answer checked."""
    queue = list(reversed(paths))
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600) as http:

        async def client() -> None:
            while queue:
                (await http.get(queue.pop())).raise_for_status()

        await asyncio.gather(*(client() for _ in range(32)))


def by(report: Report, name: str, c: int) -> dict[str, Any]:
    for run in report.runs:
        if run.label == name and run.connections == c:
            return run.result
    raise KeyError((name, c))


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def evaluate(report: Report) -> None:
    t = report.targets
    ceiling = by(report, "ceiling", 32)["rps"]
    s2 = ratio(by(report, "network", 32)["rps"], ceiling)
    t.append(("scenario 2 >= 30 % of ceiling req/s (c=32)", f"{s2:.0%}", s2 >= 0.30))
    h = ratio(by(report, "healthz", 32)["rps"], ceiling)
    t.append(("/healthz >= 75 % of ceiling (c=32)", f"{h:.0%}", h >= 0.75))
    deep = ratio(by(report, "counts_first", 32)["rps"], by(report, "counts_10000", 32)["rps"])
    t.append(("page 10,000 deep <= 2 x first page (cost = 1/req/s)", f"{deep:.2f} x", deep <= 2))
    for name in ("network", "plans", "objectives", "progress_1000", "tree_1000", "summary"):
        loaded, alone = by(report, name, 32), by(report, name, 1)
        target = f"{name}: p99 at 32 <= 10 x p50 at 1"
        if not loaded["requests"] or not alone["requests"]:
            t.append((target, "no request completed within the run", False))
            continue
        p99, p50 = loaded["p99_ms"], alone["p50_ms"]
        t.append((target, f"{ratio(p99, p50):.1f} x", p99 <= 10 * p50))
    prog = ratio(by(report, "progress_10", 32)["rps"], by(report, "progress_1000", 32)["rps"])
    t.append(("progress 1,000 objectives <= 5 x 10 objectives", f"{prog:.1f} x", prog <= 5))
    st = report.statements
    same = (
        st["progress_1000"] == st["progress_10"]
        and st["tree_1000"] == st["tree_10"]
        and st["counts_first"] == st["counts_10000"]
    )
    t.append(("statements do not grow with plan size / page depth", json.dumps(st), same))
    mem = report.memory
    if mem.get("requests_served", 0) >= 100_000:
        growth = ratio(mem["rss_kib_at_end"], mem["rss_kib_after_1000"])
        t.append(
            ("RSS after 100,000 requests <= 1.2 x after 1,000", f"{growth:.2f} x", growth <= 1.2)
        )
    else:
        t.append(("RSS after 100,000 requests <= 1.2 x after 1,000", "not run (quick mode)", False))


def markdown(report: Report) -> str:
    m = report.machine
    lines = [
        f"### {report.database} — {m['date']}",
        "",
        f"Machine: nproc {m['nproc']}, {m['cpu']}, Python {m['python']}; server pinned to core 0, "
        f"wrk to core 1; {WARMUP:g} s warm-up + {DURATION:g} s per row. Data: "
        + ", ".join(f"{v:,} {k}" for k, v in report.data.items())
        + f" (built in {report.build_seconds:.0f} s).",
        "",
        "| scenario | route | conns | req/s | p50 ms | p99 ms | vs ceiling | non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in report.runs:
        r = run.result
        ratio = r["rps"] / run.ceiling_rps if run.ceiling_rps else 0
        lines.append(
            f"| {run.scenario} | {run.label} | {run.connections} | {r['rps']:,.0f} | "
            f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {ratio:.0%} | {r['non_2xx']} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for name, value, ok in report.targets:
        lines.append(f"| {name} | {value} | {'yes' if ok else '**no**'} |")
    mem = report.memory
    lines += [
        "",
        f"Memory (RSS): {mem.get('rss_kib_after_1000', 0) / 1024:.0f} MiB after 1,000 requests, "
        f"{mem.get('rss_kib_after_scenarios', 0) / 1024:.0f} MiB after the scenarios "
        f"({mem.get('requests_after_scenarios', 0):,}), "
        f"{mem.get('rss_kib_at_end', 0) / 1024:.0f} MiB after {mem.get('requests_served', 0):,}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    reports = []
    with tempfile.TemporaryDirectory(prefix="cohesion-bench-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "sqlite"):
            url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
            reports.append(bench_database("sqlite", url, workdir))
        pg = os.environ.get("BENCH_DATABASE_URL")
        if args.only in (None, "postgresql") and pg:
            reports.append(bench_database("postgresql", pg, workdir))
    for report in reports:
        text_md = markdown(report)
        print("\n" + text_md)
        (OUT / f"results-{report.database}.md").write_text(text_md)
        (OUT / f"results-{report.database}.json").write_text(
            json.dumps(
                {
                    "database": report.database,
                    "machine": report.machine,
                    "data": report.data,
                    "statements": report.statements,
                    "memory": report.memory,
                    "runs": [r.__dict__ for r in report.runs],
                    "targets": report.targets,
                },
                indent=2,
            )
        )
    print(f"total {time.perf_counter() - started:.0f} s; results in {OUT}")


if __name__ == "__main__":
    main()
