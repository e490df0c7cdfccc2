"""GET /networks/{id}/progress: every readable network's active plans, judged as /progress
judges them, in a number of statements that does not grow with the number of networks."""

from typing import Any

import httpx

from app.auth.policy import Principal
from app.networks import service as network_service
from app.networks.schemas import NetworkCreate, NetworkKind
from app.plans import transfer
from tests.conftest import World
from tests.plans.helpers import PlanBuilder
from tests.test_statement_counts import statements

AS_OF = "2022-03-01"


def _document(title: str, *, status: str = "active", period_end: str = "2022-08-31") -> Any:
    """A plan with a manual measure (read below), derived measures of three batched
    sources, a past-due milestone and a blocked action."""
    return transfer.PlanDocument.model_validate(
        {
            "title": title,
            "period_start": "2021-09-01",
            "period_end": period_end,
            "status": status,
            "objectives": [
                {
                    "code": "1",
                    "title": "Grow",
                    "measures": [
                        {
                            "description": "Regional networks",
                            "target": {"comparator": "at_least", "value": 2},
                            "source": "child_networks",
                        },
                        {
                            "description": "Working groups",
                            "target": {"comparator": "at_least", "value": 3},
                            "source": "communities",
                            "params": {"kind": "working_group"},
                        },
                        {
                            "description": "People per group",
                            "target": {"comparator": "at_least", "value": 4},
                            "source": "community_min_members",
                            "params": {"kind": "working_group"},
                        },
                        {
                            "description": "Events",
                            "target": {"comparator": "at_least", "value": 10},
                        },
                    ],
                    "milestones": [{"title": "MoU signed", "due": "2021-12-01"}],
                    "actions": [{"description": "Recruit", "status": "blocked"}],
                    "children": [{"code": "1a", "title": "Sub"}],
                }
            ],
        }
    )


async def _tree_of_plans(world: World, n: int) -> list[int]:
    """``n`` networks under network A (one of them under another), each with an active plan,
    plus a draft plan in A that the roll-up leaves out. Returns the active plans' ids."""
    admin = Principal(kind="user", id=world.admin.id, is_admin=True, name="admin")
    plans = []
    async with world.app.state.cohesion.db.transaction() as session:
        network_a = await network_service.get_or_404(session, world.network_a)
        parent = world.network_a
        for i in range(n):
            child = await network_service.create(
                session,
                admin,
                data=NetworkCreate(
                    name=f"Region {i:02d}", kind=NetworkKind.geographic, parent_id=parent
                ),
            )
            if i == 0:
                parent = child.id or parent  # the others sit one level deeper, under Region 00
            plan = await transfer.create_from_document(
                session, admin, child, _document(f"Plan {i}")
            )
            plans.append(plan.id)
        await transfer.create_from_document(
            session, admin, network_a, _document("Draft", status="draft")
        )
    return plans


async def test_roll_up_judges_every_plan_as_its_progress_does(
    client: httpx.AsyncClient, world: World
) -> None:
    plans = await _tree_of_plans(world, 3)
    build = PlanBuilder(client, world, "admin")
    tree = await client.get(f"/api/v1/plans/{plans[1]}/tree", headers=world.headers("admin"))
    measure = tree.json()["objectives"][0]["measures"][3]
    await build.post(
        f"/api/v1/measures/{measure['id']}/readings", {"value": 6, "observed_on": "2022-02-01"}
    )
    answer = await client.get(
        f"/api/v1/networks/{world.network_a}/progress?as_of={AS_OF}",
        headers=world.headers("member"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["as_of"] == AS_OF
    names = [(n["name"], n["depth"]) for n in body["networks"]]
    # A itself, its child network from the fixture, Region 00 and the two under it.
    assert ("Region 00", 1) in names and ("Region 01", 2) in names and ("Region 02", 2) in names
    assert [n for n, _ in names].index("Region 01") > [n for n, _ in names].index("Region 00")
    by_plan = {p["plan_id"]: p for n in body["networks"] for p in n["plans"]}
    assert sorted(by_plan) == sorted(plans)  # the draft is not active: left out
    for plan_id in plans:
        own = (
            await client.get(
                f"/api/v1/plans/{plan_id}/progress?as_of={AS_OF}", headers=world.headers("admin")
            )
        ).json()
        rolled = by_plan[plan_id]
        assert rolled["rag"] == own["rag"]
        for group in ("actions", "milestones", "measures"):
            assert rolled[group] == own[group], (plan_id, group)
    # Region 00 has two child networks (child_networks achieved); the read measure has a value.
    assert by_plan[plans[0]]["measures"]["achieved"] == 1
    # Valued: child_networks, communities (0 of 3, a value nonetheless) and, in plan 1, the
    # reading; community_min_members has no group to measure.
    assert by_plan[plans[0]]["coverage"] == 0.5
    assert by_plan[plans[1]]["coverage"] == 0.75
    assert by_plan[plans[1]]["milestones"]["overdue"] == 1
    totals = body["totals"]
    assert totals["plans"] == 3 and totals["networks"] == len(body["networks"])
    assert sum(totals["ratings"].values()) == 3
    assert totals["measures"]["total"] == 12 and totals["actions"]["blocked"] == 3
    assert totals["coverage"] == round(7 / 12, 3)


async def test_roll_up_shows_only_what_the_caller_reads(
    client: httpx.AsyncClient, world: World
) -> None:
    await _tree_of_plans(world, 1)
    url = f"/api/v1/networks/{world.network_a}/progress"
    assert (await client.get(url, headers=world.headers("other_chair"))).status_code == 404
    assert (await client.get(url, headers=world.headers("outsider"))).status_code == 404
    assert (await client.get(url, headers=world.headers("anonymous"))).status_code == 401
    child = await client.get(
        f"/api/v1/networks/{world.child_a}/progress", headers=world.headers("chair")
    )
    assert child.status_code == 200
    assert [n["network_id"] for n in child.json()["networks"]] == [world.child_a]
    bad = await client.get(f"{url}?as_of=2022-13-01", headers=world.headers("chair"))
    assert bad.status_code == 422


async def test_without_as_of_an_ended_plan_is_judged_at_its_period_end(
    client: httpx.AsyncClient, world: World
) -> None:
    plans = await _tree_of_plans(world, 1)
    body = (
        await client.get(
            f"/api/v1/networks/{world.network_a}/progress", headers=world.headers("chair")
        )
    ).json()
    assert body["as_of"] is None
    (plan,) = [p for n in body["networks"] for p in n["plans"] if p["plan_id"] == plans[0]]
    assert plan["as_of"] == "2022-08-31"


async def test_statements_do_not_grow_with_the_number_of_networks(
    client: httpx.AsyncClient, world: World
) -> None:
    await _tree_of_plans(world, 1)
    url = f"/api/v1/networks/{world.network_a}/progress?as_of={AS_OF}"
    with statements(world) as one:
        small = await client.get(url, headers=world.headers("chair"))
    await _tree_of_plans(world, 59)
    with statements(world) as sixty:
        large = await client.get(url, headers=world.headers("chair"))
    assert small.json()["totals"]["plans"] == 1
    assert large.json()["totals"]["plans"] == 60
    assert len(one) == len(sixty), (one, sixty)
