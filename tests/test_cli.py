"""The CLI migrates and loads the demo once, as `make run` does."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cohesion(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_and_load_demo_twice(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "COHESION_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sub' / 'demo.db'}",
        "COHESION_PASSWORD_HASH_TIME_COST": "1",
        "COHESION_PASSWORD_HASH_MEMORY_KIB": "1024",
    }
    assert cohesion("migrate", env=env).returncode == 0
    first = cohesion("load-demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded." in first.stdout
    assert "chair@nonetwork.example" in first.stdout
    with sqlite3.connect(tmp_path / "sub" / "demo.db") as db:
        plans = db.execute("SELECT title, status FROM plans ORDER BY id").fetchall()
        achieved = db.execute("SELECT count(*) FROM milestones WHERE status = 'achieved'")
        assert achieved.fetchone()[0] == 4  # three in 2019-20, one in the 2026-27 roll-over
    assert plans == [
        ("Networks of Networks Action Plan 2021-22", "active"),
        ("Collaborative Learning Networks (CLNs) Outcome Planner 2019-2020", "active"),
        ("Networks of Networks Action Plan 2026-27", "active"),
        ("Open Badges for Migrant Skills England: success measures", "active"),
    ]
    with sqlite3.connect(tmp_path / "sub" / "demo.db") as db:
        awards = db.execute("SELECT count(*) FROM badge_awards").fetchone()[0]
        partnerships = db.execute("SELECT count(*) FROM partnerships").fetchone()[0]
    assert awards >= 3
    assert partnerships >= 2
    second = cohesion("load-demo", env=env)
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout
    admin = cohesion(
        "create-admin", "--email", "root@example.org", "--password", "a long password", env=env
    )
    assert admin.returncode == 0, admin.stderr
    missing = cohesion(
        "create-admin",
        "--email",
        "x@example.org",
        env={k: v for k, v in env.items() if k != "COHESION_ADMIN_PASSWORD"},
    )
    assert missing.returncode != 0
