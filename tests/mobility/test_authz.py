"""Who may call each mobility route: anonymous, the roles of network A, the chair of B, a
signed-in outsider, and a ``mobility:write`` service account of A.

Reads need a role on the network (or an ancestor); opportunities are written by chair,
executive and facilitator (the register keepers); counts are posted by those and by the
network's service accounts. Everyone else: 404, as if the network did not exist.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import World
from tests.mobility.helpers import API, make_orgs, record

WHO = (
    "anonymous",
    "admin",
    "chair",
    "executive",
    "facilitator",
    "member",
    "other_chair",
    "outsider",
    "service_account",
)
READ = {
    "anonymous": 401,
    "admin": 200,
    "chair": 200,
    "executive": 200,
    "facilitator": 200,
    "member": 200,
    "other_chair": 404,
    "outsider": 404,
    "service_account": 403,
}


def keepers(ok: int) -> dict[str, int]:
    """Chair, executive and facilitator (and admin) may; a member may not."""
    allowed = {k: ok for k in ("admin", "chair", "executive", "facilitator")}
    return {**READ, **allowed, "member": 403}


@dataclass
class Ctx:
    client: httpx.AsyncClient
    world: World
    orgs: list[int]

    async def as_admin(self, method: str, path: str, json: Any = None) -> Any:
        headers = {**self.world.headers("admin"), "If-Match": "*"}
        response = await self.client.request(method, API + path, json=json, headers=headers)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def opportunity(self, deleted: bool = False) -> int:
        created = await self.as_admin(
            "POST",
            f"/networks/{self.world.network_a}/mobility-opportunities",
            {
                "organisation_id": self.orgs[0],
                "title": "Placement",
                "eqf_level": 4,
                "participant": "learner",
                "mode": "physical",
            },
        )
        if deleted:
            await self.as_admin("DELETE", f"/mobility-opportunities/{created['id']}")
        return int(created["id"])


@dataclass
class Row:
    method: str
    path: str
    expected: dict[str, int]
    setup: Callable[[Ctx], Awaitable[dict[str, Any]]] | None = None
    body: Callable[[Ctx], Any] | None = None


async def live(ctx: Ctx) -> dict[str, Any]:
    return {"id": await ctx.opportunity()}


async def deleted(ctx: Ctx) -> dict[str, Any]:
    return {"id": await ctx.opportunity(deleted=True)}


ROWS = [
    Row("GET", "/networks/{a}/mobility-opportunities", READ),
    Row(
        "POST",
        "/networks/{a}/mobility-opportunities",
        keepers(201),
        body=lambda ctx: {
            "organisation_id": ctx.orgs[1],
            "title": "Virtual exchange",
            "eqf_level": 3,
            "participant": "learner",
            "mode": "virtual",
        },
    ),
    Row("GET", "/mobility-opportunities/{id}", READ, live),
    Row("PATCH", "/mobility-opportunities/{id}", keepers(200), live, lambda ctx: {"places": 3}),
    Row("DELETE", "/mobility-opportunities/{id}", keepers(204), live),
    Row("POST", "/mobility-opportunities/{id}/restore", keepers(200), deleted),
    Row(
        "POST",
        "/networks/{a}/mobility-counts",
        {**keepers(200), "service_account": 200},
        body=lambda ctx: {"records": [record(ctx.orgs[0], ctx.orgs[1], 2)]},
    ),
    Row("GET", "/networks/{a}/mobility-counts", READ),
    Row("GET", "/networks/{a}/mobility-counts/summary?group_by=mode", READ),
    Row("GET", "/networks/{a}/mobility-counts/export?format=csv", READ),
]
ROUTES = {(row.method, row.path.split("?")[0]) for row in ROWS}


# The rows above are run by the one authorization harness (tests/test_authz_matrix.py), which
# also checks that every route has a row.


async def test_a_role_on_the_parent_reads_the_child_but_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    orgs = await make_orgs(client, world)
    url = f"{API}/networks/{world.child_a}/mobility-counts"
    body = {"records": [record(orgs[0], orgs[1], 2)]}
    for who in ("chair", "facilitator", "member"):
        assert (await client.get(url, headers=world.headers(who))).status_code == 200
    for who in ("chair", "facilitator"):
        response = await client.post(url, json=body, headers=world.headers(who))
        assert response.status_code == 403, who
    assert (await client.get(url, headers=world.headers("other_chair"))).status_code == 404
