"""Plans, objectives, actions, measures and milestones through the API."""

from tests.conftest import World
from tests.plans.helpers import PlanBuilder


async def test_plan_lifecycle(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan(status="draft")
    url = f"/api/v1/plans/{plan['id']}"
    listed = await client.get(
        f"/api/v1/networks/{world.network_a}/plans?status=draft", headers=world.headers("member")
    )
    assert [p["id"] for p in listed.json()["items"]] == [plan["id"]]
    bad_period = await client.patch(
        url, json={"period_end": "2020-01-01"}, headers={**world.headers("chair"), "If-Match": "*"}
    )
    assert bad_period.status_code == 422
    closed = await client.patch(
        url, json={"status": "closed"}, headers={**world.headers("executive"), "If-Match": "*"}
    )
    assert closed.status_code == 200
    # A closed plan is read-only…
    refused = await client.post(
        f"{url}/objectives", json={"code": "1", "title": "x"}, headers=world.headers("chair")
    )
    assert refused.status_code == 409
    retitle = await client.patch(
        url, json={"title": "New"}, headers={**world.headers("chair"), "If-Match": "*"}
    )
    assert retitle.status_code == 409
    # …until reopened.
    reopened = await client.patch(
        url, json={"status": "active"}, headers={**world.headers("chair"), "If-Match": "*"}
    )
    assert reopened.status_code == 200
    deleted = await client.delete(url, headers={**world.headers("chair"), "If-Match": "*"})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=world.headers("chair"))).status_code == 404
    restored = await client.post(f"{url}/restore", headers=world.headers("chair"))
    assert restored.status_code == 200


async def test_bad_plan_bodies(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}/plans"
    for body in [
        {"title": "x", "period_start": "2022-01-01", "period_end": "2021-01-01"},
        {"title": "x", "period_start": "2022-13-01", "period_end": "2023-01-01"},
        {"title": "", "period_start": "2022-01-01", "period_end": "2023-01-01"},
        {
            "title": "x",
            "period_start": "2022-01-01",
            "period_end": "2023-01-01",
            "status": "archived",
        },
        {"title": "x", "period_start": "2022-01-01", "period_end": "2023-01-01", "id": 4},
    ]:
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, body
    assert (await client.get(url, headers=world.headers("chair"))).json()["items"] == []


async def test_objective_tree_codes_and_cycles(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    two = await build.objective(plan["id"], "2", kind="outcome")
    two_a = await build.objective(
        plan["id"], "2a", kind="outcome", parent_id=two["id"], workstreams=["CLN", "CLPL"]
    )
    two_a_i = await build.objective(plan["id"], "2a-i", parent_id=two_a["id"])
    duplicate = await client.post(
        f"/api/v1/plans/{plan['id']}/objectives",
        json={"code": "2a", "title": "again"},
        headers=world.headers("chair"),
    )
    assert duplicate.status_code == 409
    unknown_parent = await client.post(
        f"/api/v1/plans/{plan['id']}/objectives",
        json={"code": "9", "title": "x", "parent_id": 99_999},
        headers=world.headers("chair"),
    )
    assert unknown_parent.status_code == 422
    for parent in (two["id"], two_a["id"], two_a_i["id"]):
        cycle = await client.patch(
            f"/api/v1/objectives/{two['id']}",
            json={"parent_id": parent},
            headers={**world.headers("chair"), "If-Match": "*"},
        )
        assert cycle.status_code == 422, parent
    moved = await client.patch(
        f"/api/v1/objectives/{two_a_i['id']}",
        json={"parent_id": two["id"]},
        headers={**world.headers("chair"), "If-Match": "*"},
    )
    assert moved.status_code == 200
    children = await client.get(
        f"/api/v1/plans/{plan['id']}/objectives?parent_id={two['id']}",
        headers=world.headers("member"),
    )
    assert {o["code"] for o in children.json()["items"]} == {"2a", "2a-i"}
    top = await client.get(
        f"/api/v1/plans/{plan['id']}/objectives?top_level=true", headers=world.headers("member")
    )
    assert [o["code"] for o in top.json()["items"]] == ["2"]


async def test_deleting_an_objective_takes_its_subtree_and_restore_brings_it_back(
    client, world: World
) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    parent = await build.objective(plan["id"], "1")
    child = await build.objective(plan["id"], "1a", parent_id=parent["id"])
    action = await build.action(child["id"])
    await build.milestone(child["id"], due="2021-10")
    headers = {**world.headers("chair"), "If-Match": "*"}
    assert (
        await client.delete(f"/api/v1/objectives/{parent['id']}", headers=headers)
    ).status_code == 204
    assert (
        await client.get(f"/api/v1/actions/{action['id']}", headers=world.headers("chair"))
    ).status_code == 404
    tree = (
        await client.get(f"/api/v1/plans/{plan['id']}/tree", headers=world.headers("chair"))
    ).json()
    assert tree["objectives"] == []
    assert (
        await client.post(
            f"/api/v1/objectives/{child['id']}/restore", headers=world.headers("chair")
        )
    ).status_code == 409
    restored = await client.post(
        f"/api/v1/objectives/{parent['id']}/restore", headers=world.headers("chair")
    )
    assert restored.status_code == 200
    tree = (
        await client.get(f"/api/v1/plans/{plan['id']}/tree", headers=world.headers("chair"))
    ).json()
    node = tree["objectives"][0]["children"][0]
    assert node["code"] == "1a"
    assert [a["id"] for a in node["actions"]] == [action["id"]]
    assert len(node["milestones"]) == 1


async def test_facilitator_records_progress_but_does_not_edit(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "6")
    action = await build.action(objective["id"])
    measure = await build.measure(
        objective["id"],
        description="Minimum 25 x staff mobilities per annum",
        target={
            "comparator": "at_least",
            "value": 25,
            "unit": "staff mobilities",
            "period": "per_annum",
        },
        update_frequency="monthly",
    )
    milestone = await build.milestone(objective["id"], due="October 2021")
    facilitator = world.headers("facilitator")
    started = await client.patch(
        f"/api/v1/actions/{action['id']}",
        json={"status": "in_progress", "status_note": "kick-off"},
        headers={**facilitator, "If-Match": f'"{action["version"]}"'},
    )
    assert started.status_code == 200
    edit = await client.patch(
        f"/api/v1/actions/{action['id']}",
        json={"description": "x"},
        headers={**facilitator, "If-Match": "*"},
    )
    assert edit.status_code == 403
    history = await client.get(
        f"/api/v1/actions/{action['id']}/history", headers=world.headers("member")
    )
    assert [(h["from_status"], h["to_status"], h["note"]) for h in history.json()["items"]] == [
        (None, "planned", None),
        ("planned", "in_progress", "kick-off"),
    ]
    reading = await client.post(
        f"/api/v1/measures/{measure['id']}/readings",
        json={"value": 12, "observed_on": "2022-02-28"},
        headers=facilitator,
    )
    assert reading.status_code == 201
    assert (
        await client.post(
            f"/api/v1/measures/{measure['id']}/readings",
            json={"value": 1},
            headers=world.headers("member"),
        )
    ).status_code == 403
    evidence = await client.post(
        f"/api/v1/milestones/{milestone['id']}/evidence",
        json={"kind": "link", "url": "https://teams.example/qualification-map"},
        headers=facilitator,
    )
    assert evidence.status_code == 201
    assert evidence.json()["recorded_by_id"] == world["facilitator"].id
    bad_link = await client.post(
        f"/api/v1/milestones/{milestone['id']}/evidence",
        json={"kind": "link", "text": "no url"},
        headers=facilitator,
    )
    assert bad_link.status_code == 422
    achieved = await client.patch(
        f"/api/v1/milestones/{milestone['id']}",
        json={"status": "achieved", "achieved_on": "2021-10-20"},
        headers={**facilitator, "If-Match": "*"},
    )
    assert achieved.status_code == 200
    assert achieved.json()["is_overdue"] is False
    assert achieved.json()["due"] == "2021-10"
    assert (
        await client.patch(
            f"/api/v1/milestones/{milestone['id']}",
            json={"title": "x"},
            headers={**facilitator, "If-Match": "*"},
        )
    ).status_code == 403


async def test_other_network_sees_nothing(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    action = await build.action(objective["id"])
    measure = await build.measure(objective["id"])
    milestone = await build.milestone(objective["id"])
    for url in [
        f"/api/v1/plans/{plan['id']}",
        f"/api/v1/plans/{plan['id']}/tree",
        f"/api/v1/plans/{plan['id']}/progress",
        f"/api/v1/objectives/{objective['id']}",
        f"/api/v1/actions/{action['id']}",
        f"/api/v1/measures/{measure['id']}",
        f"/api/v1/milestones/{milestone['id']}",
        f"/api/v1/networks/{world.network_a}/plans",
    ]:
        for who in ("other_chair", "outsider"):
            response = await client.get(url, headers=world.headers(who))
            assert response.status_code == 404, (url, who)
        child_member = await client.get(url, headers=world.headers("member"))
        assert child_member.status_code == 200, url
    write = await client.post(
        f"/api/v1/objectives/{objective['id']}/actions",
        json={"description": "x"},
        headers=world.headers("other_chair"),
    )
    assert write.status_code == 404


async def test_measure_sources_and_params_are_validated(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    url = f"/api/v1/objectives/{objective['id']}/measures"
    for body in [
        {"description": "x", "source": "astrology"},
        {"description": "x", "source": "child_networks", "params": {"colour": "red"}},
        {"description": "x", "params": {"kind": "regional"}},
        {"description": "x", "source": "child_networks", "update_frequency": "monthly"},
        {"description": "x", "target": {"comparator": "more", "value": 1}},
        {"description": "x", "target": {"comparator": "at_least", "value": "NaN"}},
    ]:
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, body
    sources = await client.get("/api/v1/measure-sources", headers=world.headers("member"))
    assert "child_networks" in [s["name"] for s in sources.json()]
    derived = await build.measure(objective["id"], source="child_networks")
    readings = await client.post(
        f"/api/v1/measures/{derived['id']}/readings",
        json={"value": 3},
        headers=world.headers("chair"),
    )
    assert readings.status_code == 409
