"""What the schema documents is what the API takes: findings of the Schemathesis runs, pinned."""

import json
import re

import pytest
from pydantic import ValidationError

from app.badges.schemas import BadgeCreate, EvidenceItem
from app.core.schemas import (
    LINE_PATTERN,
    REQUIRED_LINE_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
)
from app.openapi_snapshot import render
from app.plans.milestone_schemas import EvidenceCreate
from tests.conftest import ROOT, World

DOCUMENT = json.loads(render())
SCHEMAS = DOCUMENT["components"]["schemas"]


async def test_405_lists_every_method_of_the_path(client, world: World) -> None:
    response = await client.request("OPTIONS", "/api/v1/networks", headers=world.headers("chair"))
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    item = f"/api/v1/networks/{world.network_a}"
    response = await client.put(item, json={}, headers=world.headers("chair"))
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE"}


async def test_dates_are_written_as_documented(client, world: World) -> None:
    """A number is not a date (pydantic alone would read 0 as 1 January 1970)."""
    url = f"/api/v1/networks/{world.network_a}/plans"
    for start in [0, "0", "1700000000", "2022-1-1", "2022-01-01T00:00:00Z"]:
        body = {"title": "x", "period_start": start, "period_end": "2023-01-01"}
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, start
        assert response.json()["errors"][0]["loc"] == ["body", "period_start"]
    assert (await client.get(url, headers=world.headers("chair"))).json()["items"] == []
    good = {"title": "x", "period_start": "2022-01-01", "period_end": "2023-01-01"}
    assert (await client.post(url, json=good, headers=world.headers("chair"))).status_code == 201
    opportunities = f"/api/v1/networks/{world.network_a}/mobility-opportunities"
    for day in ["0", "20240101"]:
        response = await client.get(
            opportunities, params={"open_on": day}, headers=world.headers("chair")
        )
        assert response.status_code == 422, day
    response = await client.get(
        opportunities, params={"open_on": "2024-01-01"}, headers=world.headers("chair")
    )
    assert response.status_code == 200


async def test_timestamps_are_written_as_documented(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}/roles"
    for since in [0, "1700000000", "2024-01-01"]:
        body = {"user_id": world["outsider"].id, "role": "member", "since": since}
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, since


async def test_mobility_group_by_names_are_documented(client, world: World) -> None:
    url = f"/api/v1/networks/{world.network_a}/mobility-counts/summary"
    for group_by in ["participant,mode", "participant, mode", ""]:
        response = await client.get(
            url, params={"group_by": group_by}, headers=world.headers("chair")
        )
        assert response.status_code == 200, group_by
    for group_by in ["colour", "mode,", "mode,mode"]:
        response = await client.get(
            url, params={"group_by": group_by}, headers=world.headers("chair")
        )
        assert response.status_code == 422, group_by


def test_fields_that_may_not_be_cleared_are_not_nullable_in_the_schema() -> None:
    kind = SCHEMAS["NetworkUpdate"]["properties"]["kind"]
    assert {"type": "null"} not in kind.get("anyOf", [])
    title = SCHEMAS["PlanUpdate"]["properties"]["title"]
    assert title["type"] == "string" and "anyOf" not in title


def test_integer_bounds_are_exact() -> None:
    """2^63 - 1, not the float 2^63 FastAPI's model would write."""
    user_id = SCHEMAS["RoleCreate"]["properties"]["user_id"]
    assert user_id["maximum"] == 2**63 - 1 and isinstance(user_id["minimum"], int)
    text = DOCUMENT and render()
    assert "9.223372036854776e+18" not in text


async def test_numbers_and_booleans_are_json_numbers_and_booleans(client, world: World) -> None:
    """``"1"`` is not 1 and ``"yes"`` is not true: each is a 422 naming the field, and nothing
    is written (pydantic alone would coerce both)."""
    plans = f"/api/v1/networks/{world.network_a}/plans"
    body = {"title": "x", "period_start": "2022-01-01", "period_end": "2023-01-01"}
    plan = (await client.post(plans, json=body, headers=world.headers("chair"))).json()
    objectives = f"/api/v1/plans/{plan['id']}/objectives"
    for position in ["1", True, "1.0", [1]]:
        body = {"code": "1", "title": "An objective", "position": position}
        response = await client.post(objectives, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, position
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"] == ["body", "position"], position
    listed = await client.get(objectives, headers=world.headers("chair"))
    assert listed.json()["items"] == []
    body = {"code": "1", "title": "An objective", "position": 1}
    created = await client.post(objectives, json=body, headers=world.headers("chair"))
    assert created.status_code == 201, created.text
    url = f"/api/v1/objectives/{created.json()['id']}"
    etag = created.headers["etag"]
    for position in ["2", False]:
        response = await client.patch(
            url, json={"position": position}, headers={**world.headers("chair"), "If-Match": etag}
        )
        assert response.status_code == 422, position
        assert response.json()["errors"][0]["loc"] == ["body", "position"]
    moved = await client.patch(
        url, json={"position": 2}, headers={**world.headers("chair"), "If-Match": etag}
    )
    assert moved.status_code == 200 and moved.json()["position"] == 2


async def test_required_text_needs_a_character_that_is_not_a_space(client, world: World) -> None:
    """Required text is stripped, so blank text is documented (pattern \\S) and refused alike."""
    assert SCHEMAS["PlanCreate"]["properties"]["title"]["pattern"] == REQUIRED_LINE_PATTERN
    url = f"/api/v1/networks/{world.network_a}/plans"
    for title in ["\f", "   ", ""]:
        body = {"title": title, "period_start": "2022-01-01", "period_end": "2023-01-01"}
        response = await client.post(url, json=body, headers=world.headers("chair"))
        assert response.status_code == 422, repr(title)
        assert response.json()["errors"][0]["loc"] == ["body", "title"]
    body = {"title": "  Plan  ", "period_start": "2022-01-01", "period_end": "2023-01-01"}
    created = await client.post(url, json=body, headers=world.headers("chair"))
    assert created.status_code == 201 and created.json()["title"] == "Plan"


CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]


async def test_control_characters_are_refused_in_every_text(client, world: World) -> None:
    """NUL was stored on SQLite and is a database error on PostgreSQL: every control character
    but tab, line feed and carriage return is a 422 naming the field on both, and nothing is
    written. Typed text (title, aim), a domain's own text type (an objective's code is not
    shared) and a free-form object's values alike: Body looks at every string."""
    plans = f"/api/v1/networks/{world.network_a}/plans"
    headers = world.headers("chair")
    period = {"period_start": "2022-01-01", "period_end": "2023-01-01"}
    for char in CONTROL:
        for field, value in [("title", f"Plan{char}"), ("aim", f"An{char}aim")]:
            body = {"title": "Plan", **period, field: value}
            response = await client.post(plans, json=body, headers=headers)
            assert response.status_code == 422, (char, field, response.text)
            assert response.json()["errors"][0]["loc"] == ["body", field], (char, field)
    response = await client.get(plans, params={"q": "a\x00"}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["query", "q"]
    assert (await client.get(plans, headers=headers)).json()["items"] == []
    body = {"title": "Plan", "aim": "Line one\r\n\tLine two\n", **period}
    created = await client.post(plans, json=body, headers=headers)
    assert created.status_code == 201 and created.json()["aim"] == body["aim"]
    measures = (
        f"/api/v1/objectives/{await _objective(client, world, created.json()['id'])}/measures"
    )
    for params in [{"note": "a\x00"}, {"k\x00": 1}, {"list": [["\x1b[31m"]]}]:
        measure = {"description": "Staff mobilities", "source": "manual", "params": params}
        response = await client.post(measures, json=measure, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["errors"][0]["type"] == "string_control_character"
    assert (await client.get(measures, headers=headers)).json()["items"] == []


async def _objective(client, world: World, plan_id: int) -> int:
    body = {"code": "1", "title": "An objective"}
    response = await client.post(
        f"/api/v1/plans/{plan_id}/objectives", json=body, headers=world.headers("chair")
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_names_and_titles_are_one_line(client, world: World) -> None:
    """Names, titles and codes hold no line break (multi-line text does); a trailing one, as a
    spreadsheet cell may have, is stripped with the spaces."""
    plans = f"/api/v1/networks/{world.network_a}/plans"
    period = {"period_start": "2022-01-01", "period_end": "2023-01-01"}
    for title in ["Two\nlines", "Two\rlines", "Two\r\nlines"]:
        response = await client.post(
            plans, json={"title": title, **period}, headers=world.headers("chair")
        )
        assert response.status_code == 422, repr(title)
    created = await client.post(
        plans, json={"title": " A\tplan \n", **period}, headers=world.headers("chair")
    )
    assert created.status_code == 201 and created.json()["title"] == "A\tplan"
    response = await client.post(
        "/api/v1/organisations",
        json={
            "name": "Org",
            "kind": "school",
            "pic": "12\n34",
            "owner_network_id": world.network_a,
        },
        headers=world.headers("chair"),
    )
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "pic"]


async def test_an_imported_plan_with_a_control_character_is_refused(client, world: World) -> None:
    document = json.loads((ROOT / "examples" / "cln-outcome-planner-2019-20.json").read_text())
    document["objectives"][0]["title"] += "\x00"
    response = await client.post(
        f"/api/v1/networks/{world.network_a}/plans/import",
        files={"file": ("plan.json", json.dumps(document).encode())},
        headers=world.headers("chair"),
    )
    assert response.status_code == 422, response.text
    assert "string_control_character" in response.text
    listed = await client.get(
        f"/api/v1/networks/{world.network_a}/plans", headers=world.headers("chair")
    )
    assert listed.json()["items"] == []


def test_the_text_patterns_say_what_is_refused() -> None:
    """The documented patterns (ECMA-262 and Rust's regex read them as Python does here)."""
    for char in CONTROL:
        for pattern in [TEXT_PATTERN, REQUIRED_TEXT_PATTERN, LINE_PATTERN, REQUIRED_LINE_PATTERN]:
            assert not re.search(pattern, f"a{char}b"), (pattern, char)
    for pattern in [TEXT_PATTERN, REQUIRED_TEXT_PATTERN]:
        assert re.search(pattern, "a\tb\r\nc é")
    for pattern in [LINE_PATTERN, REQUIRED_LINE_PATTERN]:
        assert re.search(pattern, "a\tb é") and not re.search(pattern, "a\nb")
    assert not re.search(REQUIRED_LINE_PATTERN, " \t ")
    aim = SCHEMAS["PlanCreate"]["properties"]["aim"]["anyOf"][0]
    assert aim["pattern"] == TEXT_PATTERN


NOT_URLS = ["http://[::1", "http://", "https://exa mple.org", "javascript:alert(1)", "ftp://x.org"]


async def test_urls_are_parsed_and_stored_normalised(client, world: World) -> None:
    """``http://[::1`` matched ``^https?://\\S+$`` and was stored and served back: every URL
    field now parses its value as a browser would, refuses what does not parse (422, nothing
    written) and keeps the normal form."""
    headers = world.headers("chair")
    base = {"name": "Kelvin", "kind": "vet_college", "owner_network_id": world.network_a}
    for website in [*NOT_URLS, "https://x.org/" + "a" * 500]:
        body = {**base, "website": website}
        response = await client.post("/api/v1/organisations", json=body, headers=headers)
        assert response.status_code == 422, (website, response.text)
        assert response.json()["errors"][0]["loc"] == ["body", "website"], website
    listed = await client.get("/api/v1/organisations", headers=headers)
    assert listed.json()["items"] == []
    body = {**base, "website": "HTTPS://Kelvin.AC.uk:443"}
    created = await client.post("/api/v1/organisations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["website"] == "https://kelvin.ac.uk/"
    url = f"/api/v1/organisations/{created.json()['id']}"
    assert (await client.get(url, headers=headers)).json()["website"] == "https://kelvin.ac.uk/"


async def test_a_url_of_the_documented_length_is_kept_whole_when_normalising_lengthens_it(
    client, world: World
) -> None:
    """Schemathesis sent a 500-character website (the schema's ``maxLength``) without a path;
    its normal form gained a ``/`` and was refused as too long. The schema's limit is on what a
    client sends; the column holds the normal form whole (on PostgreSQL too)."""
    headers = world.headers("chair")
    labels = "https://" + ".".join(["a" * 63] * 7) + "."
    website = labels + "b" * (500 - len(labels))
    assert len(website) == 500
    body = {"name": "Long", "kind": "ngo", "owner_network_id": world.network_a, "website": website}
    created = await client.post("/api/v1/organisations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    url = f"/api/v1/organisations/{created.json()['id']}"
    assert (await client.get(url, headers=headers)).json()["website"] == website + "/"
    evidence = EvidenceItem.model_validate({"url": "https://x.org/a" + " " * 1900 + "b"})
    assert evidence.url is not None and len(evidence.url) == 16 + 3 * 1900


def test_every_url_field_is_a_uri_in_the_schema() -> None:
    fields = [
        ("OrganisationCreate", "website"),
        ("OrganisationUpdate", "website"),
        ("BadgeCreate", "image_url"),
        ("BadgeUpdate", "image_url"),
        ("Alignment", "target_url"),
        ("EvidenceItem", "url"),
        ("EvidenceCreate", "url"),
        ("WebhookCreate", "url"),
        ("WebhookUpdate", "url"),
    ]
    for schema, field in fields:
        prop = SCHEMAS[schema]["properties"][field]
        options = prop.get("anyOf", [prop])
        assert {"format": "uri"}.items() <= options[0].items(), (schema, field, prop)
        assert "pattern" not in options[0]
    assert "https?://" not in render(), "a URL field still guarded by a pattern"


def test_badge_image_alignment_and_evidence_urls_are_parsed() -> None:
    base = {"name": "Badge", "description": "d", "criteria_narrative": "c"}
    for bad in NOT_URLS:
        for body in [
            {**base, "image_url": bad},
            {**base, "alignments": [{"target_name": "Skill", "target_url": bad}]},
        ]:
            with pytest.raises(ValidationError):
                BadgeCreate.model_validate(body)
        with pytest.raises(ValidationError):
            EvidenceItem.model_validate({"url": bad})
        with pytest.raises(ValidationError):
            EvidenceCreate.model_validate({"kind": "link", "url": bad})
    badge = BadgeCreate.model_validate(
        {**base, "alignments": [{"target_name": "S", "target_url": "https://ESCO.eu/s?x=1"}]}
    )
    assert badge.alignments[0].target_url == "https://esco.eu/s?x=1"
