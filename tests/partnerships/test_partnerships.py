"""Partnerships: lapsing past the review date, renewal, filters, commitments, bad input."""

import httpx
from sqlalchemy import func, select

from app.partnerships.models import PartnerCommitment, Partnership
from tests.conftest import World
from tests.partnerships.helpers import PartnerBuilder, day
from tests.plans.helpers import PlanBuilder


async def test_past_its_review_date_an_active_partnership_reads_lapsed_until_renewed(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    overdue = await b.partnership(review_on=day(-1))
    current = await b.partnership(review_on=day(0))  # due today: still active
    await b.partnership(status="proposed", review_on=day(-10))  # only active ones lapse
    await b.partnership(review_on=None)  # no review date: never lapses
    assert overdue["status"] == "lapsed"
    assert overdue["stored_status"] == "active"
    assert current["status"] == "active"
    net = f"/networks/{world.network_a}/partnerships"
    lapsed = await b.get(f"{net}?status=lapsed", "member")
    assert [p["id"] for p in lapsed["items"]] == [overdue["id"]]
    active = await b.get(f"{net}?status=active", "member")
    assert overdue["id"] not in [p["id"] for p in active["items"]]
    assert len(active["items"]) == 2
    assert len((await b.get(f"{net}?status=proposed"))["items"]) == 1

    # A review date that is not later than today does not renew.
    bad = await b.call(
        "POST", f"/partnerships/{overdue['id']}/renew", "chair", {"review_on": day(0)}, expect=422
    )
    assert bad.json()["errors"][0]["loc"] == ["body", "review_on"]
    renewed = await b.post(f"/partnerships/{overdue['id']}/renew", {"review_on": day(365)}, "chair")
    assert renewed["status"] == "active"
    assert renewed["review_on"] == day(365)
    assert (await b.get(f"{net}?status=lapsed"))["items"] == []

    # An ended partnership is not renewed.
    ended = await b.partnership(status="ended")
    await b.call(
        "POST", f"/partnerships/{ended['id']}/renew", json={"review_on": day(9)}, expect=409
    )


async def test_filters_reading_editing_deleting_and_restoring(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    research = await b.partnership(purposes=["research"], sector="public", scope="national")
    funder = await b.partnership(purposes=["funding"], sector="private", scope="international")
    await b.partnership(network_id=world.network_b)
    net = f"/networks/{world.network_a}/partnerships"
    assert [p["id"] for p in (await b.get(f"{net}?purpose=research"))["items"]] == [research["id"]]
    assert [p["id"] for p in (await b.get(f"{net}?sector=private"))["items"]] == [funder["id"]]
    assert [p["id"] for p in (await b.get(f"{net}?scope=national"))["items"]] == [research["id"]]
    got = await b.get(f"/partnerships/{research['id']}", "facilitator")
    assert got["organisation_kind"] == "university"
    assert got["contact"] == {
        "name": "Prof. C. Chapman",
        "email": "c@uni.example",
        "role": "Director",
    }
    assert got["agreement_reference"] == "MoU 2019/04"
    assert got["end_on"] is None  # open-ended
    patched = await b.call(
        "PATCH",
        f"/partnerships/{research['id']}",
        "executive",
        {"status": "ended", "end_on": "2022-06-30", "contact": None},
        expect=200,
    )
    assert patched.json()["status"] == "ended"
    assert patched.json()["contact"] is None
    await b.call("DELETE", f"/partnerships/{research['id']}", "chair", expect=204)
    await b.call("GET", f"/partnerships/{research['id']}", "chair", expect=404)
    restored = await b.post(f"/partnerships/{research['id']}/restore", None, "chair")
    assert restored["deleted_at"] is None


async def test_partners_commit_to_objectives_and_actions_of_the_networks_plans(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "2a")
    action = await plans.action(objective["id"])
    partnership = await b.partnership()
    url = f"/partnerships/{partnership['id']}/commitments"
    on_objective = await b.post(url, {"objective_id": objective["id"], "role": "Critical friend"})
    on_action = await b.post(url, {"action_id": action["id"], "role": "Delivers CPD"})
    assert on_objective["objective_code"] == "2a"
    assert on_objective["plan_id"] == plan["id"]
    assert on_action["objective_code"] == "2a"
    assert on_action["action_id"] == action["id"]
    listed = await b.get(url, "member")
    assert [c["role"] for c in listed["items"]] == ["Critical friend", "Delivers CPD"]
    # An objective of network B's plan is refused.
    other = await PlanBuilder(client, world, who="other_chair").plan(network_id=world.network_b)
    theirs = await PlanBuilder(client, world, who="other_chair").objective(other["id"], "1")
    refused = await b.call(
        "POST", url, json={"objective_id": theirs["id"], "role": "x"}, expect=422
    )
    assert refused.json()["errors"][0]["loc"] == ["body", "objective_id"]
    await b.call("DELETE", f"/partner-commitments/{on_action['id']}", "executive", expect=204)
    assert len((await b.get(url))["items"]) == 1


async def test_bad_input_is_a_clear_422_and_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    org = await b.organisation(kind="ngo")
    net = f"/networks/{world.network_a}/partnerships"
    good = {
        "organisation_id": org,
        "sector": "third_sector",
        "scope": "local",
        "start_on": "2020-01-01",
    }
    cases = [
        ({**good, "sector": "charity"}, ["body", "sector"]),
        ({**good, "purposes": ["lobbying"]}, ["body", "purposes", 0]),
        ({**good, "end_on": "2019-01-01"}, ["body"]),
        ({**good, "organisation_id": 999_999}, ["body", "organisation_id"]),
        ({**good, "status": "lapsed"}, ["body", "status"]),  # lapsed is computed, never stored
        ({**good, "contact": {"email": "not an email"}}, ["body", "contact", "email"]),
        ({**good, "surprise": 1}, ["body", "surprise"]),
    ]
    for body, loc in cases:
        response = await b.call("POST", net, "chair", body, expect=422)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["loc"] == loc, (body, response.text)
    made = await b.post(net, good, "chair")
    commitment = await b.call(
        "POST",
        f"/partnerships/{made['id']}/commitments",
        "chair",
        {"objective_id": 1, "action_id": 2, "role": "x"},
        expect=422,
    )
    assert "exactly one" in commitment.text
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Partnership)) == 1
        assert await session.scalar(select(func.count()).select_from(PartnerCommitment)) == 0
