"""A ``mobility:write`` service account posts counts to its own network and does nothing else."""

from tests.conftest import World
from tests.mobility.helpers import (
    API,
    Orgs,
    counts_url,
    post_counts,
    record,
    service_account,
    token_for,
)
from tests.plans.helpers import PlanBuilder


async def test_script_posts_counts_and_the_batch_is_audited(client, world: World, orgs: Orgs):
    account = await service_account(client, world)
    result = await post_counts(
        client, world.network_a, [record(orgs.oids[0], orgs.oids[2], 6)], account["headers"]
    )
    assert result == {"inserted": 1, "updated": 0, "unchanged": 0}
    events = await client.get(
        f"{API}/audit-events?network_id={world.network_a}&object_type=mobility_count_batches",
        headers=world.headers("chair"),
    )
    assert events.status_code == 200, events.text
    [event] = events.json()["items"]
    assert event["action"] == "post_counts"
    assert (event["actor_kind"], event["actor_id"]) == ("service_account", account["id"])
    assert event["after"]["inserted"] == 1
    assert event["after"]["records"] == 1


async def test_token_reaches_nothing_else(client, world: World, orgs: Orgs):
    plan = await PlanBuilder(client, world).plan()
    account = await service_account(client, world)
    headers = account["headers"]
    # Its own network: known, but out of scope (403).
    for url in (
        f"{API}/plans/{plan['id']}",
        f"{API}/networks/{world.network_a}/plans",
        counts_url(world.network_a),
        counts_url(world.network_a, "/summary"),
        f"{API}/networks/{world.network_a}/mobility-opportunities",
    ):
        assert (await client.get(url, headers=headers)).status_code == 403, url
    created = await client.post(
        f"{API}/networks/{world.network_a}/mobility-opportunities",
        json={
            "organisation_id": orgs[0],
            "title": "x",
            "eqf_level": 4,
            "participant": "staff",
            "mode": "virtual",
        },
        headers=headers,
    )
    assert created.status_code == 403
    # Other networks, even A's child, do not exist for it.
    for network_id in (world.network_b, world.child_a):
        response = await client.post(
            counts_url(network_id), json={"records": [record(orgs[0], orgs[1], 1)]}, headers=headers
        )
        assert response.status_code == 404, network_id
    assert (await client.get(counts_url(world.network_b), headers=headers)).status_code == 404


async def test_revoked_or_rotated_tokens_stop_at_once(client, world: World, orgs: Orgs):
    body = {"records": [record(orgs[0], orgs[1], 1)]}
    url = counts_url(world.network_a)
    account = await service_account(client, world)
    assert (await client.post(url, json=body, headers=account["headers"])).status_code == 200
    rotated = await client.post(
        f"{API}/service-accounts/{account['id']}/rotate", headers=world.headers("chair")
    )
    assert rotated.status_code == 200
    stale = await client.post(url, json=body, headers=account["headers"])
    assert stale.status_code == 401
    assert stale.headers["www-authenticate"].startswith("Bearer")
    fresh = await token_for(client, account["client_id"], rotated.json()["client_secret"])
    assert (await client.post(url, json=body, headers=fresh)).status_code == 200
    revoked = await client.post(
        f"{API}/service-accounts/{account['id']}/revoke", headers=world.headers("chair")
    )
    assert revoked.status_code == 200
    assert (await client.post(url, json=body, headers=fresh)).status_code == 401
