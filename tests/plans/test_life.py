"""A plan's life: check-ins, the ended status, as_of defaults, closing and copying."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import col

from app.networks.models import Network
from app.plans import lifecycle
from app.plans.models import Milestone, Objective, Plan
from app.plans.progress_schemas import AttentionReason
from app.plans.scope import InPlan
from tests.conftest import World
from tests.demo_helpers import restore_demo
from tests.plans.helpers import PlanBuilder
from tests.plans.test_progress import _big_plan, count_statements

API = "/api/v1"
TODAY = date.today()


async def _get(client, url: str, world: World, who: str = "member", expect: int = 200):
    response = await client.get(url, headers=world.headers(who))
    assert response.status_code == expect, response.text
    return response.json()


async def test_check_ins_are_recorded_listed_and_shown_next_to_the_computed_rating(
    client, world: World
) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    measure = await build.measure(objective["id"], target={"comparator": "at_least", "value": 5})
    url = f"{API}/objectives/{objective['id']}/check-ins"
    first = await client.post(
        url,
        json={
            "rating": "amber",
            "confidence": 6,
            "note": "slow start",
            "recorded_on": "2021-11-01",
        },
        headers=world.headers("facilitator"),
    )
    assert first.status_code == 201, first.text
    assert first.json()["recorded_by"] == {
        "kind": "user",
        "id": world["facilitator"].id,
        "name": "Facilitator",
    }
    second = await build.post(url, {"rating": "red", "confidence": 8, "recorded_on": "2022-02-01"})
    on_measure = await build.post(
        f"{API}/measures/{measure['id']}/check-ins", {"rating": "green", "note": "as planned"}
    )
    assert on_measure["measure_id"] == measure["id"] and on_measure["objective_id"] is None
    assert on_measure["recorded_on"] == TODAY.isoformat()

    # Newest first, a page at a time; the author's name comes with each.
    page = await _get(client, f"{url}?limit=1", world)
    assert [c["id"] for c in page["items"]] == [second["id"]]
    assert page["items"][0]["recorded_by"]["name"] == "Chair"
    rest = await _get(client, f"{url}?limit=1&cursor={page['next_cursor']}", world)
    assert [c["id"] for c in rest["items"]] == [first.json()["id"]]
    assert rest["next_cursor"] is None
    oldest_first = await _get(client, f"{url}?sort=recorded_on", world)
    assert [c["rating"] for c in oldest_first["items"]] == ["amber", "red"]
    listed = await _get(client, f"{API}/measures/{measure['id']}/check-ins", world)
    assert [c["id"] for c in listed["items"]] == [on_measure["id"]]

    # /progress: the latest check-in on or before as_of, beside (not instead of) the rating.
    for as_of, expected in [("2021-10-01", None), ("2021-12-01", "amber"), ("2022-03-01", "red")]:
        progress = await _get(client, f"{API}/plans/{plan['id']}/progress?as_of={as_of}", world)
        reported = progress["objectives"][0]["reported_rating"]
        assert (reported and reported["rating"]) == expected, as_of
    assert reported["note"] is None and reported["confidence"] == 8
    assert reported["recorded_by"]["id"] == world["chair"].id
    assert progress["objectives"][0]["rag"] != "red"  # computed: a reported red replaces nothing

    # Audited, so the trail (and what changed since a meeting) shows them.
    trail = await _get(
        client,
        f"{API}/audit-events?network_id={world.network_a}&object_type=check_ins",
        world,
        "chair",
    )
    assert {e["object_id"] for e in trail["items"]} == {
        first.json()["id"],
        second["id"],
        on_measure["id"],
    }


async def test_check_in_rules(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    url = f"{API}/objectives/{objective['id']}/check-ins"
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for body in [
        {"rating": "grey"},
        {"rating": "green", "confidence": 11},
        {"rating": "green", "confidence": -1},
        {"rating": "green", "recorded_on": tomorrow},
        {"rating": "green", "note": "x" * 2001},
        {"confidence": 3},
    ]:
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, body
    member = await client.post(url, json={"rating": "green"}, headers=world.headers("member"))
    assert member.status_code == 403
    outsider = await client.post(url, json={"rating": "green"}, headers=world.headers("outsider"))
    assert outsider.status_code == 404
    assert (await _get(client, url, world))["items"] == []
    closed = await client.post(f"{API}/plans/{plan['id']}/close", headers=world.headers("chair"))
    assert closed.status_code == 200
    refused = await client.post(url, json={"rating": "green"}, headers=world.headers("chair"))
    assert refused.status_code == 409


async def test_as_of_defaults_and_the_ended_status(client, world: World) -> None:
    build = PlanBuilder(client, world)
    past = await build.plan()  # 2021-09-01 .. 2022-08-31, active
    objective = await build.objective(past["id"], "1")
    await build.milestone(objective["id"], title="last day", due="2022-08-31")
    current = await build.plan(
        title="Now",
        period_start=(TODAY - timedelta(days=30)).isoformat(),
        period_end=(TODAY + timedelta(days=300)).isoformat(),
    )
    future = await build.plan(
        title="Next",
        period_start=(TODAY + timedelta(days=30)).isoformat(),
        period_end=(TODAY + timedelta(days=400)).isoformat(),
    )
    draft = await build.plan(title="Old draft", status="draft")
    assert past["status"] == "ended"
    assert current["status"] == "active" and future["status"] == "active"
    assert draft["status"] == "draft"  # only active plans end
    for plan, as_of in [
        (past, "2022-08-31"),
        (current, TODAY.isoformat()),
        (future, TODAY.isoformat()),
    ]:
        progress = await _get(client, f"{API}/plans/{plan['id']}/progress", world)
        assert progress["as_of"] == as_of, plan["title"]
    # The tree is judged at the period's end too: due on its last day is not overdue there.
    tree = await _get(client, f"{API}/plans/{past['id']}/tree", world)
    assert tree["status"] == "ended"
    assert tree["objectives"][0]["milestones"][0]["is_overdue"] is False
    late = await _get(client, f"{API}/plans/{past['id']}/tree?as_of={TODAY}", world)
    assert late["objectives"][0]["milestones"][0]["is_overdue"] is True
    plans = f"{API}/networks/{world.network_a}/plans"
    ended = await _get(client, f"{plans}?status=ended", world)
    assert [p["id"] for p in ended["items"]] == [past["id"]]
    active = await _get(client, f"{plans}?status=active", world)
    assert {p["id"] for p in active["items"]} == {current["id"], future["id"]}


async def test_closing_marks_milestones_missed_and_keeps_a_snapshot(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    pending = await build.milestone(objective["id"], title="MoU signed", due="2022-03-31")
    achieved = await build.milestone(
        objective["id"], title="Group set up", due="2021-10", status="achieved"
    )
    url = f"{API}/plans/{plan['id']}"
    before = await _get(client, f"{url}/progress", world)
    assert before["milestones"]["overdue"] == 1

    refused = await client.post(f"{url}/close", headers=world.headers("facilitator"))
    assert refused.status_code == 403
    closed = await client.post(f"{url}/close", headers=world.headers("chair"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    again = await client.post(f"{url}/close", headers=world.headers("chair"))
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")

    milestones = {
        m["id"]: m["status"] for m in (await _get(client, f"{url}/milestones", world))["items"]
    }
    assert milestones == {pending["id"]: "missed", achieved["id"]: "achieved"}
    snapshot = await _get(client, f"{url}/progress", world)
    assert snapshot["as_of"] == "2022-08-31"
    assert snapshot["milestones"]["missed"] == 1 and snapshot["milestones"]["overdue"] == 0

    # The snapshot is what /progress answers from now on, whatever happens to the rows; an
    # explicit as_of still computes.
    async with world.app.state.cohesion.db.transaction() as session:
        session.add(
            Milestone(plan_id=plan["id"], objective_id=objective["id"], title="late addition")
        )
    assert await _get(client, f"{url}/progress", world) == snapshot
    live = await _get(client, f"{url}/progress?as_of=2022-08-31", world)
    assert live["milestones"]["total"] == 3

    # Reopening drops the snapshot; PATCH to closed closes as POST /close does.
    reopened = await client.patch(
        url, json={"status": "active"}, headers={**world.headers("chair"), "If-Match": "*"}
    )
    assert reopened.json()["status"] == "ended" and reopened.json()["closed_at"] is None
    assert (await _get(client, f"{url}/progress", world))["milestones"]["pending"] == 1
    patched = await client.patch(
        url, json={"status": "closed"}, headers={**world.headers("executive"), "If-Match": "*"}
    )
    assert patched.status_code == 200 and patched.json()["status"] == "closed"
    after = await _get(client, f"{url}/progress", world)
    assert after["milestones"]["missed"] == 2 and after["milestones"]["pending"] == 0


async def _copy_source(build: PlanBuilder) -> dict[str, dict]:
    plan = await build.plan()
    top = await build.objective(plan["id"], "1", workstreams=["Leadership"])
    child = await build.objective(plan["id"], "1a", parent_id=top["id"])
    measure = await build.measure(
        child["id"],
        target={"comparator": "at_least", "value": 25, "period": "per_annum"},
        update_frequency="termly",
    )
    await build.post(f"{API}/measures/{measure['id']}/readings", {"value": 12})
    done = await build.action(top["id"], description="done", status="done")
    going = await build.action(child["id"], description="going", status="in_progress")
    blocked = await build.action(child["id"], description="blocked", status="blocked")
    met = await build.milestone(top["id"], title="met", status="achieved", due="2021-12")
    open_ = await build.milestone(child["id"], title="open", due="2022-06")
    on_going = await build.post(
        f"{API}/actions/{going['id']}/milestones", {"title": "on going", "due": "2022-05"}
    )
    on_done = await build.post(f"{API}/actions/{done['id']}/milestones", {"title": "on done"})
    return {
        "plan": plan,
        "top": top,
        "child": child,
        "measure": measure,
        "done": done,
        "going": going,
        "blocked": blocked,
        "met": met,
        "open": open_,
        "on_going": on_going,
        "on_done": on_done,
    }


def _nodes(tree: dict) -> list[dict]:
    found = []
    stack = list(tree["objectives"])
    while stack:
        node = stack.pop(0)
        found.append(node)
        stack.extend(node["children"])
    return found


async def test_copy_carries_over_unfinished_work_with_links(client, world: World) -> None:
    build = PlanBuilder(client, world)
    src = await _copy_source(build)
    body = {"title": "Plan 2022-23", "period_start": "2022-09-01", "period_end": "2023-08-31"}
    response = await client.post(
        f"{API}/plans/{src['plan']['id']}/copy", json=body, headers=world.headers("executive")
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert response.headers["Location"] == f"/api/v1/plans/{new['id']}"
    assert new["copied_from_id"] == src["plan"]["id"] and new["status"] == "draft"
    assert new["period_start"] == "2022-09-01" and new["title"] == "Plan 2022-23"

    tree = await _get(client, f"{API}/plans/{new['id']}/tree?as_of=2022-10-01", world)
    (top,) = tree["objectives"]
    (child,) = top["children"]
    assert top["copied_from_id"] == src["top"]["id"] and top["workstreams"] == ["Leadership"]
    assert child["copied_from_id"] == src["child"]["id"] and child["parent_id"] == top["id"]
    assert top["id"] != src["top"]["id"] and child["plan_id"] == new["id"]
    (measure,) = child["measures"]
    assert measure["copied_from_id"] == src["measure"]["id"]
    assert measure["target"]["value"] == 25 and measure["target"]["period"] == "per_annum"
    assert measure["update_frequency"] == "termly"
    assert measure["current_value"] is None  # readings stay with the old plan

    # Unfinished actions as they were; done ones stay behind.
    assert top["actions"] == []
    actions = {a["copied_from_id"]: a for a in child["actions"]}
    assert set(actions) == {src["going"]["id"], src["blocked"]["id"]}
    assert actions[src["going"]["id"]]["status"] == "in_progress"
    going = actions[src["going"]["id"]]
    assert [m["copied_from_id"] for m in going["milestones"]] == [src["on_going"]["id"]]
    # Pending milestones only; one on a done action moves onto its objective.
    assert {m["copied_from_id"]: m["action_id"] for m in top["milestones"]} == {
        src["on_done"]["id"]: None
    }
    assert [m["copied_from_id"] for m in child["milestones"]] == [src["open"]["id"]]
    assert child["milestones"][0]["due"] == "2022-06"
    history = await _get(client, f"{API}/actions/{going['id']}/history", world)
    assert [h["to_status"] for h in history["items"]] == ["in_progress"]

    # The source plan is untouched.
    old = await _get(client, f"{API}/plans/{src['plan']['id']}/tree?as_of=2022-01-01", world)
    assert len(_nodes(old)) == 2 and old["objectives"][0]["actions"][0]["status"] == "done"


async def test_copy_all_starts_finished_work_again(client, world: World) -> None:
    build = PlanBuilder(client, world)
    src = await _copy_source(build)
    new = await build.post(
        f"{API}/plans/{src['plan']['id']}/copy",
        {
            "title": "Plan 2022-23",
            "period_start": "2022-09-01",
            "period_end": "2023-08-31",
            "carry_over": "all",
            "status": "active",
        },
    )
    tree = await _get(client, f"{API}/plans/{new['id']}/tree", world)
    nodes = _nodes(tree)
    actions = {a["copied_from_id"]: a for n in nodes for a in n["actions"]}
    assert {k: a["status"] for k, a in actions.items()} == {
        src["done"]["id"]: "planned",
        src["going"]["id"]: "in_progress",
        src["blocked"]["id"]: "blocked",
    }
    milestones = {
        m["copied_from_id"]: m
        for n in nodes
        for m in [*n["milestones"], *(m for a in n["actions"] for m in a["milestones"])]
    }
    assert set(milestones) == {src[k]["id"] for k in ("met", "open", "on_going", "on_done")}
    assert {m["status"] for m in milestones.values()} == {"pending"}
    assert milestones[src["met"]["id"]]["achieved_on"] is None
    assert milestones[src["on_done"]["id"]]["action_id"] == actions[src["done"]["id"]]["id"]


async def test_copy_rules_and_constant_statements(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    url = f"{API}/plans/{plan['id']}/copy"
    good = {"title": "Next", "period_start": "2022-09-01", "period_end": "2023-08-31"}
    for bad in [
        {**good, "period_end": "2022-01-01"},
        {**good, "carry_over": "some"},
        {**good, "status": "ended"},
        {"title": "Next"},
    ]:
        response = await client.post(url, json=bad, headers=world.headers("chair"))
        assert response.status_code == 422, bad
    denied = await client.post(url, json=good, headers=world.headers("facilitator"))
    assert denied.status_code == 403

    engine = world.app.state.cohesion.db.engine
    counts = []
    for size in (2, 60):
        source = await _big_plan(world.app, world.network_a, size)
        with count_statements(engine) as statements:
            response = await client.post(
                f"{API}/plans/{source}/copy",
                json={**good, "carry_over": "all"},
                headers=world.headers("chair"),
            )
        assert response.status_code == 201, response.text
        counts.append(len(statements))
        async with world.app.state.cohesion.db.transaction() as session:
            copied = await session.scalar(select(Plan).where(col(Plan.id) == response.json()["id"]))
            assert copied is not None
            objectives = (
                (
                    await session.execute(
                        select(Objective).where(col(Objective.plan_id) == copied.id)
                    )
                )
                .scalars()
                .all()
            )
        assert len(objectives) == size
    assert counts[0] == counts[1] <= 11, counts


async def test_demo_rolls_the_2021_22_plan_over_into_this_year(app, db: None) -> None:
    state = app.state.cohesion
    await restore_demo(app)

    async with state.db.transaction() as session:
        plans = {p.title: p for p in (await session.scalars(select(Plan))).all()}
        old = plans["Networks of Networks Action Plan 2021-22"]
        new = plans["Networks of Networks Action Plan 2026-27"]
        assert new.copied_from_id == old.id and new.status == "active"
        assert new.period_start <= date(2026, 12, 3) <= new.period_end
        network = await session.get(Network, new.network_id)
        assert network is not None
        found = InPlan(obj=new, plan=new, network=network)
        progress = await lifecycle.plan_progress(session, found, date(2026, 12, 3))
    by_code = {o.code: o for o in progress.objectives}
    assert by_code["1"].rag == "green"
    assert by_code["2"].rag == "amber" and by_code["2"].measures.stale == 1
    assert by_code["4"].rag == "red" and by_code["4"].milestones.missed == 1
    assert by_code["5"].measures.at_risk == 1
    assert by_code["6"].milestones.overdue == 1
    reported = {code: o.reported_rating for code, o in by_code.items() if o.reported_rating}
    assert {code: r.rating for code, r in reported.items()} == {
        "1": "green",
        "2": "amber",
        "4": "amber",
        "5": "green",
    }
    assert reported["1"].recorded_by.name == "Admin" and reported["1"].note
    assert progress.actions.total == 14 and progress.measures.total == 23
    # Every rating and every reason shows, each with its sentence.
    assert {o.rating for o in progress.objectives} == {"green", "amber", "red", "grey"}
    assert {a.reason for a in progress.attention} == set(AttentionReason)
    assert all(o.reasons for o in progress.objectives if o.rating != "green")


async def test_a_qualitative_measure_is_judged_by_its_check_in_and_check_ins_are_changes(
    client, world: World
) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "Q")
    measure = await build.measure(objective["id"], kind="qualitative")
    progress_url = f"{API}/plans/{plan['id']}/progress?as_of=2022-03-01"
    before = await _get(client, progress_url, world)
    assert before["measures"]["no_data"] == 1 and before["rating"] == "grey"
    await build.post(
        f"{API}/measures/{measure['id']}/check-ins",
        {"rating": "red", "note": "partners have not met", "recorded_on": "2022-02-01"},
    )
    after = await _get(client, progress_url + "&since=2000-01-01", world)
    assert after["measures"]["off_track"] == 1 and after["rating"] == "red"
    assert [(a["kind"], a["reason"]) for a in after["attention"]][:1] == [("measure", "off_track")]
    check_ins = [c for c in after["changes"] if c["kind"] == "check_in"]
    assert len(check_ins) == 1, after["changes"]
    assert check_ins[0]["title"] == "How we will know"
    assert "red" in check_ins[0]["what"] and "partners have not met" in check_ins[0]["what"]
    assert check_ins[0]["who"]["name"] == "Chair"
