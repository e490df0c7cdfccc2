"""Small helpers shared by the auth tests: logging in and checking problem+json bodies."""

from typing import Any

import httpx

from tests.conftest import TEST_PASSWORD

API = "/api/v1"
PROBLEM = "application/problem+json"


async def login(
    client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD
) -> httpx.Response:
    """POST the password grant to the token endpoint."""
    return await client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )


async def bearer(client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> dict:
    """Authorization headers from a real log-in (asserts that it succeeds)."""
    response = await login(client, email, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://cohesion.local/problems/")
    assert body["instance"] == response.request.url.path
    return body


def assert_unauthorized(response: httpx.Response) -> dict[str, Any]:
    """401 problem+json with a Bearer challenge."""
    body = assert_problem(response, 401)
    assert body["type"].endswith("/unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer"), response.headers
    return body


def error_locs(body: dict[str, Any]) -> list[list[str | int]]:
    return [e["loc"] for e in body.get("errors") or []]
