"""Measures of success derived from communities: how many groups, the smallest group."""

import httpx

from tests.communities.helpers import Builder
from tests.communities.test_communities import count_selects
from tests.conftest import World
from tests.plans.helpers import PlanBuilder


async def measure_of(client: httpx.AsyncClient, world: World, **measure) -> str:
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "2")
    made = await plans.measure(objective["id"], **measure)
    return f"/measures/{made['id']}"


async def test_a_third_working_group_achieves_the_minimum_of_three(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    url = await measure_of(
        client,
        world,
        description="A minimum of 3 thematic working groups established",
        source="communities",
        params={"kind": "working_group"},
        target={"comparator": "at_least", "value": 3},
    )
    await build.community(title="International Cooperation", status="active")
    await build.community(title="Leveraging EU funds", status="active")
    # Neither a forming group, another kind, a deleted group nor B's group counts.
    await build.community(title="Sharing best practice", status="forming")
    await build.community(kind="steering_committee", title="Steering Committee", status="active")
    gone = await build.community(title="Deleted", status="active")
    await build.call("DELETE", f"/communities/{gone['id']}", expect=204)
    await build.community(network_id=world.network_b, status="active")
    before = await build.get(url, "member")
    assert before["current_value"] == 2
    assert before["status"] != "achieved"
    await build.community(title="Flexible learning pathways", status="active")
    after = await build.get(url, "member")
    assert after["current_value"] == 3
    assert after["status"] == "achieved"


async def test_a_group_dropping_to_three_members_misses_four_in_each(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    url = await measure_of(
        client,
        world,
        description="Number of participants in working groups (minimum 4 x people in each)",
        source="community_min_members",
        params={"kind": "working_group"},
        target={"comparator": "at_least", "value": 4, "period": "per_group"},
    )
    assert (await build.get(url))["status"] == "no_data"  # no working group yet
    groups = [await build.community(status="active") for _ in range(2)]
    members = {}
    for group in groups:
        for _ in range(4):
            person = await build.person()
            made = await build.member(group["id"], user_id=person.id)
            members.setdefault(group["id"], []).append(made["id"])
    await build.member(groups[1]["id"], organisation_id=await build.organisation())
    # A closed group of one does not count.
    closed = await build.community(status="closed")
    await build.member(closed["id"], user_id=world["member"].id)
    before = await build.get(url, "member")
    assert before["current_value"] == 4
    assert before["status"] == "achieved"
    await build.call("POST", f"/community-members/{members[groups[0]['id']][0]}/end", expect=200)
    after = await build.get(url, "member")
    assert after["current_value"] == 3
    assert after["status"] != "achieved"


async def test_member_types_and_params(client: httpx.AsyncClient, world: World) -> None:
    build = Builder(client, world)
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "5")
    path = f"/objectives/{objective['id']}/measures"
    for params in (
        {"kind": "club"},
        {"kind": "working_group", "status": "dormant"},
        {"kind": "working_group", "colour": "red"},
    ):
        body = {"description": "x", "source": "communities", "params": params}
        await build.call("POST", path, "chair", body, expect=422)
    body = {"description": "x", "source": "community_min_members", "params": {}}
    await build.call("POST", path, "chair", body, expect=422)  # kind is required
    sources = {
        s["name"]
        for s in (
            await client.get("/api/v1/measure-sources", headers=world.headers("member"))
        ).json()
    }
    assert {"communities", "community_min_members"} <= sources
    team = await build.community(kind="collaborative_learning_team", status="active")
    await build.member(team["id"], user_id=world["member"].id)
    for _ in range(3):
        await build.member(team["id"], organisation_id=await build.organisation())
    values = {}
    for members in ("all", "users", "organisations"):
        made = await plans.measure(
            objective["id"],
            source="community_min_members",
            params={"kind": "collaborative_learning_team", "members": members},
        )
        values[members] = (await build.get(f"/measures/{made['id']}"))["current_value"]
    assert values == {"all": 4, "users": 1, "organisations": 3}
    any_kind = await plans.measure(objective["id"], source="communities", params={})
    assert (await build.get(f"/measures/{any_kind['id']}"))["current_value"] == 1


async def test_each_source_takes_one_query_whatever_the_number_of_measures(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "1")
    await build.community(status="active")
    counts = []
    for extra in (1, 6):
        for i in range(extra):
            kind = ["working_group", "forum", "sub_group"][i % 3]
            await plans.measure(objective["id"], source="communities", params={"kind": kind})
            await plans.measure(
                objective["id"], source="community_min_members", params={"kind": kind}
            )
        with count_selects(world) as seen:
            await build.get(f"/objectives/{objective['id']}/measures?limit=200", "member")
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
