"""Swagger UI and ReDoc in a real browser (Debian's Chromium, driven by Playwright).

A live uvicorn serves a migrated SQLite database with the demo data. The browser logs in
through Swagger UI's Authorize dialog as the demo chair, runs "Try it out" on list-networks
and sees the demo networks; ReDoc renders. Every request the page makes must stay on this
machine. Skipped where /usr/bin/chromium is not installed (`.ci/run` installs it).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
CHAIR = "chair@nonetwork.example"
PASSWORD = "cohesion-demo"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no system Chromium installed"),
]
playwright_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("browser") / "demo.db"
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
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def local_only(page: object, base: str, outside: list[str]) -> None:
    """Refuse (and remember) any request that would leave this machine."""

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith((base, "data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", guard)  # type: ignore[attr-defined]


def test_swagger_ui_authorize_and_try_list_networks(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    local_only(page, server, outside)
    page.goto(f"{server}/docs")
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input#oauth_username").fill(CHAIR)
    dialog.locator("input#oauth_password").fill(PASSWORD)
    dialog.locator("button.authorize").click()
    dialog.get_by_role("button", name="Remove authorization").wait_for()
    assert dialog.locator("h6", has_text="Authorized").is_visible()
    dialog.locator("button.btn-done").click()

    operation = page.locator("#operations-networks-list_networks")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip().startswith("200")
    body = operation.locator(".live-responses-table .microlight").first.inner_text()
    assert "Network of Networks" in body
    assert "West Partnership" in body
    assert outside == []
    page.close()


def test_redoc_renders(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    local_only(page, server, outside)
    page.goto(f"{server}/redoc")
    page.locator("h1", has_text="Cohesion API").first.wait_for(timeout=20_000)
    # The menu lists every operation; the body renders the sections.
    page.get_by_text("List networks (the directory)").first.wait_for(state="attached")
    assert page.locator("[data-section-id]").count() > 10
    assert outside == []
    page.close()
