"""Programmes, sessions, enrolments, attendance; evaluations, responses, summaries and the
measures derived from them."""

import httpx
from sqlalchemy import select

from app.core.secrets import hmac_hex
from app.programmes.models import EvaluationResponse
from tests.conftest import World
from tests.partnerships.helpers import PartnerBuilder
from tests.plans.helpers import PlanBuilder


async def test_a_programme_with_sessions_enrolments_and_attendance(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    partner = await b.partnership()
    programme = await b.programme(
        audience="trainers", partnership_ids=[partner["id"]], title="Train the trainer"
    )
    assert programme["partnership_ids"] == [partner["id"]]
    pid = programme["id"]
    first = await b.post(
        f"/programmes/{pid}/sessions",
        {"held_on": "2019-09-12", "mode": "in_service_day", "title": "Launch"},
    )
    await b.post(
        f"/programmes/{pid}/sessions", {"held_on": "2019-10-03", "mode": "online", "title": "2"}
    )
    person = await b.person()
    school = await b.organisation()
    by_person = await b.post(f"/programmes/{pid}/enrolments", {"user_id": person.id})
    by_school = await b.post(f"/programmes/{pid}/enrolments", {"organisation_id": school})
    await b.call("POST", f"/programmes/{pid}/enrolments", json={"user_id": person.id}, expect=409)
    assert len((await b.get(f"/programmes/{pid}/sessions", "member"))["items"]) == 2
    assert len((await b.get(f"/programmes/{pid}/enrolments", "member"))["items"]) == 2
    url = f"/programme-sessions/{first['id']}/attendance"
    wrote = await b.call(
        "PUT", url, "chair", {"enrolment_ids": [by_school["id"], by_person["id"]]}, expect=200
    )
    assert wrote.json()["enrolment_ids"] == sorted([by_person["id"], by_school["id"]])
    await b.call("PUT", url, "chair", {"enrolment_ids": [by_person["id"]]}, expect=200)
    assert (await b.get(url, "member"))["enrolment_ids"] == [by_person["id"]]
    # An enrolment of another programme is refused, and the list is unchanged.
    other = await b.programme()
    stranger = await b.post(f"/programmes/{other['id']}/enrolments", {"organisation_id": school})
    await b.call("PUT", url, "chair", {"enrolment_ids": [stranger["id"]]}, expect=422)
    assert (await b.get(url))["enrolment_ids"] == [by_person["id"]]
    # A partnership of network B cannot deliver A's programme.
    theirs = await b.partnership(network_id=world.network_b)
    bad = await b.call(
        "PATCH", f"/programmes/{pid}", json={"partnership_ids": [theirs["id"]]}, expect=422
    )
    assert bad.json()["errors"][0]["loc"] == ["body", "partnership_ids"]


async def test_the_summary_counts_means_distributions_and_the_pre_post_change(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    programme = await b.programme()
    pre = await b.evaluation(programme["id"], "pre")
    post = await b.evaluation(programme["id"], "post")
    for answer in ({"confidence": 2}, {"confidence": 3}, {"confidence": 2, "useful": False}):
        await b.answer(pre["id"], answer)
    for answer in (
        {"confidence": 4, "useful": True, "comments": "Great"},
        {"confidence": 5, "useful": True},
        {"confidence": 4, "useful": False},
        {"useful": True},
    ):
        await b.answer(post["id"], answer)
    summary = await b.get(f"/evaluations/{post['id']}/summary", "member")
    assert summary["responses"] == 4
    assert summary["pre_evaluation_id"] == pre["id"]
    confidence, useful, comments = summary["questions"]
    assert confidence["count"] == 3
    assert confidence["mean"] == 13 / 3
    assert confidence["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert confidence["pre_mean"] == 7 / 3
    assert confidence["change"] == 13 / 3 - 7 / 3
    assert useful == {
        "key": "useful",
        "kind": "yes_no",
        "count": 4,
        "mean": None,
        "distribution": {"yes": 3, "no": 1},
        "pre_mean": None,
        "change": None,
    }
    assert comments["count"] == 1
    assert comments["distribution"] is None
    before = await b.get(f"/evaluations/{pre['id']}/summary")
    assert before["pre_evaluation_id"] is None
    assert before["questions"][0]["distribution"] == {"1": 0, "2": 2, "3": 1, "4": 0, "5": 0}


async def test_a_respondent_answers_once_even_anonymously_and_answers_are_checked(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    programme = await b.programme()
    evaluation = await b.evaluation(programme["id"])
    url = f"/evaluations/{evaluation['id']}/responses"
    for bad, loc in (
        ({"confidence": 6}, ["body", "answers", "confidence"]),
        ({"confidence": True}, ["body", "answers", "confidence"]),
        ({"useful": "yes"}, ["body", "answers", "useful"]),
        ({"comments": 3}, ["body", "answers", "comments"]),
        ({"mystery": 1}, ["body", "answers", "mystery"]),
        ({}, ["body", "answers"]),
    ):
        response = await b.call("POST", url, "member", {"answers": bad}, expect=422)
        assert response.json()["errors"][0]["loc"] == loc, response.text
    named = await b.call("POST", url, "member", {"answers": {"confidence": 3}}, expect=201)
    assert named.json()["user_id"] == world["member"].id
    again = await b.call(
        "POST", url, "member", {"answers": {"confidence": 4}, "anonymous": True}, expect=409
    )
    assert again.headers["content-type"].startswith("application/problem+json")
    hidden = await b.call(
        "POST", url, "facilitator", {"answers": {"confidence": 5}, "anonymous": True}, expect=201
    )
    assert hidden.json()["user_id"] is None
    await b.call(
        "POST", url, "facilitator", {"answers": {"confidence": 1}, "anonymous": True}, expect=409
    )
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        rows = (await session.scalars(select(EvaluationResponse))).all()
    assert len(rows) == 2
    anonymous = next(r for r in rows if r.anonymous)
    assert anonymous.user_id is None
    assert len(anonymous.respondent_key) == 64
    # Keyed by the respondent key of its own, never by the token-signing secret.
    settings = world.app.state.cohesion.settings
    message = f"evaluation-response:{world['facilitator'].id}:{evaluation['id']}"
    assert anonymous.respondent_key == hmac_hex(
        settings.respondent_hmac_key.get_secret_value(), message
    )
    assert anonymous.respondent_key != hmac_hex(settings.jwt_secret.get_secret_value(), message)


async def measure_url(client: httpx.AsyncClient, world: World, **measure) -> str:
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "2a")
    made = await plans.measure(objective["id"], **measure)
    return f"/measures/{made['id']}"


async def test_confidence_change_measure_is_achieved_when_post_exceeds_pre_by_the_target(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    programme = await b.programme()
    url = await measure_url(
        client,
        world,
        description="Participant feedback evaluations will demonstrate an increase in confidence",
        source="evaluation_score",
        params={"programme_id": programme["id"], "question_key": "confidence", "mode": "change"},
        target={"comparator": "at_least", "value": 0.5},
    )
    assert (await b.get(url))["status"] == "no_data"
    pre = await b.evaluation(programme["id"], "pre")
    post = await b.evaluation(programme["id"], "post")
    await b.answer(pre["id"], {"confidence": 3})
    await b.answer(pre["id"], {"confidence": 3})
    assert (await b.get(url))["status"] == "no_data"  # no post answer yet
    await b.answer(post["id"], {"confidence": 3})
    await b.answer(post["id"], {"confidence": 3})
    before = await b.get(url, "member")
    assert before["current_value"] == 0
    assert before["status"] != "achieved"
    await b.answer(post["id"], {"confidence": 5})  # post mean 11/3: change 2/3 >= 0.5
    after = await b.get(url, "member")
    assert after["current_value"] == 11 / 3 - 3
    assert after["status"] == "achieved"


async def test_participants_measure_counts_people_and_organisations(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    one, two = await b.programme(), await b.programme()
    theirs = await b.programme(network_id=world.network_b)
    for programme in (one, two, theirs):
        await b.post(f"/programmes/{programme['id']}/enrolments", {"user_id": world["member"].id})
    await b.post(f"/programmes/{one['id']}/enrolments", {"organisation_id": await b.organisation()})
    urls = {}
    for name, params in {
        "all": {},
        "people": {"kind": "people"},
        "one_orgs": {"programme_id": one["id"], "kind": "organisations"},
    }.items():
        urls[name] = await measure_url(
            client,
            world,
            description=name,
            source="programme_participants",
            params=params,
            target={"comparator": "at_least", "value": 1},
        )
    assert (await b.get(urls["all"]))["current_value"] == 3
    assert (await b.get(urls["people"]))["current_value"] == 2
    assert (await b.get(urls["one_orgs"]))["current_value"] == 1
