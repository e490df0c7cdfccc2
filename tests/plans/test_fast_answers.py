"""``/tree`` and ``/progress`` are shaped from rows (app/core/answers.py), not built as models:
the answers must be exactly what the response models give, for every kind of measure, in a
translation, at an ``as_of`` and with ``since``; and ``/progress`` shows each measure's
computed status with its latest check-in beside it."""

from datetime import date, timedelta
from typing import Any

import httpx
from pydantic import BaseModel

from app.plans.progress_schemas import PlanProgress, PlanTree
from tests.conftest import World
from tests.plans.helpers import PlanBuilder
from tests.plans.test_languages import _offer_finnish
from tests.plans.test_languages_progress import FI, _translate
from tests.test_statement_counts import statements

API = "/api/v1"
TODAY = date.today()


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def as_the_model_answers(model: type[BaseModel], response: httpx.Response) -> None:
    """The answer is byte for byte what FastAPI makes of the response model validated from
    it: every field, in the model's order, of the model's type (a float as a float, an enum's
    value), and nothing else."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    reference = model.model_validate_json(response.content).model_dump_json().encode()
    assert response.content == reference


async def _plan_with_everything(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A plan running today: a sub-objective, actions with milestones, and a measure of each
    kind (numeric with a reading, binary, qualitative with a check-in, derived), some
    translated into Finnish."""
    build = PlanBuilder(client, world)
    plan = await build.plan(
        title="Plan of everything", period_start=days(-200), period_end=days(160)
    )
    top = await build.objective(plan["id"], "1", responsible_group="Working group")
    sub = await build.objective(plan["id"], "1.1", parent_id=top["id"])
    numeric = await build.measure(
        top["id"], target={"comparator": "at_least", "value": 10, "unit": "things"}
    )
    binary = await build.measure(top["id"], kind="binary", position=1)
    qualitative = await build.measure(sub["id"], kind="qualitative")
    derived = await build.measure(
        sub["id"],
        source="child_networks",
        target={"comparator": "at_least", "value": 1},
        position=1,
    )
    await build.post(f"{API}/measures/{numeric['id']}/readings", {"value": 4})
    await build.post(f"{API}/measures/{binary['id']}/readings", {"value": 1})
    check_in = await build.post(
        f"{API}/measures/{qualitative['id']}/check-ins",
        {"rating": "amber", "confidence": 7, "note": "slower than hoped"},
    )
    await build.post(f"{API}/objectives/{top['id']}/check-ins", {"rating": "green"})
    action = await build.action(top["id"], status="in_progress", due_on=days(-10))
    await build.action(sub["id"], status="blocked")
    late = await build.post(
        f"{API}/actions/{action['id']}/milestones", {"title": "Late", "due": days(-20)}
    )
    await build.milestone(top["id"], title="Later", due=days(30))
    await _offer_finnish(client, world)
    await _translate(client, world, f"{API}/objectives/{top['id']}", {"title": "Tavoite"})
    await _translate(client, world, f"{API}/measures/{numeric['id']}", {"description": "Mitta"})
    await _translate(client, world, f"{API}/milestones/{late['id']}", {"title": "Myöhässä"})
    return {
        "plan": plan,
        "objectives": [top, sub],
        "actions": [action],
        "measures": {"numeric": numeric, "binary": binary, "qualitative": qualitative},
        "derived": derived,
        "check_in": check_in,
    }


async def test_tree_and_progress_are_what_the_models_answer(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await _plan_with_everything(client, world)
    plan_id = made["plan"]["id"]
    member = world.headers("member")
    for query in ["", "?as_of=" + days(-100), "?lang=fi", "?as_of=" + days(-5) + "&lang=fi"]:
        tree = await client.get(f"{API}/plans/{plan_id}/tree{query}", headers=member)
        as_the_model_answers(PlanTree, tree)
        assert tree.headers["Content-Language"] == ("fi, en" if "fi" in query else "en")
        assert tree.headers["Vary"] == "Accept-Language"
    for query in ["", "?as_of=" + days(-100), "?since=" + days(-30), "?lang=fi&since=2020-01-01"]:
        progress = await client.get(f"{API}/plans/{plan_id}/progress{query}", headers=member)
        as_the_model_answers(PlanProgress, progress)
        assert progress.headers["Content-Language"] == ("fi, en" if "fi" in query else "en")
    finnish = await client.get(f"{API}/plans/{plan_id}/progress", headers={**member, **FI})
    as_the_model_answers(PlanProgress, finnish)
    assert finnish.json()["objectives"][0]["title"] == "Tavoite"
    assert finnish.json()["attention"], "the late action and milestone need attention"

    # The tree's nodes are what each item's own list answers (built through the models).
    tree = (await client.get(f"{API}/plans/{plan_id}/tree?lang=fi", headers=member)).json()
    nodes = [tree["objectives"][0], tree["objectives"][0]["children"][0]]
    for node in nodes:
        for kind in ("measures", "milestones", "actions"):
            listed = await client.get(
                f"{API}/objectives/{node['id']}/{kind}?lang=fi&limit=200", headers=member
            )
            assert listed.status_code == 200, listed.text
            mine = [{k: v for k, v in item.items() if k != "milestones"} for item in node[kind]]
            items = listed.json()["items"]
            if kind == "milestones":  # the objective's list also holds its actions'
                items = [m for m in items if m["action_id"] is None]
            assert mine == items, (node["code"], kind)
    on_action = await client.get(
        f"{API}/actions/{made['actions'][0]['id']}/milestones?lang=fi", headers=member
    )
    assert nodes[0]["actions"][0]["milestones"] == on_action.json()["items"]
    assert nodes[0]["actions"][0]["milestones"][0]["title"] == "Myöhässä"
    assert {m["kind"] for n in nodes for m in n["measures"]} == {
        "numeric",
        "binary",
        "qualitative",
    }


async def test_progress_shows_each_measures_latest_check_in_beside_its_status(
    client: httpx.AsyncClient, world: World
) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()  # 2021-09-01 .. 2022-08-31
    objective = await build.objective(plan["id"], "1")
    numeric = await build.measure(objective["id"], target={"comparator": "at_least", "value": 5})
    qualitative = await build.measure(objective["id"], kind="qualitative", position=1)
    url = f"{API}/plans/{plan['id']}/progress"
    member = world.headers("member")

    # Nothing recorded: every measure listed, no_data, no check-in (null, not missing).
    before = (await client.get(f"{url}?as_of=2022-01-01", headers=member)).json()
    assert [m["measure_id"] for m in before["measure_statuses"]] == [
        numeric["id"],
        qualitative["id"],
    ]
    assert {m["status"] for m in before["measure_statuses"]} == {"no_data"}
    assert all(m["latest_check_in"] is None for m in before["measure_statuses"])

    await build.post(
        f"{API}/measures/{numeric['id']}/check-ins",
        {"rating": "red", "note": "first", "recorded_on": "2021-10-01"},
    )
    facilitated = await client.post(
        f"{API}/measures/{numeric['id']}/check-ins",
        json={
            "rating": "green",
            "confidence": 9,
            "note": "on its way",
            "recorded_on": "2021-12-01",
        },
        headers=world.headers("facilitator"),
    )
    assert facilitated.status_code == 201, facilitated.text
    await build.post(
        f"{API}/measures/{qualitative['id']}/check-ins",
        {"rating": "amber", "recorded_on": "2021-11-15"},
    )
    await build.post(
        f"{API}/measures/{numeric['id']}/readings", {"value": 1, "observed_on": "2022-06-01"}
    )

    def by_id(answer: dict[str, Any]) -> dict[int, dict[str, Any]]:
        return {m["measure_id"]: m for m in answer["measure_statuses"]}

    early = by_id((await client.get(f"{url}?as_of=2021-11-01", headers=member)).json())
    assert early[numeric["id"]]["latest_check_in"]["rating"] == "red"
    assert early[numeric["id"]]["latest_check_in"]["note"] == "first"
    assert early[qualitative["id"]]["latest_check_in"] is None
    assert early[qualitative["id"]]["status"] == "no_data"

    late = by_id((await client.get(f"{url}?as_of=2022-07-01", headers=member)).json())
    latest = late[numeric["id"]]["latest_check_in"]
    assert latest == {
        "check_in_id": facilitated.json()["id"],
        "rating": "green",
        "confidence": 9,
        "note": "on its way",
        "recorded_on": "2021-12-01",
        "recorded_by": {"kind": "user", "id": world["facilitator"].id, "name": "Facilitator"},
    }
    # Beside the computed status, never instead of it: a reported green leaves 1 of 5 late.
    assert late[numeric["id"]]["status"] == "off_track"
    assert late[numeric["id"]]["current_value"] == 1.0
    assert late[numeric["id"]]["objective_code"] == "1"
    # A qualitative measure is judged by its check-in, which is also shown.
    assert late[qualitative["id"]]["latest_check_in"]["rating"] == "amber"
    assert late[qualitative["id"]]["status"] != "no_data"


async def test_measure_check_ins_cost_no_statement_per_measure(
    client: httpx.AsyncClient, world: World
) -> None:
    build = PlanBuilder(client, world)
    counts = []
    for size in (1, 12):
        plan = await build.plan(title=f"Plan of {size}")
        objective = await build.objective(plan["id"], "1")
        for i in range(size):
            measure = await build.measure(objective["id"], kind="qualitative", position=i)
            await build.post(
                f"{API}/measures/{measure['id']}/check-ins",
                {"rating": "green", "recorded_on": "2022-01-10"},
            )
        with statements(world) as seen:
            answer = await client.get(
                f"{API}/plans/{plan['id']}/progress?as_of=2022-02-01",
                headers=world.headers("member"),
            )
        assert answer.status_code == 200, answer.text
        listed = answer.json()["measure_statuses"]
        assert len(listed) == size and all(m["latest_check_in"] for m in listed)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
