"""Plan and network reports (issue 18): the demo's plans in every format, read back with
real readers (pypdf, openpyxl), and format negotiation."""

import re
from datetime import date, datetime
from io import BytesIO
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import col

from app.plans.models import Plan
from tests.conftest import World
from tests.demo_helpers import restore_demo_on_world

API = "/api/v1"
NON_NAME = "Network of Networks"  # the demo's root network
pypdf = pytest.importorskip("pypdf")
# The demo's two seed plans and the current-year plan rolled over from the first.
DEMO_PLANS = {
    "non": "Networks of Networks Action Plan 2021-22",
    "cln": "Collaborative Learning Networks%",
    "current": "Networks of Networks Action Plan 2026-27",
}


def words(text: str) -> str:
    return " ".join(text.split())


async def _demo(world: World) -> dict[str, int]:
    await restore_demo_on_world(world)
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        ids = {}
        for key, title in DEMO_PLANS.items():
            ids[key] = await session.scalar(select(col(Plan.id)).where(col(Plan.title).like(title)))
        # The demo's own "Network of Networks" (the test world has one of that name too).
        ids["network"] = await session.scalar(
            select(col(Plan.network_id)).where(col(Plan.id) == ids["current"])
        )
    assert all(ids.values()), ids
    return ids


async def _get(client: httpx.AsyncClient, world: World, url: str, **headers: str) -> httpx.Response:
    response = await client.get(url, headers={**world.headers("admin"), **headers})
    assert response.status_code == 200, response.text
    return response


async def _json(client: httpx.AsyncClient, world: World, url: str) -> Any:
    return (await _get(client, world, url)).json()


def _objectives(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        found.append(node)
        for child in node["children"]:
            walk(child)

    for top in tree["objectives"]:
        walk(top)
    return found


@pytest.fixture
async def demo(client: httpx.AsyncClient, world: World) -> dict[str, int]:
    return await _demo(world)


async def test_demo_plans_give_complete_markdown_and_workbooks(
    client: httpx.AsyncClient, world: World, demo: dict[str, int]
) -> None:
    for key in ("non", "cln", "current"):
        plan_id = demo[key]
        tree = await _json(client, world, f"{API}/plans/{plan_id}/tree")
        progress = await _json(client, world, f"{API}/plans/{plan_id}/progress")
        objectives = _objectives(tree)
        measures = [m for o in objectives for m in o["measures"]]
        milestones = [m for o in objectives for m in o["milestones"]] + [
            m for o in objectives for a in o["actions"] for m in a["milestones"]
        ]
        assert objectives and (measures or milestones), key

        md = (await _get(client, world, f"{API}/plans/{plan_id}/report?format=md")).text
        assert md.startswith(f"# {tree['title']}\n")
        assert f"as of {progress['as_of']}" in md
        assert "Overall rating: **" in md and "## What needs attention" in md
        for objective in objectives:
            assert f"### {objective['code']}. {words(objective['title'])}" in md
        for measure in measures:
            assert words(measure["description"]).replace("|", "\\|") in md
        for reason in progress["reasons"]:
            assert reason in md

        response = await _get(client, world, f"{API}/plans/{plan_id}/report?format=xlsx")
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response.headers["content-disposition"]
        book = load_workbook(BytesIO(response.content))
        assert book.sheetnames[:5] == [
            "Summary",
            "Objectives",
            "Measures",
            "Milestones",
            "Attention",
        ]
        for sheet in book.worksheets:
            assert sheet.freeze_panes == "A2", sheet.title
            assert all(c.font.bold for c in sheet[1] if c.value), sheet.title
        rows = list(book["Objectives"].iter_rows(values_only=True))
        assert rows[0][:5] == ("Code", "Objective", "Level", "Owner", "Rating")
        assert [r[0] for r in rows[1:]] == [o["code"] for o in objectives]
        ratings = {o["code"]: o["rating"] for o in progress["objectives"]}
        for row in book["Objectives"].iter_rows(min_row=2):
            code, rating = row[0].value, row[4]
            assert rating.value.lower().startswith(ratings[code]), (code, rating.value)
            colour = {"green": "1B7A3D", "amber": "F2B01E", "red": "B3261E", "grey": "5F6368"}
            assert rating.fill.fgColor.rgb.endswith(colour[ratings[code]])
        measure_rows = list(book["Measures"].iter_rows(min_row=2))
        assert len(measure_rows) == len(measures)
        header = [c.value for c in book["Measures"][1]]
        value_col, reading_col = header.index("Current value"), header.index("Last reading")
        with_values = [r[value_col] for r in measure_rows if r[value_col].value is not None]
        assert all(c.data_type == "n" for c in with_values)
        dated = [r[reading_col] for r in measure_rows if r[reading_col].value is not None]
        assert all(c.is_date and isinstance(c.value, datetime) for c in dated)
        milestone_rows = list(book["Milestones"].iter_rows(min_row=2))
        assert len(milestone_rows) == len(milestones)
        due = [r[3] for r in milestone_rows if r[3].value is not None]
        assert all(c.is_date for c in due)
        summary = {r[0].value: r[1] for r in book["Summary"].iter_rows(min_row=2)}
        assert summary["Plan"].value == tree["title"]
        assert summary["As of"].is_date
        assert summary["As of"].value.date() == date.fromisoformat(progress["as_of"])
        assert summary["Evidence coverage"].data_type == "n"
        attention = list(book["Attention"].iter_rows(min_row=2, values_only=True))
        assert len(attention) == len(progress["attention"])


async def test_current_year_plan_report_holds_what_a_chair_needs(
    client: httpx.AsyncClient, world: World, demo: dict[str, int]
) -> None:
    """The demo's current-year plan: every rating, check-ins, changes and charts."""
    plan_id = demo["current"]
    progress = await _json(client, world, f"{API}/plans/{plan_id}/progress?since=2026-09-01")
    html = (
        await _get(client, world, f"{API}/plans/{plan_id}/report?since=2026-09-01")
    ).text  # HTML by default
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html and "<link" not in html and "@import" not in html
    assert html.count("<svg") >= 3  # ratings bar, milestone timeline, measure readings
    assert 'scope="col"' in html and 'scope="row"' in html
    for rating in {o["rating"] for o in progress["objectives"]}:
        assert f'class="rating rating-{rating}"' in html
    for word in ("Green: on track", "Amber: at risk", "Red: off track", "Grey: not enough"):
        assert word in html
    assert "Latest check-ins" in html and "people report" in html
    assert progress["changes"], "the demo records readings in this plan's period"
    for change in progress["changes"][:5]:
        assert change["what"].replace("→", "&rarr;") in html or change["what"] in html
    for item in progress["attention"]:
        assert item["detail"].replace("'", "&#39;") in html

    response = await _get(client, world, f"{API}/plans/{plan_id}/report?format=pdf")
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(BytesIO(response.content))
    pages = [words(p.extract_text()) for p in reader.pages]
    text = " ".join(pages)
    tree = await _json(client, world, f"{API}/plans/{plan_id}/tree")
    objectives = _objectives(tree)
    assert tree["title"] in pages[0]
    assert all(tree["title"] in p for p in pages[1:]), "the title heads every page"
    assert all(f"Page {i} of {len(pages)}" in p for i, p in enumerate(pages, start=1))
    for objective in objectives:
        start = " ".join(words(objective["title"]).split()[:3])
        assert re.search(re.escape(f"{objective['code']}. {start}"), text), objective["code"]
    assert 3 <= len(pages) <= 4 + 2 * len(objectives)
    for page in reader.pages:  # A4: 210 x 297 mm in points
        assert abs(float(page.mediabox.width) - 595.28) < 1
        assert abs(float(page.mediabox.height) - 841.89) < 1


async def test_seed_plans_print_to_pdf(
    client: httpx.AsyncClient, world: World, demo: dict[str, int]
) -> None:
    for key in ("non", "cln"):
        tree = await _json(client, world, f"{API}/plans/{demo[key]}/tree")
        response = await _get(client, world, f"{API}/plans/{demo[key]}/report?format=pdf")
        reader = pypdf.PdfReader(BytesIO(response.content))
        text = words(" ".join(p.extract_text() for p in reader.pages))
        assert tree["title"] in text
        for objective in _objectives(tree):
            start = " ".join(words(objective["title"]).split()[:3])
            assert f"{objective['code']}. {start}" in text, (key, objective["code"])


async def test_network_report_in_every_format(
    client: httpx.AsyncClient, world: World, demo: dict[str, int]
) -> None:
    url = f"{API}/networks/{demo['network']}/report"
    rolled = await _json(client, world, f"{API}/networks/{demo['network']}/progress")
    plans = [(n["name"], p) for n in rolled["networks"] for p in n["plans"]]
    assert len(plans) >= 2, rolled
    md = (await _get(client, world, url, accept="text/markdown")).text
    html = (await _get(client, world, url)).text
    for name, plan in plans:
        assert f"## {name}" in md and f"### {plan['title']}" in md
        assert plan["title"] in html
    assert "<script" not in html and html.count("<svg") == 1
    book = load_workbook(BytesIO((await _get(client, world, f"{url}?format=xlsx")).content))
    assert book.sheetnames == ["Summary", "Plans", "Attention"]
    rows = list(book["Plans"].iter_rows(min_row=2))
    assert [r[1].value for r in rows] == [p["title"] for _, p in plans]
    assert all(r[2].is_date and r[6].data_type == "n" for r in rows)
    pdf = (await _get(client, world, f"{url}?format=pdf")).content
    reader = pypdf.PdfReader(BytesIO(pdf))
    assert NON_NAME in words(reader.pages[0].extract_text())


async def test_format_negotiation(
    client: httpx.AsyncClient, world: World, demo: dict[str, int]
) -> None:
    url = f"{API}/plans/{demo['current']}/report"
    cases = {
        "application/pdf": "application/pdf",
        "text/markdown, text/html;q=0.5": "text/markdown; charset=utf-8",
        "text/html;q=0.2, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        "*/*": "text/html; charset=utf-8",
    }
    for accept, media in cases.items():
        response = await _get(client, world, url, accept=accept)
        assert response.headers["content-type"] == media, accept
        # The content also follows Accept-Language (docs/languages.md).
        assert response.headers["vary"] == "Accept, Accept-Language"
        assert response.headers["content-language"] == "en"
    # ?format= wins over Accept.
    response = await _get(client, world, f"{url}?format=md", accept="application/pdf")
    assert response.headers["content-type"].startswith("text/markdown")
    refused = await client.get(url, headers={**world.headers("admin"), "accept": "image/png"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    bad = await client.get(f"{url}?format=docx", headers=world.headers("admin"))
    assert bad.status_code == 422


async def test_report_of_an_empty_plan_says_so(client: httpx.AsyncClient, world: World) -> None:
    """Missing data first: a plan with nothing in it is grey, every section says it is empty."""
    created = await client.post(
        f"{API}/networks/{world.network_a}/plans",
        json={"title": "Empty plan", "period_start": "2026-01-01", "period_end": "2026-12-31"},
        headers=world.headers("chair"),
    )
    assert created.status_code == 201, created.text
    url = f"{API}/plans/{created.json()['id']}/report"
    md = (await client.get(f"{url}?format=md", headers=world.headers("member"))).text
    assert "Overall rating: **Grey: not enough evidence**" in md
    assert "evidence coverage no measures" in md
    assert "Nothing was recorded between" in md
    for fmt in ("html", "pdf", "xlsx"):
        response = await client.get(f"{url}?format={fmt}", headers=world.headers("member"))
        assert response.status_code == 200, (fmt, response.text)
