"""A live uvicorn serving a migrated SQLite database with the demo data (module-scoped)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_CHAIR = "chair@nonetwork.example"
DEMO_PASSWORD = "cohesion-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a freshly migrated server with the demo loaded."""
    database = tmp_path_factory.mktemp("live") / "demo.db"
    env = {
        **os.environ,
        "COHESION_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "COHESION_PASSWORD_HASH_TIME_COST": "1",
        "COHESION_PASSWORD_HASH_MEMORY_KIB": "1024",
        "COHESION_LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "app.cli"]
    for command in ("migrate", "load-demo"):
        subprocess.run(
            [*cli, command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
        )
    port = free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: on a loaded machine importing the app alone can take many seconds.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
