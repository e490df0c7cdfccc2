"""Progress, measure status, overdue rules and constant query counts."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from app.plans.measures import elapsed_fraction, judge, plan_year
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.schemas import MeasureStatus, parse_due
from tests.conftest import World
from tests.plans.helpers import PlanBuilder

PLAN = Plan(network_id=1, title="t", period_start=date(2021, 9, 1), period_end=date(2022, 8, 31))


def measure(comparator: str | None, target: float | None, period: str = "total") -> Measure:
    return Measure(
        plan_id=1,
        objective_id=1,
        description="m",
        target_comparator=comparator,
        target_value=target,
        target_period=period,
    )


@pytest.mark.parametrize(
    ("comparator", "target", "value", "as_of", "expected"),
    [
        # at_least 10 over the whole plan (365 days): 2022-03-01 is day 182, expecting 4.99.
        ("at_least", 10, 10, date(2021, 10, 1), MeasureStatus.achieved),
        ("at_least", 10, 5, date(2022, 3, 1), MeasureStatus.on_track),
        ("at_least", 10, 4, date(2022, 3, 2), MeasureStatus.at_risk),
        ("at_least", 10, 3, date(2022, 3, 2), MeasureStatus.off_track),
        ("at_least", 10, 9, date(2022, 8, 31), MeasureStatus.off_track),
        ("at_least", 10, None, date(2022, 3, 2), MeasureStatus.no_data),
        (None, None, 4, date(2022, 3, 2), MeasureStatus.no_data),
        ("at_most", 3, 3, date(2022, 3, 2), MeasureStatus.on_track),
        ("at_most", 3, 3, date(2022, 9, 1), MeasureStatus.achieved),
        ("at_most", 3, 4, date(2022, 3, 2), MeasureStatus.off_track),
        ("exactly", 1, 1, date(2022, 3, 2), MeasureStatus.achieved),
        ("exactly", 1, 2, date(2022, 3, 2), MeasureStatus.off_track),
        ("exactly", 2, 1, date(2022, 3, 1), MeasureStatus.on_track),
        ("exactly", 2, 0, date(2022, 3, 2), MeasureStatus.off_track),
    ],
)
def test_measure_status_rule(comparator, target, value, as_of, expected) -> None:
    assert judge(measure(comparator, target), value, PLAN, as_of) is expected


def test_per_annum_targets_are_judged_within_the_plan_year() -> None:
    two_years = Plan(
        network_id=1, title="t", period_start=date(2021, 1, 1), period_end=date(2022, 12, 31)
    )
    per_annum = measure("at_least", 24, "per_annum")
    assert plan_year(two_years.period_start, date(2022, 7, 1)) == (
        date(2022, 1, 1),
        date(2022, 12, 31),
    )
    # Early in year two, 13 is on track against 24 a year (not against 48 over two years).
    assert judge(per_annum, 13, two_years, date(2022, 6, 30)) is MeasureStatus.on_track
    assert judge(per_annum, 5, two_years, date(2022, 6, 30)) is MeasureStatus.off_track
    assert judge(per_annum, 23, two_years, date(2021, 12, 31)) is MeasureStatus.off_track


def test_elapsed_fraction_counts_days_inclusively() -> None:
    assert elapsed_fraction(date(2021, 1, 1), date(2021, 1, 10), date(2021, 1, 5)) == 0.5
    assert elapsed_fraction(date(2021, 1, 1), date(2021, 1, 10), date(2020, 12, 31)) == 0
    assert elapsed_fraction(date(2021, 1, 1), date(2021, 1, 10), date(2021, 1, 10)) == 1


async def test_overdue_at_month_boundaries(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan(period_start="2019-08-01", period_end="2020-07-31")
    objective = await build.objective(plan["id"], "2b")
    month = await build.milestone(
        objective["id"], title="Identify local authorities", due="October 2019"
    )
    day = await build.milestone(objective["id"], title="Survey sent", due="2019-10-15")
    assert month["due"] == "2019-10"
    assert month["due_on"] == "2019-10-31"
    assert month["due_precision"] == "month"
    url = f"/api/v1/plans/{plan['id']}/milestones?overdue=true&as_of="

    async def overdue(as_of: str) -> set[int]:
        response = await client.get(url + as_of, headers=world.headers("member"))
        assert response.status_code == 200
        return {m["id"] for m in response.json()["items"]}

    assert await overdue("2019-10-15") == set()
    assert await overdue("2019-10-16") == {day["id"]}
    assert await overdue("2019-10-31") == {day["id"]}
    assert await overdue("2019-11-01") == {day["id"], month["id"]}
    not_overdue = await client.get(
        f"/api/v1/plans/{plan['id']}/milestones?overdue=false&as_of=2019-11-01",
        headers=world.headers("member"),
    )
    assert not_overdue.json()["items"] == []
    with pytest.raises(ValueError, match="unknown month"):
        parse_due("Octobr 2019")
    bad = await client.post(
        f"/api/v1/objectives/{objective['id']}/milestones",
        json={"title": "x", "due": "Octobr 2019"},
        headers=world.headers("chair"),
    )
    assert bad.status_code == 422


async def test_progress_numbers_for_a_hand_built_plan(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan(period_start="2021-09-01", period_end="2022-08-31")
    one = await build.objective(plan["id"], "1")
    one_a = await build.objective(plan["id"], "1a", parent_id=one["id"])
    two = await build.objective(plan["id"], "2")
    for status in ("planned", "in_progress", "done", "done"):
        await build.action(one["id"], status=status)
    await build.action(one_a["id"], status="blocked")
    await build.action(two["id"], status="done")
    await build.milestone(one["id"], due="2021-10", status="achieved")
    await build.milestone(one["id"], due="2021-11")  # overdue on 2022-03-02
    await build.milestone(one_a["id"], due="2022-06")  # pending, not due
    await build.milestone(two["id"], due="2022-01-31", status="achieved")
    await build.measure(one["id"], target={"comparator": "at_least", "value": 10})
    low = await build.measure(one_a["id"], target={"comparator": "at_least", "value": 10})
    await build.measure(two["id"], target={"comparator": "at_most", "value": 3})
    await client.post(
        f"/api/v1/measures/{low['id']}/readings",
        json={"value": 3, "observed_on": "2022-03-01"},
        headers=world.headers("facilitator"),
    )
    two_measure = await client.get(
        f"/api/v1/objectives/{two['id']}/measures", headers=world.headers("member")
    )
    await client.post(
        f"/api/v1/measures/{two_measure.json()['items'][0]['id']}/readings",
        json={"value": 2, "observed_on": "2022-02-01"},
        headers=world.headers("facilitator"),
    )

    response = await client.get(
        f"/api/v1/plans/{plan['id']}/progress?as_of=2022-03-02", headers=world.headers("member")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2022-03-02"
    assert body["actions"] == {
        "planned": 1,
        "in_progress": 1,
        "done": 3,
        "blocked": 1,
        "dropped": 0,
        "overdue": 0,
        "total": 6,
    }
    assert body["milestones"] == {
        "achieved": 2,
        "pending": 2,
        "overdue": 1,
        "missed": 0,
        "due": 3,
        "total": 4,
    }
    assert body["measures"] == {
        "achieved": 0,
        "on_track": 1,
        "at_risk": 0,
        "off_track": 1,
        "no_data": 1,
        "stale": 0,
        "current": 2,
        "total": 3,
    }
    assert body["rag"] == "red"
    by_code = {o["code"]: o for o in body["objectives"]}
    assert [o["code"] for o in body["objectives"]] == ["1", "1a", "2"]
    assert by_code["1"]["actions"]["total"] == 5  # includes 1a's
    assert by_code["1a"]["actions"] == {
        "planned": 0,
        "in_progress": 0,
        "done": 0,
        "blocked": 1,
        "dropped": 0,
        "overdue": 0,
        "total": 1,
    }
    assert by_code["1a"]["rag"] == "red"  # off-track measure
    assert by_code["2"]["rag"] == "green"
    assert by_code["2"]["milestones"]["due"] == 1


async def test_stale_manual_measure(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan(period_start="2021-09-01", period_end="2022-08-31")
    objective = await build.objective(plan["id"], "1")
    monthly = await build.measure(objective["id"], update_frequency="monthly")
    url = f"/api/v1/measures/{monthly['id']}"
    fresh = await client.get(f"{url}?as_of=2021-09-20", headers=world.headers("member"))
    assert fresh.json()["is_stale"] is False
    stale = await client.get(f"{url}?as_of=2021-11-01", headers=world.headers("member"))
    assert stale.json()["is_stale"] is True
    await client.post(
        f"{url}/readings",
        json={"value": 1, "observed_on": "2021-10-25"},
        headers=world.headers("facilitator"),
    )
    refreshed = await client.get(f"{url}?as_of=2021-11-01", headers=world.headers("member"))
    assert refreshed.json()["is_stale"] is False
    assert refreshed.json()["last_reading_on"] == "2021-10-25"
    progress = await client.get(
        f"/api/v1/plans/{plan['id']}/progress?as_of=2022-01-01", headers=world.headers("member")
    )
    body = progress.json()
    assert body["measures"]["stale"] == 1
    # A stale value is not current evidence: the only measure gives no coverage, so grey.
    assert body["coverage"] == 0
    assert body["rating"] == body["rag"] == "grey"
    assert "1 measure overdue for a reading (stale)" in body["reasons"]
    assert body["attention"][0]["reason"] == "stale"
    assert body["attention"][0]["detail"] == "last reading 2021-10-25; expected monthly"


async def test_child_networks_measure_follows_the_directory(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    regional = await build.measure(
        objective["id"],
        description="A minimum of 2 regional networks",
        source="child_networks",
        params={"kind": "regional"},
        target={"comparator": "at_least", "value": 2},
    )
    url = f"/api/v1/measures/{regional['id']}"
    first = (await client.get(url, headers=world.headers("member"))).json()
    assert first["current_value"] == 1  # world's Basque VET Network
    assert first["status"] != "achieved"
    added = await client.post(
        "/api/v1/networks",
        json={"name": "Scottish Colleges", "kind": "regional", "parent_id": world.network_a},
        headers=world.headers("chair"),
    )
    assert added.status_code == 201
    second = (await client.get(url, headers=world.headers("member"))).json()
    assert second["current_value"] == 2
    assert second["status"] == "achieved"


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


async def _big_plan(app, network_id: int, size: int) -> int:
    async with app.state.cohesion.db.transaction() as session:
        plan = Plan(
            network_id=network_id,
            title=f"{size}",
            period_start=date(2021, 9, 1),
            period_end=date(2022, 8, 31),
            status="active",
        )
        session.add(plan)
        await session.flush()
        assert plan.id is not None
        objectives = [
            Objective(plan_id=plan.id, code=str(i), kind="objective", title=f"O{i}")
            for i in range(size)
        ]
        session.add_all(objectives)
        await session.flush()
        for i, objective in enumerate(objectives):
            assert objective.id is not None
            if i % 10:
                objective.parent_id = objectives[0].id
            session.add(Action(plan_id=plan.id, objective_id=objective.id, description="a"))
            session.add(
                Measure(
                    plan_id=plan.id,
                    objective_id=objective.id,
                    description="m",
                    source="child_networks" if i % 2 else "manual",
                    target_comparator="at_least",
                    target_value=3,
                )
            )
            session.add(
                Milestone(
                    plan_id=plan.id, objective_id=objective.id, title="ms", due_on=date(2022, 1, 31)
                )
            )
        return plan.id


async def test_tree_and_progress_query_counts_do_not_grow(client, world: World) -> None:
    engine = world.app.state.cohesion.db.engine
    counts: dict[str, list[int]] = {"tree": [], "progress": []}
    for size in (10, 1000):
        plan_id = await _big_plan(world.app, world.network_a, size)
        for route in counts:
            with count_statements(engine) as statements:
                response = await client.get(
                    f"/api/v1/plans/{plan_id}/{route}", headers=world.headers("member")
                )
            assert response.status_code == 200
            counts[route].append(len(statements))
        tree = response.json()
        assert tree["objectives"]
    assert counts["tree"][0] == counts["tree"][1], counts
    assert counts["progress"][0] == counts["progress"][1], counts
    assert counts["progress"][0] <= 12, counts
