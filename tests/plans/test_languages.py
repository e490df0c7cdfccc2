"""Content in several languages (docs/languages.md): negotiation, fallback, writes in one
language, the translator's view, what is left to translate, and a second-language import."""

import json
from pathlib import Path

import httpx
import pytest

from app.core.i18n import negotiate, parse_accept_language
from app.plans import transfer
from tests.conftest import World, one_world_per_module
from tests.plans.test_transfer import chair, network, non_doc
from tests.test_statement_counts import statements

world, client = one_world_per_module()

FI_TITLE = "Network of Networks -verkoston toimintasuunnitelma 2021-22"


class Offers:
    def __init__(self, languages: list[str], default: str) -> None:
        self.languages, self.default_language = languages, default


def test_accept_language_is_ranked_by_q_value() -> None:
    assert parse_accept_language("en;q=0.5, fi, es;q=0.8") == ("fi", "es", "en")
    # q=0 is "not this"; a malformed q drops its entry; ties keep their order.
    assert parse_accept_language("fi;q=0, es;q=x, de, en") == ("de", "en")
    offers = Offers(["en", "fi", "eu"], "en")
    assert negotiate(offers, lang=None, accept="de, fi-FI;q=0.9, en;q=0.1") == "fi"
    assert negotiate(offers, lang=None, accept="eu;q=0.2, en;q=0.3") == "en"
    assert negotiate(offers, lang=None, accept="de, sv") == "en"  # none offered: the default
    assert negotiate(offers, lang=None, accept="*") == "en"
    assert negotiate(offers, lang=None, accept=";;,q=,") == "en"
    assert negotiate(offers, lang="FI", accept="en") == "fi"  # ?lang= wins, in standard form


async def _non_plan(world: World) -> int:
    async with world.app.state.cohesion.db.transaction() as session:
        plan = await transfer.create_from_document(
            session, chair(world), await network(session, world), non_doc()
        )
        assert plan.id is not None
        return plan.id


async def _offer_finnish(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}"
    etag = (await client.get(url, headers=world.headers("chair"))).headers["ETag"]
    response = await client.patch(
        url,
        json={"languages": ["en", "FI"]},
        headers={**world.headers("chair"), "If-Match": etag},
    )
    assert response.status_code == 200, response.text
    assert response.json()["languages"] == ["en", "fi"]
    assert response.json()["default_language"] == "en"


async def test_a_network_declares_valid_languages(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}"
    got = await client.get(url, headers=world.headers("chair"))
    assert (got.json()["languages"], got.json()["default_language"]) == (["en"], "en")
    headers = {**world.headers("chair"), "If-Match": got.headers["ETag"]}
    for body in (
        {"languages": ["en", "finnish"]},
        {"languages": ["fi"]},  # would drop the default
        {"default_language": "fi"},  # not offered
        {"languages": ["en", "en"]},
        {"languages": []},
    ):
        response = await client.patch(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
    again = await client.get(url, headers=world.headers("chair"))
    assert again.headers["ETag"] == got.headers["ETag"]


async def test_reads_negotiate_and_writes_change_one_language(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    await _offer_finnish(client, world)
    url = f"/api/v1/plans/{plan_id}"
    member = world.headers("member")
    english = (await client.get(url, headers=member)).json()

    # Nothing translated yet: Finnish asked, English served, and the header says so.
    response = await client.get(url, headers={**member, "Accept-Language": "fi"})
    assert response.json()["title"] == english["title"]
    assert response.headers["Content-Language"] == "fi, en"
    assert response.headers["Vary"] == "Accept-Language"

    # A write in Finnish changes only Finnish.
    etag = response.headers["ETag"]
    chair_headers = world.headers("chair")
    written = await client.patch(
        f"{url}?lang=fi",
        json={"title": FI_TITLE, "period_end": "2022-08-30"},
        headers={**chair_headers, "If-Match": etag},
    )
    assert written.status_code == 200, written.text
    assert written.json()["title"] == FI_TITLE
    assert written.headers["Content-Language"] == "fi"  # its only text (no aim) is Finnish
    default = await client.get(url, headers=member)
    assert default.headers["Content-Language"] == "en"
    assert default.json()["title"] == english["title"]
    assert default.json()["period_end"] == "2022-08-30"  # not a text: one value for all
    assert default.headers["ETag"] != etag  # the version moved: a translation is a change

    ranked = {**member, "Accept-Language": "de;q=1, fi;q=0.8, en;q=0.5"}
    assert (await client.get(url, headers=ranked)).json()["title"] == FI_TITLE
    assert (await client.get(f"{url}?lang=en", headers=ranked)).json()["title"] == english["title"]
    refused = {**member, "Accept-Language": "fi;q=0, en"}
    assert (await client.get(url, headers=refused)).json()["title"] == english["title"]

    # An English write leaves the Finnish text alone.
    etag = default.headers["ETag"]
    response = await client.patch(
        url, json={"title": "NoN Action Plan 2021-22"}, headers={**chair_headers, "If-Match": etag}
    )
    assert response.status_code == 200 and response.headers["Content-Language"] == "en"
    assert (await client.get(url, headers=ranked)).json()["title"] == FI_TITLE

    # A language the network does not offer, or no language at all: 422, nothing changed.
    etag = response.headers["ETag"]
    for lang in ("de", "xx-yy-zz-1", "english"):
        bad = await client.patch(
            f"{url}?lang={lang}", json={"title": "X"}, headers={**chair_headers, "If-Match": etag}
        )
        assert bad.status_code == 422, (lang, bad.text)
        assert (await client.get(f"{url}?lang={lang}", headers=member)).status_code == 422
    assert (await client.get(url, headers=member)).headers["ETag"] == etag

    # Lists and the tree serve the same language.
    page = await client.get(f"/api/v1/networks/{world.network_a}/plans", headers=ranked)
    assert FI_TITLE in [p["title"] for p in page.json()["items"]]
    tree = await client.get(f"{url}/tree", headers=ranked)
    assert tree.json()["title"] == FI_TITLE and tree.headers["Content-Language"] == "fi, en"


async def test_translations_view_and_what_is_missing(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    member = world.headers("member")
    # One language: nothing is missing.
    missing = await client.get(f"/api/v1/plans/{plan_id}/translations/missing", headers=member)
    assert missing.status_code == 200
    assert missing.json()["complete"] is True and missing.json()["missing_by_language"] == {}
    await _offer_finnish(client, world)
    missing = await client.get(f"/api/v1/plans/{plan_id}/translations/missing", headers=member)
    body = missing.json()
    assert body["complete"] is False
    total = body["missing_by_language"]["fi"]
    assert total == len(body["items"]) > 50
    first = next(i for i in body["items"] if i["kind"] == "objective" and i["field"] == "title")
    assert first["language"] == "fi" and first["objective_code"] == "A1" and first["text"]

    url = f"/api/v1/objectives/{first['id']}"
    etag = (await client.get(url, headers=member)).headers["ETag"]
    response = await client.patch(
        f"{url}?lang=fi",
        json={"title": "Johdonmukaisuus, vaikuttavuus ja tehokkuus"},
        headers={**world.headers("chair"), "If-Match": etag},
    )
    assert response.status_code == 200, response.text
    after = (
        await client.get(f"/api/v1/plans/{plan_id}/translations/missing", headers=member)
    ).json()
    assert after["missing_by_language"]["fi"] == total - 1
    objective = await client.get(url, headers={**member, "Accept-Language": "fi"})
    assert objective.json()["title"] == "Johdonmukaisuus, vaikuttavuus ja tehokkuus"

    view = (await client.get(f"/api/v1/plans/{plan_id}/translations", headers=member)).json()
    assert view["languages"] == ["en", "fi"]
    item = next(i for i in view["items"] if i["id"] == first["id"] and i["kind"] == "objective")
    assert item["fields"]["title"] == {
        "en": first["text"],
        "fi": "Johdonmukaisuus, vaikuttavuus ja tehokkuus",
    }
    assert [i["kind"] for i in view["items"]][:2] == ["plan", "objective"]


async def test_tree_statements_do_not_grow_with_a_language(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    await _offer_finnish(client, world)
    counts = []
    for accept in ("en", "fi"):
        with statements(world) as seen:
            response = await client.get(
                f"/api/v1/plans/{plan_id}/tree",
                headers={**world.headers("member"), "Accept-Language": accept},
            )
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("route", ["translations", "translations/missing"])
async def test_unknown_plan_is_404(client: httpx.AsyncClient, world: World, route: str) -> None:
    response = await client.get(f"/api/v1/plans/999999/{route}", headers=world.headers("member"))
    assert response.status_code == 404


FI_JSON = Path(__file__).resolve().parents[2] / "examples" / "non-action-plan-2021-22.fi.json"


async def _import(
    client: httpx.AsyncClient, world: World, query: str, name: str, raw: bytes
) -> httpx.Response:
    return await client.post(
        f"/api/v1/networks/{world.network_a}/plans/import{query}",
        files={"file": (name, raw, "application/json")},
        headers=world.headers("chair"),
    )


async def test_a_second_language_import_adds_translations(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    raw = FI_JSON.read_bytes()
    # Finnish is not offered yet; then a Finnish file needs the plan it translates.
    assert (
        await _import(client, world, f"?lang=fi&plan_id={plan_id}", "p.json", raw)
    ).status_code == 422
    await _offer_finnish(client, world)
    assert (await _import(client, world, "?lang=fi", "p.json", raw)).status_code == 422
    assert (await _import(client, world, f"?plan_id={plan_id}", "p.json", raw)).status_code == 422
    assert (
        await _import(client, world, "?lang=fi&plan_id=999999", "p.json", raw)
    ).status_code == 404
    # A file item with no counterpart: 422 naming it, nothing written.
    doc = json.loads(raw)
    doc["objectives"][0]["children"].append({"code": "99", "title": "Ei ole"})
    doc["objectives"][1]["children"][0]["measures"] = [{"description": "Ei mittaria"}] * 5
    bad = await _import(
        client, world, f"?lang=fi&plan_id={plan_id}", "p.json", json.dumps(doc).encode()
    )
    assert bad.status_code == 422, bad.text
    locs = [tuple(e["loc"]) for e in bad.json()["errors"]]
    assert ("objectives", 0, "children", 2) in locs
    assert ("objectives", 1, "children", 0, "measures", 2) in locs  # objective 3 has two
    before = await client.get(
        f"/api/v1/plans/{plan_id}/translations/missing", headers=world.headers("member")
    )
    plans = await client.get(
        f"/api/v1/networks/{world.network_a}/plans", headers=world.headers("member")
    )

    response = await _import(client, world, f"?lang=fi&plan_id={plan_id}", "p.json", raw)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == plan_id and body["title"] == FI_TITLE
    assert body["translated"] == {
        "language": "fi",
        "items": 13,
        "texts": 21,
    }  # no aim in the plan: not written
    assert response.headers["Content-Language"] == "fi"
    again = await client.get(
        f"/api/v1/networks/{world.network_a}/plans", headers=world.headers("member")
    )
    assert len(again.json()["items"]) == len(plans.json()["items"])  # no new plan

    after = await client.get(
        f"/api/v1/plans/{plan_id}/translations/missing", headers=world.headers("member")
    )
    assert (
        after.json()["missing_by_language"]["fi"] == before.json()["missing_by_language"]["fi"] - 21
    )
    tree = (
        await client.get(f"/api/v1/plans/{plan_id}/tree?lang=fi", headers=world.headers("member"))
    ).json()
    assert tree["objectives"][0]["title"] == doc["objectives"][0]["title"]
    assert tree["objectives"][0]["children"][0]["responsible_group"] == (
        "Network of Networks -verkoston ohjausryhmä."
    )
    english = (
        await client.get(f"/api/v1/plans/{plan_id}/tree", headers=world.headers("member"))
    ).json()
    assert (
        english["objectives"][0]["title"]
        == "Bring coherence, and enhance effectiveness and efficiency"
    )

    # Export carries the language; the Finnish export reads back as the same translation.
    exported = await client.get(
        f"/api/v1/plans/{plan_id}/export?format=json&lang=fi", headers=world.headers("member")
    )
    assert exported.status_code == 200 and exported.headers["Content-Language"] == "fi, en"
    assert (
        json.loads(exported.content)["objectives"][3]["children"][1]["title"]
        == (doc["objectives"][3]["children"][1]["title"])
    )
    assert json.loads(exported.content)["title"] == FI_TITLE
    # The report's content comes in the reader's language (its interface text stays English).
    report = await client.get(
        f"/api/v1/plans/{plan_id}/report?format=md",
        headers={**world.headers("member"), "Accept-Language": "fi"},
    )
    assert report.status_code == 200 and report.headers["Content-Language"] == "fi, en"
    assert FI_TITLE in report.text and doc["objectives"][3]["children"][1]["title"] in report.text
    english_report = await client.get(
        f"/api/v1/plans/{plan_id}/report?format=md", headers=world.headers("member")
    )
    assert FI_TITLE not in english_report.text and "Facilitate professional" in english_report.text
    repeat = await _import(client, world, f"?lang=fi&plan_id={plan_id}", "p.json", exported.content)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["translated"]["texts"] == 0  # nothing new


async def test_items_and_communities_are_written_and_read_per_language(
    client: httpx.AsyncClient, world: World
) -> None:
    plan_id = await _non_plan(world)
    await _offer_finnish(client, world)
    chair_headers, member = world.headers("chair"), world.headers("member")
    tree = (await client.get(f"/api/v1/plans/{plan_id}/tree", headers=member)).json()
    objective = tree["objectives"][0]["children"][0]
    targets = {
        f"/api/v1/actions/{objective['actions'][0]['id']}": (
            "description",
            "Kaikkien alueverkostojen sitoutuminen jatkamaan osallistumista.",
        ),
        f"/api/v1/measures/{objective['measures'][0]['id']}": (
            "description",
            "Vähintään 5 alueverkostoa mukana allianssissa pitkällä aikavälillä.",
        ),
    }
    community = await client.post(
        f"/api/v1/networks/{world.network_a}/communities",
        json={"kind": "working_group", "title": "International Cooperation Working Group"},
        headers=chair_headers,
    )
    assert community.status_code == 201, community.text
    targets[f"/api/v1/communities/{community.json()['id']}"] = (
        "title",
        "Kansainvälisen yhteistyön työryhmä",
    )
    for url, (name, finnish) in targets.items():
        before = await client.get(url, headers=member)
        response = await client.patch(
            f"{url}?lang=fi",
            json={name: finnish},
            headers={**chair_headers, "If-Match": before.headers["ETag"]},
        )
        assert response.status_code == 200, (url, response.text)
        assert response.json()[name] == finnish
        assert (await client.get(url, headers=member)).json()[name] == before.json()[name]
        read = await client.get(url, headers={**member, "Accept-Language": "fi-FI, en;q=0.1"})
        assert read.json()[name] == finnish, url
        assert read.headers["Content-Language"].startswith("fi")
    tree = (await client.get(f"/api/v1/plans/{plan_id}/tree?lang=fi", headers=member)).json()
    node = tree["objectives"][0]["children"][0]
    assert node["actions"][0]["description"].startswith("Kaikkien alueverkostojen")
    assert node["measures"][0]["description"].startswith("Vähintään 5")
    assert node["measures"][0]["target"]["unit"] == "regional networks"  # units stay as written
