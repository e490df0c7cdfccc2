"""Real server processes for the fault tests: started, killed with SIGKILL, started again.

Unlike ``tests/live.py`` (one module-scoped server), a fault test owns its processes: it
migrates a database, starts ``cohesion serve`` on a free port, and may kill it at any moment.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.live import ROOT, free_port

API = "/api/v1"
ADMIN_EMAIL = "fault.admin@test.example"
ADMIN_PASSWORD = "fault-admin-password"
CLI = [sys.executable, "-m", "app.cli"]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "COHESION_DATABASE_URL": database_url,
        "COHESION_PASSWORD_HASH_TIME_COST": "1",
        "COHESION_PASSWORD_HASH_MEMORY_KIB": "1024",
        "COHESION_LOG_LEVEL": "WARNING",
        "COHESION_WEBHOOKS_WORKER_ENABLED": "false",
        **extra,
    }


def prepare_database(env: dict[str, str]) -> None:
    """Migrate to head and make sure the admin exists (both idempotent)."""
    for command in (["migrate"], ["create-admin", "--email", ADMIN_EMAIL]):
        subprocess.run(
            [*CLI, *command],
            cwd=ROOT,
            env={**env, "COHESION_ADMIN_PASSWORD": ADMIN_PASSWORD},
            check=True,
            capture_output=True,
            timeout=120,
        )


@dataclass
class Server:
    """One ``cohesion serve`` process on a free port."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()  # a server that starts after the test gave up must not outlive the run
        raise RuntimeError("the server did not start in 60 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no rollback, no goodbye."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def token(self) -> dict[str, str]:
        response = httpx.post(
            f"{self.base}{API}/auth/token",
            data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def call(
        self, method: str, path: str, headers: dict[str, str], expect: int, **kwargs: Any
    ) -> Any:
        response = httpx.request(
            method, f"{self.base}{API}{path}", headers=headers, timeout=60, **kwargs
        )
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else None
