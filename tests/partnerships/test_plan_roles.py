"""Partners' roles travel with a plan: the "Role of Partners" column of an export lists each
commitment as ``<partner>: <role>``, and an import links such lines to the network's
partnerships (seed 004, the CLN outcome planner)."""

import csv
import io
import json
from pathlib import Path

import httpx

from tests.conftest import World
from tests.partnerships.helpers import PartnerBuilder

CLN_JSON = Path(__file__).resolve().parents[2] / "examples" / "cln-outcome-planner-2019-20.json"
ROC = "Robert Owen Centre, University of Glasgow"
ES = "Education Scotland"


def cln_with_partner_lines() -> bytes:
    doc = json.loads(CLN_JSON.read_text())
    first = doc["objectives"][0]
    first["role_of_partners"] += f"\n{ROC}: attend meetings and act as a critical friend"
    outcome_2a = next(c for c in doc["objectives"][1]["children"] if c["code"] == "2a")
    outcome_2a["role_of_partners"] = (
        f"{ES.upper()}: co-design the professional learning programme\n"
        f"{ROC}: lead the professional learning programme\n"
        "Unknown Partner Ltd: not a partnership of this network, so it stays text"
    )
    return json.dumps(doc).encode()


async def import_plan(client: httpx.AsyncClient, world: World, content: bytes, name: str) -> int:
    doc = json.loads(CLN_JSON.read_text())
    plan = {key: doc[key] for key in ("title", "period_start", "period_end")}
    response = await client.post(
        f"/api/v1/networks/{world.network_a}/plans/import",
        files={"file": (name, content)},
        data=plan if name.endswith(".csv") else {},
        headers=world.headers("chair"),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def commitments(b: PartnerBuilder, partnership_id: int) -> list[tuple[str, str]]:
    listed = await b.get(f"/partnerships/{partnership_id}/commitments?limit=200", "member")
    return [(c["objective_code"], c["role"]) for c in listed["items"]]


async def test_import_links_named_partners_and_export_lists_them_for_a_round_trip(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    roc = await b.partnership(organisation_id=await b.organisation(ROC, kind="research_centre"))
    es = await b.partnership(organisation_id=await b.organisation(ES, kind="agency"))
    # Network B's partnership with the same organisation is not a partner of network A.
    await b.partnership(network_id=world.network_b, organisation_id=roc["organisation_id"])

    plan_id = await import_plan(client, world, cln_with_partner_lines(), "cln.json")
    assert await commitments(b, roc["id"]) == [
        ("1", "attend meetings and act as a critical friend"),
        ("2a", "lead the professional learning programme"),
    ]
    assert await commitments(b, es["id"]) == [
        ("2a", "co-design the professional learning programme")
    ]
    tree = (await b.get(f"/plans/{plan_id}/tree", "member"))["objectives"]
    first, outcome_2a = tree[0], next(c for c in tree[1]["children"] if c["code"] == "2a")
    # Linked lines leave the free text; the rest of it is kept as written.
    assert first["role_of_partners"] == (
        "Kevin Lowden from Glasgow University, Robert Owen Centre to attend meetings and act as "
        "a critical friend"
    )
    assert outcome_2a["role_of_partners"] == (
        "Unknown Partner Ltd: not a partnership of this network, so it stays text"
    )

    response = await client.get(
        f"/api/v1/plans/{plan_id}/export?format=csv", headers=world.headers("member")
    )
    assert response.status_code == 200
    column = {
        row["objective_code"]: row["role_of_partners"]
        for row in csv.DictReader(io.StringIO(response.text))
    }
    assert column["2a"].splitlines() == [
        "Unknown Partner Ltd: not a partnership of this network, so it stays text",
        f"{ES}: co-design the professional learning programme",
        f"{ROC}: lead the professional learning programme",
    ]
    assert column["1"].endswith(f"\n{ROC}: attend meetings and act as a critical friend")

    again = await import_plan(client, world, response.content, "cln.csv")
    assert again != plan_id
    assert (
        await commitments(b, roc["id"])
        == [
            ("1", "attend meetings and act as a critical friend"),
            ("2a", "lead the professional learning programme"),
        ]
        * 2
    )
    assert len(await commitments(b, es["id"])) == 2
    second = await client.get(
        f"/api/v1/plans/{again}/export?format=csv", headers=world.headers("member")
    )
    assert second.text == response.text


async def test_without_partnerships_the_column_is_plain_text(
    client: httpx.AsyncClient, world: World
) -> None:
    b = PartnerBuilder(client, world)
    plan_id = await import_plan(client, world, cln_with_partner_lines(), "cln.json")
    tree = (await b.get(f"/plans/{plan_id}/tree", "member"))["objectives"]
    assert tree[0]["role_of_partners"].endswith(
        f"{ROC}: attend meetings and act as a critical friend"
    )
