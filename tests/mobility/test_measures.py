"""The ``mobility_sum`` measure source: "minimum 25 staff mobilities per annum" and friends."""

from contextlib import contextmanager

from sqlalchemy import event

from tests.conftest import World
from tests.mobility.helpers import API, Orgs, post_counts, record
from tests.plans.helpers import PlanBuilder

STAFF_25 = {
    "description": "Minimum 25 x staff mobilities per annum.",
    "source": "mobility_sum",
    "params": {"participant": "staff"},
    "target": {
        "comparator": "at_least",
        "value": 25,
        "unit": "staff mobilities",
        "period": "per_annum",
    },
}


async def measure_at(client, world: World, measure_id: int, as_of: str) -> dict:
    response = await client.get(
        f"{API}/measures/{measure_id}?as_of={as_of}", headers=world.headers("member")
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_staff_mobilities_per_annum_flip_when_crossing_25(client, world, orgs: Orgs):
    build = PlanBuilder(client, world)
    plan = await build.plan(period_start="2021-09-01", period_end="2023-08-31")
    objective = await build.objective(plan["id"], "6")
    measure = await build.measure(objective["id"], **STAFF_25)
    assert measure["params"] == {"participant": "staff", "include_descendants": True}
    facilitator = world.headers("facilitator")

    async def value_and_status(as_of: str) -> tuple[float, str]:
        body = await measure_at(client, world, measure["id"], as_of)
        return body["current_value"], body["status"]

    assert await value_and_status("2021-12-01") == (0, "off_track")
    await post_counts(
        client,
        world.network_a,
        [
            record(orgs[0], orgs[2], 100, period="2021-08"),  # before the plan
            record(orgs[0], orgs[2], 10, period="2021-10"),
            record(orgs[0], orgs[2], 50, period="2021-10", participant="learner"),
        ],
        facilitator,
    )
    await post_counts(  # the child network's counts are included by default
        client,
        world.child_a,
        [record(orgs[2], orgs[4], 14, period="2022-02", mode="virtual", eqf_level=5)],
        world.headers("admin"),
    )
    assert await value_and_status("2022-08-01") == (24, "on_track")
    assert await value_and_status("2022-08-31") == (24, "off_track")  # the plan year is over
    await post_counts(
        client, world.network_a, [record(orgs[1], orgs[5], 1, period="2022-06")], facilitator
    )
    assert await value_and_status("2022-05-31") == (24, "on_track")  # June not yet counted
    assert await value_and_status("2022-06-01") == (25, "achieved")
    assert await value_and_status("2022-08-31") == (25, "achieved")
    # A correction below 25 flips it back.
    await post_counts(
        client, world.network_a, [record(orgs[1], orgs[5], 0, period="2022-06")], facilitator
    )
    assert await value_and_status("2022-08-31") == (24, "off_track")
    # The second plan year starts from zero.
    assert await value_and_status("2022-10-01") == (0, "off_track")
    await post_counts(
        client, world.network_a, [record(orgs[1], orgs[5], 30, period="2022-09")], facilitator
    )
    assert await value_and_status("2022-10-01") == (30, "achieved")
    # Asked after the plan ended, the last plan year counts.
    assert await value_and_status("2024-01-01") == (30, "achieved")


async def test_parameters_filter_what_is_summed(client, world: World, orgs: Orgs):
    build = PlanBuilder(client, world)
    plan = await build.plan()  # 2021-09-01 .. 2022-08-31
    objective = await build.objective(plan["id"], "4")
    await post_counts(
        client,
        world.network_a,
        [
            record(orgs[0], orgs[2], 1, mode="physical", eqf_level=3),
            record(orgs[0], orgs[2], 2, mode="virtual", eqf_level=4),
            record(orgs[0], orgs[2], 4, mode="blended", eqf_level=5),
            record(orgs[0], orgs[2], 8, mode="physical"),  # level not given
            record(orgs[0], orgs[2], 16, participant="learner", eqf_level=4),
            record(orgs[0], orgs[2], 32, period="2022-09"),  # after the plan
        ],
        world.headers("facilitator"),
    )
    await post_counts(client, world.child_a, [record(orgs[0], orgs[2], 64)], world.headers("admin"))
    await post_counts(
        client, world.network_b, [record(orgs[0], orgs[2], 128)], world.headers("other_chair")
    )
    cases = [
        ({}, 1 + 2 + 4 + 8 + 16 + 64),
        ({"include_descendants": False}, 1 + 2 + 4 + 8 + 16),
        ({"participant": "staff", "include_descendants": False}, 15),
        ({"mode": "physical", "include_descendants": False}, 1 + 8 + 16),
        ({"mode": ["virtual", "blended"]}, 2 + 4),
        ({"eqf_min": 4}, 2 + 4 + 16),
        ({"eqf_max": 4, "participant": "staff"}, 3),
        ({"eqf_min": 4, "eqf_max": 4}, 18),
        ({"participant": "learner", "mode": "physical"}, 16),
    ]
    ids = []
    for params, _ in cases:
        created = await build.measure(
            objective["id"],
            description=str(params),
            source="mobility_sum",
            params=params,
            target={"comparator": "at_least", "value": 1000},
        )
        ids.append(created["id"])
    for measure_id, (params, expected) in zip(ids, cases, strict=True):
        body = await measure_at(client, world, measure_id, "2022-12-01")
        assert body["current_value"] == expected, params


@contextmanager
def count_statements(engine):
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def test_one_query_for_all_mobility_measures(client, world: World, orgs: Orgs):
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "6")
    await post_counts(
        client, world.network_a, [record(orgs[0], orgs[1], 3)], world.headers("facilitator")
    )
    seen = []
    for n in (1, 12):
        while len(seen) < n:
            seen.append(
                await build.measure(
                    objective["id"],
                    description=f"m{len(seen)}",
                    source="mobility_sum",
                    params={"participant": "staff"} if len(seen) % 2 else {"eqf_max": 6},
                    target={
                        "comparator": "at_least",
                        "value": 25,
                        "period": "per_annum" if len(seen) % 3 else "total",
                    },
                )
            )
        with count_statements(world.app.state.cohesion.db.engine) as statements:
            response = await client.get(
                f"{API}/plans/{plan['id']}/tree?as_of=2022-01-01", headers=world.headers("member")
            )
        assert response.status_code == 200
        assert len([s for s in statements if "mobility_counts" in s]) == 1


async def test_bad_parameters_and_listing(client, world: World):
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "6")
    for params in (
        {"participant": "robot"},
        {"mode": ["physical", "bus"]},
        {"eqf_min": 0},
        {"eqf_min": 5, "eqf_max": 3},
        {"network": 1},
    ):
        response = await client.post(
            f"{API}/objectives/{objective['id']}/measures",
            json={"description": "x", "source": "mobility_sum", "params": params},
            headers=world.headers("chair"),
        )
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["loc"][:2] == ["body", "params"]
    sources = await client.get(f"{API}/measure-sources", headers=world.headers("member"))
    mobility = next(s for s in sources.json() if s["name"] == "mobility_sum")
    assert set(mobility["params_schema"]["properties"]) == {
        "participant",
        "mode",
        "eqf_min",
        "eqf_max",
        "include_descendants",
    }
