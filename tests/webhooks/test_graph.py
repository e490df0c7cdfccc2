"""``include_descendants`` follows the network graph: one delivery per event, however many
paths lead from the subscription's network down to the event's, and none once unlinked."""

from tests.conftest import World
from tests.webhooks.helpers import Hooks, Receiver


async def test_a_network_in_two_parents_delivers_once(
    hooks: Hooks, receiver: Receiver, world: World
) -> None:
    tree = await hooks.subscribe(receiver.url("/tree"), include_descendants=True)
    right = await hooks.call(
        "POST",
        "/networks",
        "admin",
        {"name": "Right", "kind": "regional", "parent_id": world.network_a},
        201,
    )
    down = await hooks.call(
        "POST",
        "/networks",
        "admin",
        {"name": "Down", "kind": "regional", "parent_id": world.child_a},
        201,
    )
    await hooks.call(
        "POST", f"/networks/{down['id']}/parents", "admin", {"parent_id": right["id"]}, 201
    )
    plan = await hooks.plan(down["id"], who="admin")
    created = [d for d in await hooks.deliveries(tree["id"]) if d["event_type"] == "plan.created"]
    assert len(created) == 1, created
    # Out of both paths: the subscription no longer hears of it.
    first = await hooks.call("GET", f"/networks/{down['id']}/parents", "admin")
    for item in first["items"]:
        await hooks.call("POST", f"/network-links/{item['id']}/end", "admin")
    await hooks.call("DELETE", f"/plans/{plan['id']}", "admin", expect=204)
    types = [d["event_type"] for d in await hooks.deliveries(tree["id"])]
    assert "plan.deleted" not in types and types.count("plan.created") == 1, types
