"""Import and export through the API: the seed plans from examples/, round trips, bad files."""

from pathlib import Path

from sqlalchemy import func, select

from app.plans.models import Plan
from tests.conftest import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NON_CSV = EXAMPLES / "non-action-plan-2021-22.csv"
CLN_JSON = EXAMPLES / "cln-outcome-planner-2019-20.json"
PERIOD = {
    "title": "Networks of Networks Action Plan 2021-22",
    "period_start": "2021-09-01",
    "period_end": "2022-08-31",
}


def tally(tree: dict) -> dict[str, int]:
    counts = {"aspirations": 0, "objectives": 0, "actions": 0, "measures": 0, "milestones": 0}

    def visit(node: dict) -> None:
        counts["objectives"] += 1
        counts["aspirations"] += node["kind"] == "aspiration"
        counts["actions"] += len(node["actions"])
        counts["measures"] += len(node["measures"])
        counts["milestones"] += len(node["milestones"]) + sum(
            len(a["milestones"]) for a in node["actions"]
        )
        for child in node["children"]:
            visit(child)

    for top in tree["objectives"]:
        visit(top)
    return counts


async def import_file(
    client,
    world: World,
    path: Path,
    name: str | None = None,
    data: dict | None = None,
    content: bytes | None = None,
):
    return await client.post(
        f"/api/v1/networks/{world.network_a}/plans/import",
        files={"file": (name or path.name, content if content is not None else path.read_bytes())},
        data=data or {},
        headers=world.headers("chair"),
    )


async def get_tree(client, world: World, plan_id: int) -> dict:
    response = await client.get(f"/api/v1/plans/{plan_id}/tree", headers=world.headers("member"))
    assert response.status_code == 200
    return response.json()


async def test_seed_plans_import_completely(client, world: World) -> None:
    non = await import_file(client, world, NON_CSV, data=PERIOD)
    assert non.status_code == 201, non.text
    assert non.headers["location"] == f"/api/v1/plans/{non.json()['id']}"
    assert tally(await get_tree(client, world, non.json()["id"])) == {
        "aspirations": 4,
        "objectives": 12,
        "actions": 14,
        "measures": 23,
        "milestones": 0,
    }
    cln = await import_file(client, world, CLN_JSON)
    assert cln.status_code == 201, cln.text
    tree = await get_tree(client, world, cln.json()["id"])
    assert tally(tree) == {
        "aspirations": 0,
        "objectives": 7,
        "actions": 18,
        "measures": 0,
        "milestones": 29,
    }
    two = next(o for o in tree["objectives"] if o["code"] == "2")
    assert [c["code"] for c in two["children"]] == ["2a", "2b", "2c", "2d"]


async def test_export_then_import_gives_an_equal_plan(client, world: World) -> None:
    original = await import_file(client, world, CLN_JSON)
    plan_id = original.json()["id"]
    exported = {}
    for fmt in ("json", "csv", "xlsx", "md"):
        response = await client.get(
            f"/api/v1/plans/{plan_id}/export?format={fmt}", headers=world.headers("member")
        )
        assert response.status_code == 200, fmt
        assert f'filename="plan-{plan_id}.{fmt}"' in response.headers["content-disposition"]
        exported[fmt] = response.content
    assert exported["md"].decode().startswith("# ")
    assert "due October 2019" in exported["md"].decode()
    baseline = (
        await client.get(
            f"/api/v1/plans/{plan_id}/export?format=json", headers=world.headers("member")
        )
    ).json()
    period = {
        "title": baseline["title"],
        "period_start": baseline["period_start"],
        "period_end": baseline["period_end"],
        "aim": baseline["aim"] or "",
    }
    for fmt in ("json", "csv", "xlsx"):
        again = await import_file(
            client,
            world,
            CLN_JSON,
            name=f"plan.{fmt}",
            content=exported[fmt],
            data=period if fmt != "json" else None,
        )
        assert again.status_code == 201, (fmt, again.text)
        copy = (
            await client.get(
                f"/api/v1/plans/{again.json()['id']}/export?format=json",
                headers=world.headers("member"),
            )
        ).json()
        assert copy["objectives"] == baseline["objectives"], fmt


async def test_bad_rows_are_all_named_and_nothing_is_written(client, world: World) -> None:
    rows = [
        "aspiration,objective_code,objective,action,measure,responsible_group,milestone,due,"
        "parent_code,measure_target,measure_comparator",
        "Aspiration 1,1,Good objective,Act,,Steering Committee,,,,,",
        "Aspiration 1,,No code here,Act,,,,,,,",
        "Aspiration 1,2,Orphan,Act,,,,,99,,",
        "Aspiration 1,3,Bad date,,,,Launch,Octobr 2019,,,",
        "Aspiration 1,4,Bad number,,Reach many,,,,,lots,at_least",
    ]
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        before = await session.scalar(select(func.count()).select_from(Plan))
    response = await import_file(
        client, world, NON_CSV, name="bad.csv", content="\n".join(rows).encode(), data=PERIOD
    )
    assert response.status_code == 422, response.text
    locs = [tuple(e["loc"]) for e in response.json()["errors"]]
    assert any(loc[:3] == ("file", "row", 3) for loc in locs), locs
    assert any(loc[:3] == ("file", "row", 4) for loc in locs), locs
    assert any(loc[:3] == ("file", "row", 5) for loc in locs), locs
    assert any(loc[:3] == ("file", "row", 6) for loc in locs), locs
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Plan)) == before


async def test_import_needs_a_known_file_type_and_period(client, world: World) -> None:
    unknown = await import_file(client, world, NON_CSV, name="plan.docx")
    assert unknown.status_code == 422
    no_period = await import_file(client, world, NON_CSV)
    assert no_period.status_code == 422
    assert {e["loc"][-1] for e in no_period.json()["errors"]} == {
        "title",
        "period_start",
        "period_end",
    }
    garbage = await import_file(client, world, CLN_JSON, content=b"{nope")
    assert garbage.status_code == 422


async def test_import_authorization(client, world: World) -> None:
    for who, status in [
        ("member", 403),
        ("facilitator", 403),
        ("other_chair", 404),
        ("anonymous", 401),
        ("executive", 201),
    ]:
        response = await client.post(
            f"/api/v1/networks/{world.network_a}/plans/import",
            files={"file": (CLN_JSON.name, CLN_JSON.read_bytes())},
            headers=world.headers(who),
        )
        assert response.status_code == status, who
