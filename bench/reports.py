"""Report rendering speed (issue 18): the report of a 100-objective plan, on one core.

    .venv/bin/python bench/reports.py            # a fresh SQLite file under var/bench/
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/<own db> \\
        .venv/bin/python bench/reports.py        # PostgreSQL (its public schema is DROPPED)

Builds one plan of 100 objectives (``bench/dataset.py``'s plan document: each objective with
an action, a measure with a target and a milestone) through the importer, records four
readings on every manual measure and achieves a third of the milestones, then times, pinned
to one CPU, what the route does: gather the report (``app/reports/service.py``) and render it
as HTML, and as PDF typeset by Typst (``app/reports/renderers/pdf.py``), the median of
BENCH_RUNS (5) runs after a warm-up. Side by side, when WeasyPrint is installed (it is no
longer a dependency: ``pip install weasyprint`` plus Pango to compare), the same HTML printed
by WeasyPrint. Targets, in CPU time of the one core: HTML <= 1 s, PDF <= 3 s; exits non-zero when
one is missed (wall-clock figures are printed too).
The last PDFs and the HTML are left in var/bench/ to look at.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COHESION_LOG_LEVEL", "WARNING")

from sqlalchemy import select, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from app.auth.models import User  # noqa: E402
from app.auth.policy import Principal  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.networks import service as network_service  # noqa: E402
from app.networks.schemas import NetworkCreate, NetworkKind  # noqa: E402
from app.plans import transfer  # noqa: E402
from app.plans.deps import InPlan  # noqa: E402
from app.plans.models import Measure, MeasureReading, Milestone  # noqa: E402
from app.reports import service  # noqa: E402
from app.reports.renderers import html, pdf  # noqa: E402

try:  # only to compare: WeasyPrint printing the HTML report (needs Pango)
    from weasyprint import HTML as WeasyHTML  # type: ignore[import-not-found, unused-ignore]
except (ImportError, OSError):
    WeasyHTML = None
from bench.dataset import plan_document  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
OBJECTIVES = 100
TARGETS = {"html": 1.0, "pdf": 3.0}


async def build(db: Database) -> InPlan:
    async with db.transaction() as session:
        user = User(email="bench-admin@cohesion.example", name="Bench admin", is_admin=True)
        session.add(user)
        await session.flush()
        admin = Principal(kind="user", id=user.id, is_admin=True, name="Bench admin")
        network = await network_service.create(
            session, admin, data=NetworkCreate(name="Bench alliance", kind=NetworkKind.alliance)
        )
        plan = await transfer.create_from_document(
            session, admin, network, plan_document(OBJECTIVES, 0)
        )
        await session.flush()
        measures = (
            await session.execute(select(Measure).where(col(Measure.plan_id) == plan.id))
        ).scalars()
        for i, measure in enumerate(measures):
            if measure.source != "manual":
                continue
            for month, value in ((3, 2.0), (6, 5.0), (9, 7.0 + i % 5), (11, 9.0 + i % 4)):
                session.add(
                    MeasureReading(
                        measure_id=measure.id,
                        value=value,
                        observed_on=date(2023, month, 15),
                        recorded_by_kind="user",
                        recorded_by_id=user.id,
                    )
                )
        milestones = (
            await session.execute(select(Milestone).where(col(Milestone.plan_id) == plan.id))
        ).scalars()
        for i, milestone in enumerate(milestones):
            if i % 3 == 0:
                milestone.status, milestone.achieved_on = "achieved", date(2023, 6, 20)
        return InPlan(obj=plan, plan=plan, network=network)


async def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    url = os.environ.get("BENCH_DATABASE_URL")
    env = {**os.environ}
    if url is None:
        path = ROOT / "var" / "bench" / "reports.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        env["COHESION_DATABASE_URL"] = url
        db = Database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        await db.dispose()
    env["COHESION_DATABASE_URL"] = url
    bin_dir = Path(sys.executable).parent
    subprocess.run(  # noqa: ASYNC221 (once, before anything is timed)
        [str(bin_dir / "cohesion"), "migrate"], env=env, cwd=ROOT, check=True
    )
    db = Database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    found = await build(db)
    as_of = date(2023, 12, 31)
    times: dict[str, list[float]] = {"gather": [], "html": [], "pdf": [], "weasyprint": []}
    cpu: dict[str, list[float]] = {"html": [], "pdf": []}
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    weasy = b""
    for run in range(RUNS + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        async with db.transaction() as session:
            report = await service.plan_report(session, found, as_of, date(2023, 12, 1))
        gathered = time.perf_counter()
        cpu_gathered = time.process_time()
        document = html.plan(report)
        rendered, cpu_rendered = time.perf_counter(), time.process_time()
        body = pdf.plan(report)
        typeset, cpu_typeset = time.perf_counter(), time.process_time()
        if WeasyHTML is not None:
            weasy = bytes(WeasyHTML(string=document).write_pdf())
        printed = time.perf_counter()
        if run:  # the first run warms caches (templates, fonts)
            times["gather"].append(gathered - started)
            # What the route takes for each format: gather, then lay out.
            times["html"].append(rendered - started)
            times["pdf"].append(gathered - started + typeset - rendered)
            # CPU time: what the same work takes on a core of its own (the machine is shared).
            cpu["html"].append(cpu_rendered - cpu_started)
            cpu["pdf"].append(cpu_gathered - cpu_started + cpu_typeset - cpu_rendered)
            if WeasyHTML is not None:
                # The route before: gather, HTML, then print that HTML.
                times["weasyprint"].append(rendered - started + printed - typeset)
    await db.dispose()
    (out / "report-100.html").write_text(document)
    (out / "report-100.pdf").write_bytes(body)
    if weasy:
        (out / "report-100-weasyprint.pdf").write_bytes(weasy)
    print(
        f"report of a {OBJECTIVES}-objective plan ({url.split(':')[0]}), one core, "
        f"median of {RUNS}: {len(document) // 1024} KiB HTML, {len(body) // 1024} KiB PDF "
        f"(Typst)" + (f", {len(weasy) // 1024} KiB PDF (WeasyPrint)" if weasy else "")
    )
    print("  wall clock (what a client waits for on this machine, whatever else runs on it):")
    for fmt, values in times.items():
        if values:
            median = statistics.median(values)
            print(f"    {fmt:10} {median:6.2f} s (min {min(values):.2f}, max {max(values):.2f})")
        else:
            print(f"    {fmt:10} not measured (WeasyPrint is not installed)")
    # The targets are for one core: judged on CPU time, which a shared machine does not inflate.
    print("  CPU time (one core):")
    failed = False
    for fmt, values in cpu.items():
        median, target = statistics.median(values), TARGETS[fmt]
        failed |= median > target
        print(
            f"    {fmt:10} {median:6.2f} s (min {min(values):.2f}; target <= {target:.0f} s) "
            + ("ok" if median <= target else "MISSED")
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())
