"""CORS for browser frontends, configured from settings."""

import httpx

from app.main import create_app
from tests.conftest import make_settings

PORTAL = "https://portal.example"


async def test_preflight_and_exposed_headers(settings) -> None:
    app = create_app(make_settings(settings.database_url, cors_origins=[PORTAL]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        preflight = await client.options(
            "/api/v1/networks",
            headers={
                "Origin": PORTAL,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, if-match, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == PORTAL
        assert "PATCH" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert {"authorization", "if-match", "idempotency-key"} <= {
            h.strip() for h in allowed.split(",")
        }
        refused = await client.options(
            "/api/v1/networks",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in refused.headers
        simple = await client.get("/healthz", headers={"Origin": PORTAL})
        assert simple.headers["access-control-allow-origin"] == PORTAL
        exposed = simple.headers["access-control-expose-headers"].lower()
        assert "etag" in exposed and "link" in exposed
    await app.state.cohesion.db.dispose()
