"""Building plans through the API for tests."""

from typing import Any

import httpx

from tests.conftest import World


class PlanBuilder:
    """Creates plans and their contents as the network's chair, asserting each step."""

    def __init__(self, client: httpx.AsyncClient, world: World, who: str = "chair") -> None:
        self.client = client
        self.world = world
        self.headers = world.headers(who)

    async def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(url, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def plan(self, network_id: int | None = None, **extra: Any) -> dict[str, Any]:
        body = {
            "title": "Action Plan 2021-22",
            "period_start": "2021-09-01",
            "period_end": "2022-08-31",
            "status": "active",
            **extra,
        }
        return await self.post(f"/api/v1/networks/{network_id or self.world.network_a}/plans", body)

    async def objective(self, plan_id: int, code: str, **extra: Any) -> dict[str, Any]:
        body = {"code": code, "title": f"Objective {code}", **extra}
        return await self.post(f"/api/v1/plans/{plan_id}/objectives", body)

    async def action(self, objective_id: int, **extra: Any) -> dict[str, Any]:
        body = {"description": "Do the thing", **extra}
        return await self.post(f"/api/v1/objectives/{objective_id}/actions", body)

    async def measure(self, objective_id: int, **extra: Any) -> dict[str, Any]:
        body = {"description": "How we will know", **extra}
        return await self.post(f"/api/v1/objectives/{objective_id}/measures", body)

    async def milestone(self, objective_id: int, **extra: Any) -> dict[str, Any]:
        body = {"title": "Milestone", **extra}
        return await self.post(f"/api/v1/objectives/{objective_id}/milestones", body)
