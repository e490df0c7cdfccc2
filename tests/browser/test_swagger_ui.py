"""Swagger UI and ReDoc in a real browser (Debian's Chromium, driven by Playwright).

A live uvicorn serves a migrated SQLite database with the demo data. The browser logs in
through Swagger UI's Authorize dialog as the demo chair, runs "Try it out" on list-networks
and sees the demo networks; ReDoc renders. Every request the page makes must stay on this
machine. Skipped where /usr/bin/chromium is not installed (`.ci/run` installs it).
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import DEMO_CHAIR, DEMO_PASSWORD, live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
__all__ = ["live_server"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no system Chromium installed"),
]
playwright_api = pytest.importorskip("playwright.sync_api")


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


def test_swagger_ui_authorize_and_try_list_networks(live_server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    local_only(page, live_server, outside)
    page.goto(f"{live_server}/docs")
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input#oauth_username").fill(DEMO_CHAIR)
    dialog.locator("input#oauth_password").fill(DEMO_PASSWORD)
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


def test_redoc_renders(live_server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    local_only(page, live_server, outside)
    page.goto(f"{live_server}/redoc")
    page.locator("h1", has_text="Cohesion API").first.wait_for(timeout=20_000)
    # The menu lists every operation; the body renders the sections.
    page.get_by_text("List networks (the directory)").first.wait_for(state="attached")
    assert page.locator("[data-section-id]").count() > 10
    assert outside == []
    page.close()
