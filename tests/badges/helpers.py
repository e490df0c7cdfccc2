"""The England migrant-skills canvas (seed 002) and helpers to take it through the workflow."""

from pathlib import Path
from typing import Any

import httpx

from tests.conftest import World

# The vendor Open Badges 3.0 schema and context, next to the checkout (../shared) or, for a
# worktree under /work/wt/, two levels up: the nearest one found.
VENDOR = next(
    (
        parent / "shared" / "vendor" / "openbadges-3.0"
        for parent in Path(__file__).resolve().parents
        if (parent / "shared" / "vendor" / "openbadges-3.0").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "vendor" / "openbadges-3.0",
)

# Seed 002, section by section.
SEED_SECTIONS: list[dict[str, Any]] = [
    {"name": "Open Badges for Migrant Skills England"},
    {
        "drivers": "To help make migrants and employers aware of badge schemes that will help "
        "migrants showcase their skills and employers find the right people. To support uptake "
        "of the badges."
    },
    {"territory": "England"},
    {
        "business_strategy": "Network could help us deliver existing deliverables around "
        "supporting migrants gain employment"
    },
    {
        "policy_strategy": "Helping migrants to integrate into their new country and gain "
        "meaningful employment"
    },
    {
        "existing_resources": {
            "partnerships": "Could tap into existing agency network.",
            "funding": "Additional funding unlikely at moment",
        }
    },
    {"commitment": {"time": "One day per month to meetings and administration"}},
    {
        "network_composition": "Representatives from migrant groups. Issuers of badges that "
        "would be pertinent to migrants to help them showcase their skills (mostly third sector "
        "but some large corporate issuers). Employers who have committed to employing migrants."
    },
    {
        "communication": {
            "cadence": "Once every two months",
            "duration": "One hour",
            "format": "Face-to-face meeting",
        }
    },
    {"engagement_channels": "Direct contact with our existing agency network; social media"},
    {
        "engagement_plan": "We will create a web page for the group, providing information on "
        "upcoming meetings. We will ask all group members to disseminate information about the "
        "network to their networks and invite participation."
    },
    {
        "structure_theme": "It will focus on uptake of badges that are relevant to migrants in "
        "England"
    },
    {"sub_groups": [{"name": "Migrant badge uptake group", "lead": "Skills Development Officer"}]},
    {
        "underpinning_principles": "It is open to all those interested in supporting uptake of "
        "badges by migrants to help them gain meaningful employment. It will create a safe place "
        "for people to learn about badges and make connections to support migrants into "
        "employment."
    },
    {"duration": "One year initially"},
    {
        "success_measures": [
            "Active and sustained participation in the network by all key stakeholders, eg "
            "migrants, issuers and employers.",
            "Network members who are migrants, taking the badges and gaining employment as a "
            "result of sharing them with employers.",
        ]
    },
    {
        "initial_members": [
            {"group": "earner", "name": "Migrant groups representative"},
            {"group": "issuer", "name": "Third-sector issuer", "organisation": "Skills Charity"},
            {"group": "consumer", "name": "Committed employer", "contact": "hr@example.org"},
        ]
    },
]


def full_canvas(parent_id: int) -> dict[str, Any]:
    body: dict[str, Any] = {"parent_network_id": parent_id}
    for section in SEED_SECTIONS:
        body.update(section)
    return body


async def submitted(
    client: httpx.AsyncClient, world: World, proposer: str = "outsider", name: str | None = None
) -> dict[str, Any]:
    body = full_canvas(world.network_a)
    if name:
        body["name"] = name
    r = await client.post("/api/v1/badge-onboarding", json=body, headers=world.headers(proposer))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = await client.post(f"/api/v1/badge-onboarding/{pid}/submit", headers=world.headers(proposer))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def approved_network(
    client: httpx.AsyncClient, world: World, proposer: str = "outsider", name: str | None = None
) -> int:
    proposal = await submitted(client, world, proposer, name)
    r = await client.post(
        f"/api/v1/badge-onboarding/{proposal['id']}/approve", headers=world.headers("chair")
    )
    assert r.status_code == 200, r.text
    return r.json()["network_id"]  # type: ignore[no-any-return]


async def patch(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    """PATCH with If-Match set to the version just read (by the same caller, or by anyone
    when the caller cannot read it)."""
    current = await client.get(url, headers=headers)
    etag = current.headers.get("ETag", '"1"')
    return await client.patch(url, json=body, headers={**headers, "If-Match": etag})
