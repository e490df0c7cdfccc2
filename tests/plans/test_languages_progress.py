"""``/progress`` of a plan and of a network, and the lists of an objective's actions, measures
and milestones, in the negotiated language (docs/languages.md), at the same statement count."""

import httpx

from tests.conftest import World, one_world_per_module
from tests.plans.test_languages import _non_plan, _offer_finnish
from tests.test_statement_counts import statements

world, client = one_world_per_module()

FI = {"Accept-Language": "fi-FI, en;q=0.5"}


async def _translate(client: httpx.AsyncClient, world: World, url: str, body: dict) -> None:
    before = await client.get(url, headers=world.headers("chair"))
    response = await client.patch(
        f"{url}?lang=fi",
        json=body,
        headers={**world.headers("chair"), "If-Match": before.headers["ETag"]},
    )
    assert response.status_code == 200, (url, response.text)


async def test_progress_and_lists_are_served_in_the_language(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    await _offer_finnish(client, world)
    member = world.headers("member")
    tree = (await client.get(f"/api/v1/plans/{plan_id}/tree", headers=member)).json()
    objective = tree["objectives"][0]["children"][0]
    action = objective["actions"][0]
    measure = objective["measures"][0]
    await _translate(
        client, world, f"/api/v1/plans/{plan_id}", {"title": "Suunnitelma", "status": "active"}
    )
    await _translate(
        client, world, f"/api/v1/objectives/{objective['id']}", {"title": "Tavoite suomeksi"}
    )
    await _translate(client, world, f"/api/v1/actions/{action['id']}", {"description": "Toimi"})
    await _translate(client, world, f"/api/v1/measures/{measure['id']}", {"description": "Mitta"})
    milestone = await client.post(
        f"/api/v1/actions/{action['id']}/milestones",
        json={"title": "Sopimus allekirjoitettu (en)", "due": "2022-01-31"},
        headers=world.headers("chair"),
    )
    assert milestone.status_code == 201, milestone.text
    await _translate(
        client, world, f"/api/v1/milestones/{milestone.json()['id']}", {"title": "Sopimus"}
    )

    url = f"/api/v1/plans/{plan_id}/progress?as_of=2022-06-30"
    english = await client.get(url, headers=member)
    finnish = await client.get(url, headers={**member, **FI})
    assert english.status_code == finnish.status_code == 200, finnish.text
    assert english.headers["Content-Language"] == "en"
    assert finnish.headers["Content-Language"] == "fi, en"  # not everything is translated
    titles = {o["objective_id"]: o["title"] for o in finnish.json()["objectives"]}
    assert titles[objective["id"]] == "Tavoite suomeksi"
    english_titles = {o["objective_id"]: o["title"] for o in english.json()["objectives"]}
    assert english_titles[objective["id"]] == objective["title"]
    attention = {(i["kind"], i["id"]): i["title"] for i in finnish.json()["attention"]}
    assert attention[("milestone", milestone.json()["id"])] == "Sopimus"
    english_attention = {(i["kind"], i["id"]): i["title"] for i in english.json()["attention"]}
    assert english_attention[("milestone", milestone.json()["id"])].endswith("(en)")
    reasons = [r for o in finnish.json()["objectives"] for r in o["reasons"]]
    assert any("'Sopimus'" in r for r in finnish.json()["reasons"] + reasons)

    rollup = await client.get(
        f"/api/v1/networks/{world.network_a}/progress?as_of=2022-06-30",
        headers={**member, **FI},
    )
    assert rollup.status_code == 200, rollup.text
    plans = {p["plan_id"]: p["title"] for n in rollup.json()["networks"] for p in n["plans"]}
    assert plans[plan_id] == "Suunnitelma"
    assert rollup.headers["Content-Language"].startswith("fi")
    plain = await client.get(f"/api/v1/networks/{world.network_a}/progress", headers=member)
    assert plain.headers["Content-Language"] == "en"

    base = f"/api/v1/objectives/{objective['id']}"
    lists = {
        "actions": ("description", "Toimi", action["id"]),
        "measures": ("description", "Mitta", measure["id"]),
        "milestones": ("title", "Sopimus", milestone.json()["id"]),
    }
    for path, (field, text, item_id) in lists.items():
        page = await client.get(f"{base}/{path}?lang=fi", headers=member)
        assert page.status_code == 200, page.text
        assert page.headers["Content-Language"].startswith("fi"), path
        assert {i["id"]: i[field] for i in page.json()["items"]}[item_id] == text, path
        default = await client.get(f"{base}/{path}", headers=member)
        assert default.headers["Content-Language"] == "en"
        assert {i["id"]: i[field] for i in default.json()["items"]}[item_id] != text, path
    action_page = await client.get(
        f"/api/v1/actions/{action['id']}/milestones", headers={**member, **FI}
    )
    assert [i["title"] for i in action_page.json()["items"]] == ["Sopimus"]
    bad = await client.get(f"{base}/actions?lang=de", headers=member)
    assert bad.status_code == 422


async def test_progress_statements_do_not_grow_with_a_language(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    await _offer_finnish(client, world)
    await _translate(
        client, world, f"/api/v1/plans/{plan_id}", {"title": "Suunnitelma", "status": "active"}
    )
    for url in (
        f"/api/v1/plans/{plan_id}/progress?as_of=2022-06-30",
        f"/api/v1/networks/{world.network_a}/progress",
    ):
        counts = []
        for accept in ("en", "fi"):
            with statements(world) as seen:
                response = await client.get(
                    url, headers={**world.headers("member"), "Accept-Language": accept}
                )
            assert response.status_code == 200
            counts.append(len(seen))
        assert counts[0] == counts[1], (url, counts)
