"""The CLI migrates and loads the demo once, as `make run` does."""

import logging
import os
import socket
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
    migrated = cohesion("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "applied" in migrated.stdout and "(empty) -> 0001" in migrated.stdout
    again = cohesion("migrate", env=env)
    assert "already at the newest schema, nothing to do" in again.stdout
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


def test_a_port_in_use_is_one_clear_line() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = cohesion("serve", "--port", str(port), env=dict(os.environ))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in lines[0]
    assert "PORT=" in lines[0]


def test_development_logs_are_readable_lines_and_production_logs_json() -> None:
    from app.core.config import Settings
    from app.core.logging import ReadableFormatter, _drop_colour, access_log

    record = access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        1,
        "request",
        None,
        None,
        extra={
            "method": "GET",
            "path": "/healthz",
            "status": 200,
            "duration_ms": 1.5,
            "color_message": "\x1b[32mgreen\x1b[0m",
        },
    )
    assert _drop_colour(record)  # the handler's filter: uvicorn's coloured copy goes
    line = ReadableFormatter().format(record)
    assert "GET /healthz 200 1.5 ms" in line
    assert "{" not in line and "\x1b" not in line
    dev = Settings(_env_file=None, environment="development")  # type: ignore[call-arg]
    prod_like = Settings(_env_file=None, environment="test", log_json=True)  # type: ignore[call-arg]
    assert not dev.logs_as_json and prod_like.logs_as_json
