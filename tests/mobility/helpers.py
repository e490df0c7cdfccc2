"""Helpers for the mobility tests."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import World

API = "/api/v1"
COLLEGES = [
    ("Glasgow Kelvin College", "GB", "E10208620", None),
    ("Edinburgh College", "GB", "E10208621", None),
    ("Tknika Innovation Centre", "ES", "E10001234", "949123456"),
    ("Cebanc Centre of Studies", "ES", "E10001235", None),
    ("Tampere Vocational College Tredu", "FI", "E10052000", None),
    ("IIS Aldini Valeriani", "IT", "E10070000", None),
]


@dataclass
class Orgs:
    ids: list[int]
    oids: list[str]
    countries: list[str]

    def __getitem__(self, i: int) -> int:
        return self.ids[i]


async def make_orgs(client: httpx.AsyncClient, world: World) -> Orgs:
    ids, oids, countries = [], [], []
    for name, country, oid, pic in COLLEGES:
        body: dict[str, Any] = {
            "name": name,
            "kind": "vet_college",
            "country": country,
            "erasmus_oid": oid,
        }
        if pic:
            body["pic"] = pic
        response = await client.post(
            f"{API}/organisations", json=body, headers=world.headers("admin")
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
        oids.append(oid)
        countries.append(country)
    return Orgs(ids, oids, countries)


def record(
    sending: int | str,
    receiving: int | str,
    count: int,
    *,
    period: str = "2021-10",
    participant: str = "staff",
    mode: str = "physical",
    eqf_level: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "period": period,
        "sending_org": sending,
        "receiving_org": receiving,
        "participant": participant,
        "mode": mode,
        "count": count,
        **extra,
    }
    if eqf_level is not None:
        body["eqf_level"] = eqf_level
    return body


def counts_url(network_id: int, suffix: str = "") -> str:
    return f"{API}/networks/{network_id}/mobility-counts{suffix}"


async def post_counts(
    client: httpx.AsyncClient,
    network_id: int,
    records: list[dict[str, Any]],
    headers: dict[str, str],
    expect: int = 200,
) -> dict[str, Any]:
    response = await client.post(counts_url(network_id), json={"records": records}, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


async def all_counts(
    client: httpx.AsyncClient, network_id: int, headers: dict[str, str], query: str = ""
) -> list[dict[str, Any]]:
    """Every count of the network, following the cursor."""
    items: list[dict[str, Any]] = []
    url: str | None = counts_url(network_id, f"?limit=200{query}")
    while url:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        url = counts_url(network_id, f"?limit=200{query}&cursor={cursor}") if cursor else None
    return items


async def service_account(
    client: httpx.AsyncClient, world: World, network_id: int | None = None
) -> dict[str, Any]:
    """A mobility:write service account of the network (A by default) and a token for it."""
    network_id = network_id or world.network_a
    chair = "chair" if network_id == world.network_a else "admin"
    created = await client.post(
        f"{API}/networks/{network_id}/service-accounts",
        json={"name": "Nightly mobility sync", "scopes": ["mobility:write"]},
        headers=world.headers(chair),
    )
    assert created.status_code == 201, created.text
    account = created.json()
    account["headers"] = await token_for(client, account["client_id"], account["client_secret"])
    return account  # type: ignore[no-any-return]


async def token_for(client: httpx.AsyncClient, client_id: str, secret: str) -> dict[str, str]:
    token = await client.post(
        f"{API}/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def distinct_records(orgs: Orgs, n: int, count: int = 1) -> list[dict[str, Any]]:
    """``n`` records with distinct keys (organisation pairs, months, participants)."""
    records: list[dict[str, Any]] = []
    pairs = [(s, r) for s in range(len(orgs.ids)) for r in range(len(orgs.ids)) if s != r]
    year = 2000
    while len(records) < n:
        for month in range(1, 13):
            for s, r in pairs:
                for participant in ("staff", "learner"):
                    if len(records) == n:
                        return records
                    records.append(
                        record(
                            orgs[s],
                            orgs[r],
                            count,
                            period=f"{year}-{month:02d}",
                            participant=participant,
                        )
                    )
        year += 1
    return records
