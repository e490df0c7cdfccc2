"""Posting mobility counts: upsert on the natural key, replay, all-or-nothing validation,
concurrency, and constant queries per batch."""

import asyncio
from contextlib import contextmanager

import httpx
from sqlalchemy import event, func, select

from app.mobility.models import MobilityCount
from tests.conftest import World
from tests.mobility.helpers import (
    Orgs,
    all_counts,
    counts_url,
    distinct_records,
    post_counts,
    record,
)


async def test_post_resolves_ids_and_codes_and_reads_back(client, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    result = await post_counts(
        client,
        world.network_a,
        [
            record(orgs[0], orgs.oids[2], 3, source_ref="row-1"),
            record("949123456", orgs[1], 2, eqf_level=4, mode="virtual"),  # a PIC
            record(" E10052000 ", orgs[5], 7, participant="learner", period="2022-01"),
        ],
        headers,
    )
    assert result == {"inserted": 3, "updated": 0, "unchanged": 0}
    items = await all_counts(client, world.network_a, world.headers("member"))
    by_sender = {item["sending_org_id"]: item for item in items}
    assert by_sender[orgs[0]]["receiving_org_id"] == orgs[2]
    assert by_sender[orgs[0]]["eqf_level"] is None
    assert by_sender[orgs[0]]["source_ref"] == "row-1"
    assert by_sender[orgs[2]]["eqf_level"] == 4
    assert by_sender[orgs[2]]["mode"] == "virtual"
    assert by_sender[orgs[4]]["period"] == "2022-01"
    assert by_sender[orgs[4]]["participant"] == "learner"
    assert all(item["network_id"] == world.network_a for item in items)
    assert len({item["batch_id"] for item in items}) == 1


async def test_replaying_a_batch_three_times_changes_nothing(client, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    batch = [
        record(orgs[i], orgs[(i + 1) % 6], 10 + i, eqf_level=None if i % 2 else 3) for i in range(6)
    ]
    first = await post_counts(client, world.network_a, batch, headers)
    assert first == {"inserted": 6, "updated": 0, "unchanged": 0}
    before = await all_counts(client, world.network_a, headers)
    for _ in range(3):
        again = await post_counts(client, world.network_a, batch, headers)
        assert again == {"inserted": 0, "updated": 0, "unchanged": 6}
    after = await all_counts(client, world.network_a, headers)
    assert after == before  # same rows, counts, batch ids and timestamps


async def test_posting_a_key_again_sets_the_latest_value(client, world: World, orgs: Orgs):
    headers = world.headers("chair")
    await post_counts(
        client,
        world.network_a,
        [record(orgs[0], orgs[1], 5), record(orgs[0], orgs[2], 5, eqf_level=6)],
        headers,
    )
    result = await post_counts(
        client,
        world.network_a,
        [
            record(orgs[0], orgs[1], 8),  # changed
            record(orgs[0], orgs[2], 5, eqf_level=6),  # the same
            record(orgs[0], orgs[2], 1, eqf_level=5),  # another level: another key
            record(orgs[0], orgs[1], 0, period="2021-11"),  # another month
        ],
        headers,
    )
    assert result == {"inserted": 2, "updated": 1, "unchanged": 1}
    items = await all_counts(client, world.network_a, headers)
    values = {(i["receiving_org_id"], i["eqf_level"], i["period"]): i["count"] for i in items}
    assert values == {
        (orgs[1], None, "2021-10"): 8,
        (orgs[2], 6, "2021-10"): 5,
        (orgs[2], 5, "2021-10"): 1,
        (orgs[1], None, "2021-11"): 0,
    }


async def test_a_key_without_eqf_level_is_still_one_row(client, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    for count in (4, 6):
        await post_counts(client, world.network_a, [record(orgs[0], orgs[1], count)], headers)
    items = await all_counts(client, world.network_a, headers)
    assert [(i["eqf_level"], i["count"]) for i in items] == [(None, 6)]


async def test_duplicate_keys_in_one_batch_last_one_wins(client, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    result = await post_counts(
        client,
        world.network_a,
        [
            record(orgs[0], orgs[1], 1),
            record(orgs.oids[0], orgs.oids[1], 2),  # the same key, by codes
            record(orgs[0], orgs[1], 3),
        ],
        headers,
    )
    assert result == {"inserted": 1, "updated": 0, "unchanged": 0}
    items = await all_counts(client, world.network_a, headers)
    assert [i["count"] for i in items] == [3]


async def test_one_bad_record_among_a_thousand_writes_nothing(
    big_client: httpx.AsyncClient, world: World, orgs: Orgs
):
    headers = world.headers("facilitator")
    batch = distinct_records(orgs, 1000)
    batch[613] = {**batch[613], "mode": "teleported"}
    response = await big_client.post(
        counts_url(world.network_a), json={"records": batch}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert [e["loc"] for e in body["errors"]] == [["body", "records", 613, "mode"]]
    assert "1 of 1000 records" in body["detail"]
    assert await all_counts(big_client, world.network_a, headers) == []
    # Fixed, the same batch goes in whole.
    batch[613]["mode"] = "blended"
    result = await post_counts(big_client, world.network_a, batch, headers)
    assert result == {"inserted": 1000, "updated": 0, "unchanged": 0}


async def test_every_bad_record_is_named_at_once(client, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    await post_counts(client, world.network_a, [record(orgs[0], orgs[1], 1)], headers)
    batch = [
        record(orgs[0], orgs[1], 99),  # fine on its own
        record(orgs[0], "E99999999", 1),  # unknown code
        record(orgs[0], orgs[1], 1, period="2021-13"),  # bad month
        record(999_999, orgs[1], 1),  # unknown id
        record(orgs[0], orgs.oids[0], 1),  # the same organisation at both ends
        record(orgs[0], orgs[1], -1, eqf_level=9),  # two bad fields
        record(orgs[0], orgs[1], 1, colour="blue"),  # unknown field
        record(True, orgs[1], 1),  # not an id or a code
        "not a record",
    ]
    response = await client.post(
        counts_url(world.network_a), json={"records": batch}, headers=headers
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    named = {(e["loc"][2], e["loc"][3] if len(e["loc"]) > 3 else None) for e in errors}
    assert named == {
        (1, "receiving_org"),
        (2, "period"),
        (3, "sending_org"),
        (4, "receiving_org"),
        (5, "count"),
        (5, "eqf_level"),
        (6, "colour"),
        (7, "sending_org"),
        (8, None),
    }
    assert {e["type"] for e in errors if e["loc"][2] in (1, 3)} == {"unknown_organisation"}
    assert "8 of 9 records" in response.json()["detail"]
    items = await all_counts(client, world.network_a, headers)
    assert [i["count"] for i in items] == [1]  # record 0 was not written either


async def test_batch_shape_and_size(big_client: httpx.AsyncClient, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    url = counts_url(world.network_a)
    for body in ({"records": []}, {}, [], {"records": "all of them"}, {"records": [], "x": 1}):
        response = await big_client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["errors"]
    too_many = [record(orgs[0], orgs[1], 1, source_ref=str(i)) for i in range(5001)]
    response = await big_client.post(url, json={"records": too_many}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "records"]
    malformed = await big_client.post(
        url, content=b'{"records": [', headers={**headers, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    # The largest batch allowed goes through.
    most = distinct_records(orgs, 5000)
    result = await post_counts(big_client, world.network_a, most, headers)
    assert result["inserted"] == 5000


async def test_idempotency_key_replays_the_first_answer(client, world: World, orgs: Orgs):
    headers = {**world.headers("facilitator"), "Idempotency-Key": "batch-0001"}
    url = counts_url(world.network_a)
    body = {"records": [record(orgs[0], orgs[1], 4)]}
    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == 200
    second = await client.post(url, json=body, headers=headers)
    assert second.status_code == 200
    assert second.headers.get("idempotent-replayed") == "true"
    assert second.json() == first.json() == {"inserted": 1, "updated": 0, "unchanged": 0}
    other = await client.post(url, json={"records": [record(orgs[0], orgs[1], 5)]}, headers=headers)
    assert other.status_code == 422


async def test_concurrent_overlapping_batches(big_client: httpx.AsyncClient, world, orgs):
    """20 batches at once over overlapping keys: one row per key, no error, final values."""
    headers = world.headers("facilitator")

    def value(s: int, r: int, month: int) -> int:
        return s * 100 + r * 10 + month  # every batch posts the same value for a key

    def batch(n: int) -> list[dict]:
        records = []
        for month in range(1 + n % 4, 9 + n % 4):  # windows of 8 months sliding by batch
            for s in range(6):
                for r in range(6):
                    if s != r:
                        records.append(
                            record(orgs[s], orgs[r], value(s, r, month), period=f"2022-{month:02d}")
                        )
        return records

    responses = await asyncio.gather(
        *[
            big_client.post(
                counts_url(world.network_a), json={"records": batch(n)}, headers=headers
            )
            for n in range(20)
        ]
    )
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    results = [r.json() for r in responses]
    keys = {(s, r, m) for s in range(6) for r in range(6) for m in range(1, 12) if s != r}
    assert sum(x["inserted"] for x in results) == len(keys)
    assert sum(x["updated"] for x in results) == 0
    items = await all_counts(big_client, world.network_a, headers)
    assert len(items) == len(keys)
    index = {o: i for i, o in enumerate(orgs.ids)}
    found = {
        (index[i["sending_org_id"]], index[i["receiving_org_id"]], int(i["period"][5:])): i["count"]
        for i in items
    }
    assert found == {key: value(*key) for key in keys}


async def test_concurrent_batches_with_conflicting_values_keep_one_row_per_key(
    big_client: httpx.AsyncClient, world: World, orgs: Orgs
):
    headers = world.headers("facilitator")

    def batch(n: int) -> list[dict]:
        return [
            record(orgs[s], orgs[(s + 1) % 6], n, period=f"2021-{m:02d}")
            for s in range(6)
            for m in range(1, 13)
        ]

    responses = await asyncio.gather(
        *[
            big_client.post(
                counts_url(world.network_a), json={"records": batch(n)}, headers=headers
            )
            for n in range(20)
        ]
    )
    assert [r.status_code for r in responses] == [200] * 20
    assert sum(r.json()["inserted"] for r in responses) == 72
    items = await all_counts(big_client, world.network_a, headers)
    assert len(items) == 72
    # Every key holds the value of one whole batch: the one committed last.
    assert len({i["count"] for i in items}) == 1
    assert items[0]["count"] in range(20)


@contextmanager
def count_statements(engine):
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def test_statements_per_batch_do_not_grow(big_client, big_app, world: World, orgs: Orgs):
    """Organisations are resolved in one query however many references a batch holds."""
    headers = world.headers("facilitator")
    seen = []
    for size in (10, 2000):
        batch = distinct_records(orgs, size)
        for i, rec in enumerate(batch):  # a mix of ids and codes
            if i % 2:
                rec["sending_org"] = orgs.oids[orgs.ids.index(rec["sending_org"])]
            rec["period"] = rec["period"].replace("20", "19", 1) if size == 10 else rec["period"]
        with count_statements(big_app.state.cohesion.db.engine) as statements:
            result = await post_counts(big_client, world.network_a, batch, headers)
        assert result["inserted"] == size
        seen.append(len([s for s in statements if "organisations" in s]))
        assert len(statements) <= 15, statements
    assert seen == [1, 1]


async def test_counts_are_stored_once_per_key_in_the_table(client, world: World, orgs: Orgs):
    headers = world.headers("facilitator")
    batch = [record(orgs[0], orgs[1], 2, eqf_level=None), record(orgs[0], orgs[1], 2, eqf_level=1)]
    await post_counts(client, world.network_a, batch, headers)
    await post_counts(client, world.network_a, batch, headers)
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        rows = await session.scalar(select(func.count()).select_from(MobilityCount))
        levels = sorted((await session.scalars(select(MobilityCount.eqf_level))).all())
    assert rows == 2
    assert levels == [0, 1]  # "not given" is stored as 0, so the UNIQUE key holds for it
