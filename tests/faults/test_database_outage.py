"""PostgreSQL goes away under a running server, and comes back.

The shared PostgreSQL server is never touched: the test makes its own throwaway instance
(``initdb`` into a temporary directory, on a free port, as the ``postgres`` user when run as
root, since PostgreSQL refuses to run as root), migrates it, starts ``cohesion serve`` against
it, and stops the instance while requests are in flight. Every answer during the outage is a
``503`` problem+json (never a 500, never a hang: the client's timeout would fail the test),
``/readyz`` is red; once the instance is started again the same server process recovers by
itself: ``/readyz`` green, reads and writes 2xx.
"""

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.faults.harness import API, Server, prepare_database, server_env
from tests.live import free_port

pytestmark = pytest.mark.faults

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
PROBLEM = "application/problem+json"
# A request that does not answer within this is a hang, and fails the test.
HANG = 30.0


@dataclass
class Instance:
    """A PostgreSQL instance of our own, in a temporary directory."""

    bin: Path
    data: Path
    port: int
    as_user: list[str]

    def run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, timeout=120, cwd="/"
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-o", options, "-w",
            "-l", str(self.data / "postgres.log"), "start",
        )  # fmt: skip

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def instance() -> Iterator[Instance]:
    if not BINARIES:
        pytest.skip(
            "no PostgreSQL binaries in /usr/lib/postgresql/*/bin to make a throwaway instance"
        )
    as_user: list[str] = []
    data = Path(tempfile.mkdtemp(prefix="cohesion-outage-"))
    if os.geteuid() == 0:  # postgres refuses to run as root
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
        as_user = [runuser, "-u", "postgres", "--"]
        shutil.chown(data, "postgres")
    pg = Instance(Path(BINARIES[-1]), data, free_port(), as_user)
    try:
        pg.run(
            str(pg.bin / "initdb"), "-D", str(data / "db"), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        pg.start()
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            pg.stop()
        shutil.rmtree(data, ignore_errors=True)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.request.url, response.text)
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    assert response.json()["status"] == 503


async def test_database_outage_gives_503_and_the_app_recovers(
    instance: Instance, tmp_path: Path
) -> None:
    env = server_env(instance.url, COHESION_DATABASE_POOL_SIZE="5")
    await asyncio.to_thread(prepare_database, env)
    server = Server(env, tmp_path / "server.log").start()
    try:
        admin = server.token()
        async with httpx.AsyncClient(base_url=server.base, timeout=HANG) as client:

            async def read() -> httpx.Response:
                return await client.get(f"{API}/networks", headers=admin)

            async def write(name: str) -> httpx.Response:
                body = {"name": name, "kind": "thematic"}
                return await client.post(f"{API}/networks", json=body, headers=admin)

            assert (await client.get("/readyz")).status_code == 200
            assert (await write("Before the outage")).status_code == 201

            # Requests in flight while the instance stops: each ends 2xx (before) or 503.
            stopping = asyncio.create_task(asyncio.to_thread(instance.stop))
            during: list[httpx.Response] = []
            serial = 0
            while not stopping.done():
                serial += 1
                during += await asyncio.gather(read(), write(f"During {serial}"), read())
            await stopping
            for response in during:
                if not response.is_success:
                    assert_unavailable(response)
            statuses = sorted({r.status_code for r in during})
            print(f"outage: {len(during)} requests in flight while stopping: {statuses}")

            # Down: every kind of request is refused quickly and cleanly, over and over.
            for attempt in range(3):
                assert_unavailable(await client.get("/readyz"))
                assert_unavailable(await read())
                assert_unavailable(await write(f"Down {attempt}"))
                assert_unavailable(
                    await client.post(
                        f"{API}/auth/token",
                        data={"grant_type": "password", "username": "x@y.example", "password": "z"},
                    )
                )
            assert (await client.get("/healthz")).status_code == 200  # the process lives

            # Back: the same process recovers by itself.
            await asyncio.to_thread(instance.start)
            for _ in range(300):
                ready = await client.get("/readyz")
                if ready.status_code == 200:
                    break
                assert_unavailable(ready)
                await asyncio.sleep(0.1)
            assert ready.status_code == 200, ready.text
            for attempt in range(3):
                assert (await read()).status_code == 200
                made = await write(f"After the outage {attempt}")
                assert made.status_code == 201, made.text
            names = {
                n["name"]
                for n in (await client.get(f"{API}/networks?limit=200", headers=admin)).json()[
                    "items"
                ]
            }
            assert {"Before the outage", "After the outage 0"} <= names
            assert not {f"Down {i}" for i in range(3)} & names
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert "unhandled error" not in log, log[-3000:]
