"""A demo award's share page in a real browser (Debian's Chromium, driven by Playwright, with
the report harness's live server): it requests nothing, runs no script, shows the badge, its
issuer, criteria, the employer's endorsement of the badge and the parent network's of the
issuer, and its verify button answers ``valid``. A
screenshot is kept in var/test-artifacts/."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.test_swagger_ui import CHROMIUM, browser
from tests.live import DEMO_PASSWORD, ROOT, live_server

__all__ = ["browser", "live_server"]
ARTIFACTS = ROOT / "var" / "test-artifacts"
DEMO_ADMIN = "admin@cohesion.example"
ISSUER = "Open Badges for Migrant Skills England"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no system Chromium installed"),
]
pytest.importorskip("playwright.sync_api")


def _demo_share_path(base: str) -> str:
    api = httpx.Client(base_url=base, timeout=120)
    token = api.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": DEMO_ADMIN, "password": DEMO_PASSWORD},
    ).json()["access_token"]
    api.headers["Authorization"] = f"Bearer {token}"
    networks = api.get("/api/v1/networks", params={"limit": 100}).json()["items"]
    network = next(n for n in networks if n["name"] == ISSUER)
    badges = api.get(f"/api/v1/networks/{network['id']}/badges").json()["items"]
    badge = next(b for b in badges if b["name"] == "Customer Service Skills")
    award = api.get(f"/api/v1/badges/{badge['id']}/awards").json()["items"][0]
    api.close()
    return urlsplit(award["share_url"]).path


def test_demo_share_page_in_chromium(live_server: str, browser: Any) -> None:
    url = live_server + _demo_share_path(live_server)
    # JavaScript off: the page, and its verify button, must need no script
    page = browser.new_page(viewport={"width": 900, "height": 1300}, java_script_enabled=False)
    page.set_default_timeout(120_000)
    requests: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(live_server + "/api/v1/"):
            requests.append(route.request.url)
            route.continue_()
        else:  # nothing from anywhere else
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    assert requests == [url]  # the page alone: no style sheet, font, image or script
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Customer Service Skills"
    assert page.locator("#issuer").inner_text() == ISSUER
    assert page.locator("#recipient").inner_text() == "Amina Yusuf"
    assert "confirmed by a supervisor" in page.locator("#criteria").inner_text()
    assert page.locator("#status").inner_text().startswith("Verified")
    endorsement = page.get_by_role("region", name="Endorsements", exact=True).get_by_role("article")
    assert (
        endorsement.get_by_role("heading")
        .inner_text()
        .startswith("Committed Employers for Migrant Skills")
    )
    of_issuer = page.get_by_role("region", name=f"Endorsements of the issuer, {ISSUER}")
    assert (
        of_issuer.get_by_role("article")
        .get_by_role("heading")
        .inner_text()
        .startswith("Open Badge Networks England")
    )
    for name in ("Verification", "About the badge", "Endorsements", "The credential"):
        assert page.get_by_role("region", name=name, exact=True).is_visible(), name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "award-share-page.png"), full_page=True)

    page.get_by_role("button", name="Verify this badge now").click()
    page.wait_for_load_state("load")
    answer = json.loads(page.locator("body").inner_text())
    assert answer["valid"] is True and answer["badge"] == "Customer Service Skills"
    assert urlsplit(page.url).path.startswith("/api/v1/credentials/")
    assert all(r.startswith(live_server + "/api/v1/") for r in requests)
    assert errors == []
    page.close()
