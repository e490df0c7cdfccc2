"""The HTML plan report in a real browser (Debian's Chromium, driven by Playwright): it
requests nothing, logs no error, and shows every objective and measure. A screenshot is kept
in var/test-artifacts/ (CI keeps var/)."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.test_swagger_ui import CHROMIUM, browser
from tests.live import DEMO_CHAIR, DEMO_PASSWORD, ROOT, live_server

__all__ = ["browser", "live_server"]
ARTIFACTS = ROOT / "var" / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no system Chromium installed"),
]
pytest.importorskip("playwright.sync_api")


def _objectives(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = list(reversed(tree["objectives"]))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node["children"]))
    return found


def test_plan_report_html_in_chromium(live_server: str, browser: Any) -> None:
    # Generous timeouts: the machine running the tests may be busy with other work.
    api = httpx.Client(base_url=live_server, timeout=120)
    token = api.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": DEMO_CHAIR, "password": DEMO_PASSWORD},
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    networks = api.get("/api/v1/me", headers=auth).json()
    network_id = next(r["network_id"] for r in networks["roles"] if r["role"] == "chair")
    plans = api.get(f"/api/v1/networks/{network_id}/plans", headers=auth).json()
    plan = next(p for p in plans["items"] if p["title"].endswith("2026-27"))
    tree = api.get(f"/api/v1/plans/{plan['id']}/tree", headers=auth).json()
    api.close()
    url = f"{live_server}/api/v1/plans/{plan['id']}/report"

    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    page.set_default_timeout(120_000)
    page.set_extra_http_headers(auth)
    requests: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:  # the report must need nothing but itself
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == tree["title"]
    for objective in _objectives(tree):
        heading = page.locator(f"#objective-{objective['code']}-title")
        assert heading.is_visible(), objective["code"]
        heading.scroll_into_view_if_needed()
        assert heading.inner_text().startswith(f"{objective['code']}. ")
        for measure in objective["measures"]:
            cell = page.locator(
                f"#objective-{objective['code']} th", has_text=measure["description"][:60]
            )
            assert cell.first.is_visible(), measure["description"]
    assert page.locator("svg").count() >= 3
    assert page.locator("th[scope=col]").count() > 10
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "plan-report.png"))
    page.screenshot(path=str(ARTIFACTS / "plan-report-full.png"), full_page=True)
    assert requests == []
    assert errors == []
    page.close()
