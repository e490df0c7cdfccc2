"""Reading counts: sums grouped in SQL (checked against a hand-made data set, with and without
descendant networks), the raw list with filters and cursors, and the CSV export."""

import csv
import io

import pytest

from tests.conftest import World
from tests.mobility.helpers import Orgs, all_counts, counts_url, post_counts, record

# orgs: 0 Glasgow Kelvin (GB), 1 Edinburgh (GB), 2 Tknika (ES), 3 Cebanc (ES),
#       4 Tredu (FI), 5 Aldini Valeriani (IT)


@pytest.fixture
async def data(client, world: World, orgs: Orgs) -> Orgs:
    """Network A: 17 mobilities; its child: 24; network B: 100 (never counted for A)."""
    await post_counts(
        client,
        world.network_a,
        [
            record(orgs[0], orgs[2], 3, period="2021-09"),
            record(orgs[0], orgs[4], 2, period="2021-10", mode="virtual", eqf_level=4),
            record(orgs[2], orgs[0], 5, period="2021-10", participant="learner", eqf_level=4),
            record(
                orgs[3],
                orgs[5],
                7,
                period="2022-01",
                participant="learner",
                mode="blended",
                eqf_level=5,
            ),
        ],
        world.headers("facilitator"),
    )
    await post_counts(
        client,
        world.child_a,
        [
            record(orgs[2], orgs[5], 11, period="2021-10"),
            record(
                orgs[4],
                orgs[1],
                13,
                period="2022-03",
                participant="learner",
                mode="virtual",
                eqf_level=3,
            ),
        ],
        world.headers("admin"),
    )
    await post_counts(
        client, world.network_b, [record(orgs[0], orgs[2], 100)], world.headers("other_chair")
    )
    return orgs


async def summarise(
    client, world: World, network_id: int, query: str, who: str = "member", own: bool = True
):
    """The summary; the network's own counts unless ``query`` says or ``own`` is False (the
    route's default includes the descendants')."""
    if own and "include_descendants" not in query:
        query = f"{query}&include_descendants=false"
    response = await client.get(
        counts_url(network_id, f"/summary?{query}"), headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    return response.json()


def groups(body: dict, *keys: str) -> dict:
    return {tuple(g[k] for k in keys): g["count"] for g in body["groups"]}


async def test_totals_with_and_without_descendants(client, world: World, data: Orgs):
    default = await summarise(client, world, world.network_a, "", own=False)
    assert default["total"] == 41 and default["include_descendants"] is True
    own = await summarise(client, world, world.network_a, "include_descendants=false")
    assert own["total"] == 17
    assert own["groups"] == []
    assert own["include_descendants"] is False
    everything = await summarise(client, world, world.network_a, "include_descendants=true")
    assert everything["total"] == 41
    child = await summarise(client, world, world.child_a, "include_descendants=true")
    assert child["total"] == 24  # read access to A reaches its child
    b = await summarise(client, world, world.network_b, "", who="other_chair")
    assert b["total"] == 100


async def test_grouped_sums(client, world: World, data: Orgs):
    by_participant = await summarise(client, world, world.network_a, "group_by=participant")
    assert by_participant["groups"] == [
        {
            "participant": "learner",
            "mode": None,
            "eqf_level": None,
            "receiving_country": None,
            "period": None,
            "count": 12,
        },
        {
            "participant": "staff",
            "mode": None,
            "eqf_level": None,
            "receiving_country": None,
            "period": None,
            "count": 5,
        },
    ]
    both = await summarise(
        client, world, world.network_a, "group_by=participant,mode&include_descendants=true"
    )
    assert both["group_by"] == ["participant", "mode"]
    assert groups(both, "participant", "mode") == {
        ("learner", "blended"): 7,
        ("learner", "physical"): 5,
        ("learner", "virtual"): 13,
        ("staff", "physical"): 14,
        ("staff", "virtual"): 2,
    }
    assert both["total"] == 41
    countries = await summarise(
        client, world, world.network_a, "group_by=receiving_country&include_descendants=true"
    )
    assert groups(countries, "receiving_country") == {
        ("ES",): 3,
        ("FI",): 2,
        ("GB",): 18,
        ("IT",): 18,
    }
    levels = await summarise(client, world, world.network_a, "group_by=eqf_level")
    assert [(g["eqf_level"], g["count"]) for g in levels["groups"]] == [(None, 3), (4, 7), (5, 7)]
    months = await summarise(
        client,
        world,
        world.network_a,
        "group_by=period&from=2021-10&to=2022-01&include_descendants=true",
    )
    assert groups(months, "period") == {("2021-10",): 18, ("2022-01",): 7}
    assert (months["period_from"], months["period_to"]) == ("2021-10", "2022-01")
    filtered = await summarise(
        client, world, world.network_a, "group_by=period&participant=staff&mode=physical"
    )
    assert groups(filtered, "period") == {("2021-09",): 3}
    everything = await summarise(
        client,
        world,
        world.network_a,
        "group_by=period,receiving_country,participant,mode,eqf_level&include_descendants=true",
    )
    assert len(everything["groups"]) == 6
    assert sum(g["count"] for g in everything["groups"]) == 41


async def test_summary_refuses_bad_queries(client, world: World, data: Orgs):
    headers = world.headers("member")
    for query in (
        "group_by=colour",
        "group_by=mode,mode",
        "from=2022-01&to=2021-12",
        "from=2021-9",
        "to=21-09",
        "participant=robot",
    ):
        response = await client.get(
            counts_url(world.network_a, f"/summary?{query}"), headers=headers
        )
        assert response.status_code == 422, query
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_list_filters_and_cursor(client, world: World, data: Orgs):
    headers = world.headers("executive")
    orgs = data

    async def counts(query: str) -> list[int]:
        return sorted(i["count"] for i in await all_counts(client, world.network_a, headers, query))

    assert await counts("") == [2, 3, 5, 7]
    assert await counts("&include_descendants=true") == [2, 3, 5, 7, 11, 13]
    assert await counts("&participant=learner") == [5, 7]
    assert await counts("&mode=virtual&include_descendants=true") == [2, 13]
    assert await counts("&eqf_level=4") == [2, 5]
    assert await counts("&from=2021-10&to=2021-10") == [2, 5]
    assert await counts(f"&organisation_id={orgs[0]}") == [2, 3, 5]
    assert await counts(f"&sending_org_id={orgs[0]}") == [2, 3]
    assert await counts(f"&receiving_org_id={orgs[0]}") == [5]
    url = counts_url(world.network_a, "?limit=2&sort=-count&include_descendants=true")
    first = await client.get(url, headers=headers)
    assert [i["count"] for i in first.json()["items"]] == [13, 11]
    assert 'rel="next"' in first.headers["link"]
    cursor = first.json()["next_cursor"]
    second = await client.get(f"{url}&cursor={cursor}", headers=headers)
    assert [i["count"] for i in second.json()["items"]] == [7, 5]
    by_period = await client.get(counts_url(world.network_a, "?sort=period"), headers=headers)
    periods = [i["period"] for i in by_period.json()["items"]]
    assert periods == sorted(periods)
    bad = await client.get(counts_url(world.network_a, "?sort=colour"), headers=headers)
    assert bad.status_code == 400
    bad = await client.get(counts_url(world.network_a, "?cursor=nonsense"), headers=headers)
    assert bad.status_code == 400


async def test_csv_export(client, world: World, data: Orgs):
    headers = world.headers("member")
    response = await client.get(
        counts_url(world.network_a, "/export?format=csv&include_descendants=true"),
        headers=headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6
    assert sum(int(r["count"]) for r in rows) == 41
    tredu = next(r for r in rows if r["count"] == "13")
    assert tredu["period"] == "2022-03"
    assert tredu["sending_org"] == str(data[4])
    assert tredu["receiving_org_name"] == "Edinburgh College"
    assert tredu["receiving_country"] == "GB"
    assert tredu["eqf_level"] == "3"
    assert tredu["network_id"] == str(world.child_a)
    filtered = await client.get(
        counts_url(world.network_a, "/export?participant=staff"), headers=headers
    )
    assert sorted(int(r["count"]) for r in csv.DictReader(io.StringIO(filtered.text))) == [2, 3]
    wrong = await client.get(counts_url(world.network_a, "/export?format=xlsx"), headers=headers)
    assert wrong.status_code == 422


async def test_export_streams_many_pages(big_client, world: World, orgs: Orgs):
    from tests.mobility.helpers import distinct_records

    headers = world.headers("facilitator")
    await post_counts(big_client, world.network_a, distinct_records(orgs, 4500, count=2), headers)
    response = await big_client.get(counts_url(world.network_a, "/export"), headers=headers)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4500
    assert {r["count"] for r in rows} == {"2"}
    # What was exported can be posted again as it is: nothing changes.
    fields = ["period", "sending_org", "receiving_org", "participant", "mode", "count"]
    again = [{f: r[f] for f in fields} for r in rows]
    for rec in again:
        rec["sending_org"] = int(rec["sending_org"])
        rec["receiving_org"] = int(rec["receiving_org"])
        rec["count"] = int(rec["count"])
    result = await post_counts(big_client, world.network_a, again, headers)
    assert result == {"inserted": 0, "updated": 0, "unchanged": 4500}
