"""Who may call every webhook route: the network's own chair and platform admins; other role
holders in the network get 403, everyone else 404, anonymous callers 401 (even for ids that do
not exist). For each route and principal, fresh objects are built by the admin, so the status
code is the authorization answer and nothing else.

Principals (see tests/conftest.py): anonymous; admin; chair, executive, facilitator, member of
network A; other_chair, chair of network B; outsider, signed in with no role.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import World
from tests.webhooks.helpers import Hooks

PRINCIPALS = (
    "anonymous",
    "admin",
    "chair",
    "executive",
    "facilitator",
    "member",
    "other_chair",
    "outsider",
)
# A public address written as a literal: accepted without DNS, never contacted here.
TARGET = "https://93.184.216.34/hooks/cohesion"

Params = dict[str, Any]
Setup = Callable[[Hooks], Awaitable[Params]]


def cols(ok: int) -> tuple[int, ...]:
    """Admin and A's chair ``ok``; A's other roles 403; B's chair and outsiders 404."""
    return (401, ok, ok, 403, 403, 403, 404, 404)


EVERYONE = (401, 200, 200, 200, 200, 200, 200, 200)


async def network_a(h: Hooks) -> Params:
    return {"network_id": h.world.network_a}


async def webhook(h: Hooks) -> Params:
    made = await h.subscribe(TARGET, who="admin")
    return {"webhook_id": made["id"]}


async def deleted_webhook(h: Hooks) -> Params:
    params = await webhook(h)
    await h.call("DELETE", f"/webhooks/{params['webhook_id']}", "admin", expect=204)
    return params


async def delivery(h: Hooks) -> Params:
    params = await webhook(h)
    await h.plan(who="admin")
    [made] = await h.deliveries(params["webhook_id"], "admin")
    return {**params, "delivery_id": made["id"]}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    codes: tuple[int, ...]
    setup: Setup
    body: Callable[[Params], Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


ROWS = [
    Row("GET", "/webhook-event-types", EVERYONE, network_a),
    Row("GET", "/networks/{network_id}/webhooks", cols(200), network_a),
    Row(
        "POST",
        "/networks/{network_id}/webhooks",
        cols(201),
        network_a,
        lambda p: {"url": TARGET, "event_types": ["plan.*"]},
    ),
    Row("GET", "/webhooks/{webhook_id}", cols(200), webhook),
    Row("PATCH", "/webhooks/{webhook_id}", cols(200), webhook, lambda p: {"description": "CRM"}),
    Row("DELETE", "/webhooks/{webhook_id}", cols(204), webhook),
    Row("POST", "/webhooks/{webhook_id}/restore", cols(200), deleted_webhook),
    Row("POST", "/webhooks/{webhook_id}/rotate-secret", cols(200), webhook),
    Row("GET", "/webhooks/{webhook_id}/deliveries", cols(200), delivery),
    Row(
        "POST",
        "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        cols(200),
        delivery,
    ),
]


# The rows above are run by the one authorization harness (tests/test_authz_matrix.py), which
# also checks that every route has a row.


async def test_a_chair_manages_only_its_own_networks_webhooks(
    client: httpx.AsyncClient, world: World
) -> None:
    """A's chair reads A's child but may not manage its webhooks (writes are not inherited);
    B's chair cannot tell that A's webhooks exist."""
    hooks = Hooks(client, world)
    on_child = await hooks.subscribe(TARGET, world.child_a, who="admin")
    on_a = await hooks.subscribe(TARGET)
    await hooks.call("GET", f"/networks/{world.child_a}/webhooks", expect=403)
    await hooks.call("GET", f"/webhooks/{on_child['id']}", expect=403)
    body = {"url": TARGET, "event_types": ["*"]}
    await hooks.call("POST", f"/networks/{world.child_a}/webhooks", json=body, expect=403)
    await hooks.call("GET", f"/webhooks/{on_a['id']}", "other_chair", expect=404)
    await hooks.call(
        "POST", f"/webhooks/{on_a['id']}/rotate-secret", "other_chair", json={}, expect=404
    )
    await hooks.call("GET", f"/webhooks/{on_a['id']}/deliveries", "other_chair", expect=404)
    listed = await hooks.call("GET", f"/networks/{world.network_b}/webhooks", "other_chair")
    assert listed["items"] == []
