"""Matching schools into collaborative learning teams: the pure algorithm and the API."""

import random
from collections import Counter

import httpx
import pytest

from app.cohorts.matching import (
    Candidate,
    MatchingError,
    propose,
    similarity,
    team_sizes,
)
from tests.communities.helpers import Builder
from tests.conftest import World

AUTHORITIES = [
    "East Dunbartonshire",
    "East Renfrewshire",
    "Glasgow City",
    "Inverclyde",
    "North Lanarkshire",
    "Renfrewshire",
    "South Lanarkshire",
    "West Dunbartonshire",
]
TOPICS = ["numeracy", "literacy", "health and wellbeing", "digital learning", "STEM", "play"]


def cohort(seed: int, n: int, authorities: list[str] | None = None) -> list[Candidate]:
    rng = random.Random(seed)
    pool = authorities or AUTHORITIES
    return [
        Candidate.of(
            1000 + 7 * i,
            pool[i % len(pool)] if i < len(pool) else rng.choice(pool),
            rng.sample(TOPICS, rng.randint(0, 3)),
        )
        for i in range(n)
    ]


CASES = [
    (seed, n, lo, hi)
    for seed, (n, lo, hi) in enumerate(
        [
            (40, 3, 4),
            (36, 3, 4),
            (31, 3, 4),
            (30, 4, 5),
            (12, 2, 3),
            (9, 3, 3),
            (7, 2, 5),
            (40, 5, 8),
        ]
    )
]


@pytest.mark.parametrize(("seed", "n", "lo", "hi"), CASES)
def test_every_school_is_placed_once_in_a_team_within_range(
    seed: int, n: int, lo: int, hi: int
) -> None:
    schools = cohort(seed, n)
    result = propose(schools, lo, hi)
    placed = [i for team in result.teams for i in team.organisation_ids]
    assert sorted(placed) == sorted(s.organisation_id for s in schools)
    assert len(placed) == len(set(placed))
    assert all(lo <= len(team.organisation_ids) <= hi for team in result.teams)
    assert result.summary.schools == n
    assert sum(result.summary.size_distribution.values()) == len(result.teams)
    for team in result.teams:
        assert [p.organisation_id for p in team.placements] == list(team.organisation_ids)
        assert all(p.reason for p in team.placements)
        assert 0 <= team.score <= 1


@pytest.mark.parametrize(("seed", "n", "lo", "hi"), CASES)
def test_no_team_is_from_a_single_authority_when_the_cohort_has_several(
    seed: int, n: int, lo: int, hi: int
) -> None:
    result = propose(cohort(seed, n), lo, hi)
    assert result.summary.cross_authority_possible
    assert all(len(team.local_authorities) >= 2 for team in result.teams)
    assert result.summary.single_authority_teams == 0
    # Even when one authority holds most schools, as long as every team can get another one.
    rng = random.Random(seed)
    skewed = [
        Candidate.of(i, "Inverclyde" if i % 4 == 0 else "Glasgow City", rng.sample(TOPICS, 2))
        for i in range(16)
    ]
    assert all(len(t.local_authorities) >= 2 for t in propose(skewed, 3, 4).teams)


def test_same_input_gives_the_same_teams_whatever_the_order() -> None:
    schools = cohort(3, 36)
    first = propose(schools, 3, 4)
    assert propose(schools, 3, 4) == first
    shuffled = list(schools)
    random.Random(99).shuffle(shuffled)
    assert propose(shuffled, 3, 4) == first
    assert [t.organisation_ids for t in first.teams] == sorted(
        t.organisation_ids for t in first.teams
    )


def test_schools_with_a_shared_enquiry_end_up_together() -> None:
    schools = [
        Candidate.of(i, AUTHORITIES[i % 4], [topic])
        for i, topic in enumerate(["Numeracy", "literacy"] * 6, start=1)
    ]
    result = propose(schools, 3, 3)
    for team in result.teams:
        assert len(team.shared_topics) == 1, team
        assert team.score == 1.0
        assert "shares 'numeracy'" in team.placements[0].reason.lower() or "literacy" in (
            team.placements[0].reason
        )
    assert result.summary.mean_topic_overlap == 1.0
    assert result.summary.teams_with_shared_topic == 4


def test_a_single_authority_cohort_is_matched_on_topics_alone() -> None:
    schools = cohort(5, 10, ["Inverclyde"])
    result = propose(schools, 3, 4)
    assert not result.summary.cross_authority_possible
    assert result.summary.single_authority_teams == len(result.teams)
    assert "within one local authority" in result.teams[0].placements[0].reason


def test_sizes_and_bad_input() -> None:
    assert team_sizes(36, 3, 4) == [4] * 9
    assert team_sizes(31, 3, 4) == [4, 4, 4, 4, 4, 4, 4, 3]
    assert team_sizes(7, 2, 5) == [4, 3]
    assert similarity(frozenset(), frozenset()) == 0
    assert similarity(frozenset({"a", "b"}), frozenset({"b", "c"})) == pytest.approx(1 / 3)
    for args, field in [
        ((10, 0, 4), "min_size"),
        ((10, 4, 3), "max_size"),
        ((0, 3, 4), "cohort"),
        ((5, 3, 4), "min_size"),
    ]:
        with pytest.raises(MatchingError) as caught:
            team_sizes(*args)
        assert caught.value.field == field
    with pytest.raises(MatchingError) as caught:
        propose([Candidate.of(1, "A", []), Candidate.of(1, "B", [])], 2, 2)
    assert caught.value.field == "organisation_ids"


def test_matching_beats_ignoring_topics() -> None:
    schools = cohort(11, 40)
    result = propose(schools, 3, 4)
    ids = sorted(s.organisation_id for s in schools)
    sizes = Counter(len(t.organisation_ids) for t in result.teams)
    assert sizes == {4: 10}
    naive_pairs = [
        similarity(a.topics, b.topics)
        for start in range(0, 40, 4)
        for i, a in enumerate(s for s in schools if s.organisation_id in ids[start : start + 4])
        for b in [s for s in schools if s.organisation_id in ids[start : start + 4]][i + 1 :]
    ]
    assert result.summary.mean_topic_overlap > 2 * (sum(naive_pairs) / len(naive_pairs))


# --- through the API ----------------------------------------------------------------------

WEST = [
    ("Glasgow City", ["numeracy", "Digital learning"]),
    ("Renfrewshire", ["numeracy"]),
    ("Inverclyde", ["numeracy", "literacy"]),
    ("Glasgow City", ["literacy"]),
    ("Renfrewshire", ["literacy", "health and wellbeing"]),
    ("Inverclyde", ["health and wellbeing"]),
    ("East Renfrewshire", ["health and wellbeing"]),
    ("East Renfrewshire", ["digital learning"]),
]


async def test_propose_get_and_accept_creates_collaborative_learning_teams(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    cohort_, schools = await build.enrolled_cohort(WEST, network_id=world.network_b)
    url = f"/cohorts/{cohort_['id']}/matching"
    made = await build.call("POST", url, "other_chair", {"min_size": 3, "max_size": 4}, 201)
    proposal = made.json()
    assert made.headers["Location"] == f"/api/v1{url}/{proposal['id']}"
    assert proposal["status"] == "proposed"
    assert proposal["summary"]["size_distribution"] == {"4": 2}
    assert proposal["summary"]["single_authority_teams"] == 0
    placed = sorted(i for team in proposal["teams"] for i in team["organisation_ids"])
    assert placed == sorted(schools)
    assert all(len(t["reasons"]) == len(t["organisation_ids"]) for t in proposal["teams"])
    again = await build.post(url, {"min_size": 3, "max_size": 4}, "other_chair")
    assert again["teams"] == proposal["teams"]  # deterministic
    fetched = await build.get(f"{url}/{proposal['id']}", "other_chair")
    assert fetched == proposal
    listed = await build.get(url, "other_chair")
    assert [p["id"] for p in listed["items"]] == [proposal["id"], again["id"]]

    accepted = await build.post(f"{url}/{proposal['id']}/accept", None, "other_chair")
    assert accepted["status"] == "accepted"
    assert accepted["accepted_by_user_id"] == world["other_chair"].id
    assert len(accepted["community_ids"]) == 2
    for community_id, team in zip(accepted["community_ids"], accepted["teams"], strict=True):
        community = await build.get(f"/communities/{community_id}", "other_chair")
        assert community["kind"] == "collaborative_learning_team"
        assert community["network_id"] == world.network_b
        assert community["cohort_id"] == cohort_["id"]
        assert community["status"] == "active"  # the cohort launched in 2019
        members = await build.get(f"/communities/{community_id}/members", "other_chair")
        assert sorted(m["organisation_id"] for m in members["items"]) == team["organisation_ids"]
        assert {m["role"] for m in members["items"]} == {"member"}
    teams = await build.get(
        f"/networks/{world.network_b}/communities?cohort_id={cohort_['id']}", "other_chair"
    )
    assert [c["id"] for c in teams["items"]] == accepted["community_ids"]
    await build.call("POST", f"{url}/{proposal['id']}/accept", "other_chair", expect=409)
    # The other proposal places the same schools: accepting it too would double them up.
    await build.call("POST", f"{url}/{again['id']}/accept", "other_chair", expect=409)
    # A proposal of one cohort is not reachable through another.
    other, _ = await build.enrolled_cohort(WEST[:4], network_id=world.network_b)
    await build.call("GET", f"/cohorts/{other['id']}/matching/{proposal['id']}", expect=404)


async def test_bad_matching_input_is_422_and_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    empty = await build.cohort()
    cohort_, schools = await build.enrolled_cohort(WEST[:5])
    stranger = await build.organisation()
    url = f"/cohorts/{cohort_['id']}/matching"
    for path, body, where in [
        (
            url,
            {"min_size": 3, "max_size": 4, "organisation_ids": [*schools[:3], stranger]},
            ["body", "organisation_ids"],
        ),
        (
            url,
            {"min_size": 3, "max_size": 4, "organisation_ids": [schools[0], schools[0]]},
            ["body", "organisation_ids"],
        ),
        (url, {"min_size": 0, "max_size": 4}, ["body", "min_size"]),
        (url, {"min_size": 4, "max_size": 3}, ["body"]),
        (url, {"min_size": 3, "max_size": 4, "colour": "red"}, ["body", "colour"]),
        (url, {"min_size": 3, "max_size": 4}, ["body", "min_size"]),  # 5 schools: no split
        (f"/cohorts/{empty['id']}/matching", {"min_size": 3, "max_size": 4}, ["path", "cohort_id"]),
    ]:
        response = await build.call("POST", path, json=body, expect=422)
        problem = response.json()
        assert problem["detail"]
        assert problem["errors"][0]["loc"][: len(where)] == where, problem
    for cohort_id in (empty["id"], cohort_["id"]):
        assert (await build.get(f"/cohorts/{cohort_id}/matching"))["items"] == []
    # A subset that does split is fine.
    subset = await build.post(url, {"min_size": 2, "max_size": 2, "organisation_ids": schools[:4]})
    assert subset["summary"]["schools"] == 4


async def test_enrolments_validate_withdraw_and_feed_matching(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    cohort_, schools = await build.enrolled_cohort(WEST[:6])
    url = f"/cohorts/{cohort_['id']}/enrolments"
    college = await build.organisation(kind="vet_college")
    for body, expected in [
        ({"organisation_id": 999_999}, 422),
        ({"organisation_id": college}, 422),
        ({"organisation_id": schools[0]}, 409),
        ({"organisation_id": schools[0], "topics": ["x" * 61]}, 422),
    ]:
        await build.call("POST", url, json=body, expect=expected)
    listed = await build.get(url)
    assert len(listed["items"]) == 6
    first = listed["items"][0]
    assert first["local_authority"] == "Glasgow City"
    assert first["topics"] == ["numeracy", "Digital learning"]
    assert (await build.get(f"/cohorts/{cohort_['id']}"))["enrolled"] == 6
    patched = await build.call(
        "PATCH", f"/enrolments/{first['id']}", json={"topics": ["STEM", "stem", "Maths"]}
    )
    assert patched.json()["topics"] == ["STEM", "Maths"]
    proposal = await build.post(
        f"/cohorts/{cohort_['id']}/matching", {"min_size": 3, "max_size": 3}
    )
    await build.call("DELETE", f"/enrolments/{first['id']}", expect=204)
    await build.call("DELETE", f"/enrolments/{first['id']}", expect=409)
    await build.call("PATCH", f"/enrolments/{first['id']}", json={"topics": []}, expect=409)
    assert len((await build.get(url))["items"]) == 5
    assert len((await build.get(f"{url}?include_withdrawn=true"))["items"]) == 6
    # The proposal placed a school that has since withdrawn.
    accept = f"/cohorts/{cohort_['id']}/matching/{proposal['id']}/accept"
    await build.call("POST", accept, expect=409)
    fresh = await build.post(f"/cohorts/{cohort_['id']}/matching", {"min_size": 2, "max_size": 3})
    assert schools[0] not in [i for t in fresh["teams"] for i in t["organisation_ids"]]
    # Re-enrolling is a new enrolment; the withdrawn one stays as history.
    again = await build.enrol(cohort_["id"], schools[0], ["numeracy"])
    assert again["id"] != first["id"]


async def test_cohort_fields(client: httpx.AsyncClient, world: World) -> None:
    build = Builder(client, world)
    made = await build.cohort(name="CLN Cohort 1")
    assert made["target_size"] == {"min": 30, "max": 40}
    assert made["enrolled"] == 0
    url = f"/cohorts/{made['id']}"
    for body in [
        {"end_on": "2018-01-01"},
        {"target_size": {"min": 40, "max": 30}},
        {"name": None},
        {"network_id": world.network_b},
    ]:
        await build.call("PATCH", url, json=body, expect=422)
    bad = {"name": "x", "launch_on": "2020-01-01", "end_on": "2019-01-01"}
    await build.call("POST", f"/networks/{world.network_a}/cohorts", json=bad, expect=422)
    cleared = await build.call("PATCH", url, json={"target_size": None}, expect=200)
    assert cleared.json()["target_size"] is None
    await build.cohort(name="CLN Cohort 2", launch_on="2019-09-01")
    found = await build.get(f"/networks/{world.network_a}/cohorts?q=cohort%202")
    assert [c["name"] for c in found["items"]] == ["CLN Cohort 2"]
    latest = await build.get(f"/networks/{world.network_a}/cohorts?sort=-launch_on")
    assert [c["name"] for c in latest["items"]] == ["CLN Cohort 2", "CLN Cohort 1"]
    await build.call("DELETE", url, expect=204)
    await build.call("GET", url, expect=404)
    await build.call("POST", f"{url}/restore", expect=200)
