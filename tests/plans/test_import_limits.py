"""Plan import under the upload caps: hostile files are refused quickly, off the event loop,
with a 413 naming the cap, and nothing is written; other requests are answered meanwhile."""

import asyncio
import json
import time
from dataclasses import replace
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from app.core.uploads import DEFAULT_CAPS, UploadTooLarge
from app.plans import transfer
from app.plans.models import Plan
from tests.conftest import World
from tests.core.workbooks import crafted_workbook
from tests.plans.test_import_routes import PERIOD

SMALL = replace(DEFAULT_CAPS, rows=3, columns=10, cells=35, string_length=20)
TABLE = {"title": "T", "period_start": date(2021, 9, 1), "period_end": date(2022, 8, 31)}
HEADER = "aspiration,objective_code,objective,action,measure,responsible_group,milestone,due"


async def plan_count(world: World) -> int:
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(Plan)) or 0)


async def upload(client: httpx.AsyncClient, world: World, name: str, raw: bytes) -> httpx.Response:
    return await client.post(
        f"/api/v1/networks/{world.network_a}/plans/import",
        files={"file": (name, raw)},
        data=PERIOD,
        headers=world.headers("chair"),
    )


def assert_refused(response: httpx.Response, setting: str) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].endswith(f"(cap: {setting})"), response.text


BOMBS = [
    # 43 KB that expand to a million shared strings: 33 s on the event loop before.
    pytest.param(
        crafted_workbook(shared_strings=1_000_000),
        50_000,
        "upload_max_shared_strings",
        id="43KB-strings",
    ),
    # The review's 10 KB file: 200,000 shared strings (9.6 s on the event loop before).
    pytest.param(
        crafted_workbook(shared_strings=200_000),
        11_000,
        "upload_max_shared_strings",
        id="10KB-strings",
    ),
    # A few KB of rows: 100,000 of them.
    pytest.param(
        crafted_workbook(rows='<row><c t="s"><v>0</v></c></row>' * 100_000),
        10_000,
        "upload_max_rows",
        id="10KB-rows",
    ),
]


@pytest.mark.parametrize(("raw", "size", "cap"), BOMBS)
async def test_a_workbook_bomb_is_refused_fast_while_healthz_answers(
    client: httpx.AsyncClient, world: World, raw: bytes, size: int, cap: str
) -> None:
    assert len(raw) < size
    await world.app.state.cohesion.uploads.parse(len, b"the forkserver, started")
    before = await plan_count(world)
    started = time.monotonic()
    bomb = asyncio.create_task(upload(client, world, "plan.xlsx", raw))
    latencies = []
    while not bomb.done():
        sent = time.monotonic()
        assert (await client.get("/healthz")).status_code == 200
        latencies.append(time.monotonic() - sent)
        await asyncio.sleep(0.005)
    response = await bomb
    assert time.monotonic() - started < 2
    assert latencies and max(latencies) < 0.2, latencies
    assert_refused(response, cap)
    assert response.json()["errors"] == [
        {"loc": ["file"], "msg": response.json()["detail"], "type": "upload_cap"}
    ]
    assert await plan_count(world) == before


async def test_csv_past_the_caps_is_refused(client: httpx.AsyncClient, world: World) -> None:
    before = await plan_count(world)
    line = "A,1,Objective,Act,,Board,,"
    cases = {
        "upload_max_rows": "\n".join([HEADER, *[line] * (DEFAULT_CAPS.rows + 1)]),
        "upload_max_columns": "\n".join([HEADER, line + "," * 60 + "far out"]),
        "upload_max_string_length": "\n".join([HEADER, line.replace("Act", "x" * 32_768)]),
    }
    for setting, text in cases.items():
        assert_refused(await upload(client, world, "plan.csv", text.encode()), setting)
    assert await plan_count(world) == before


async def test_json_past_the_caps_is_refused(client: httpx.AsyncClient, world: World) -> None:
    before = await plan_count(world)
    deep = b'{"objectives": ' + b"[" * 100 + b"]" * 100 + b"}"
    assert_refused(await upload(client, world, "plan.json", deep), "upload_max_json_depth")
    many = json.dumps({"objectives": [0] * (DEFAULT_CAPS.json_items + 1)}).encode()
    assert_refused(await upload(client, world, "plan.json", many), "upload_max_json_items")
    assert await plan_count(world) == before


def test_table_caps_while_parsing() -> None:
    good = "\n".join([HEADER, "A,1,Objective,Act,,Board,,"]).encode()
    transfer.parse_csv(good, caps=SMALL, **TABLE)
    cases = {
        "upload_max_rows": b"\n".join([HEADER.encode(), *[b"A,1,O,Act,,B,,"] * 4]),
        "upload_max_columns": HEADER.encode() + b"\nA,1,O,Act,,B,,,,,x",
        "upload_max_cells": b"\n".join([HEADER.encode() + b",,", *[b"A,1,O,Act,,B,,,,"] * 3]),
        "upload_max_string_length": HEADER.encode() + b"\nA,1," + b"O" * 21 + b",Act,,B,,",
    }
    for setting, raw in cases.items():
        with pytest.raises(UploadTooLarge, match=f"cap: {setting}"):
            transfer.parse_csv(raw, caps=SMALL, **TABLE)
    # A workbook is held to the same caps (an exported one has 29 columns).
    workbook = transfer.to_xlsx(transfer.parse_csv(good, caps=SMALL, **TABLE))
    wide = replace(SMALL, columns=30, cells=100, string_length=30)
    transfer.parse_xlsx(workbook, caps=wide, **TABLE)
    for setting, caps in {
        "upload_max_columns": replace(wide, columns=20),
        "upload_max_cells": replace(wide, cells=40),
        "upload_max_string_length": replace(wide, string_length=10),
        "upload_max_rows": replace(wide, rows=0),
    }.items():
        with pytest.raises(UploadTooLarge, match=f"cap: {setting}"):
            transfer.parse_xlsx(workbook, caps=caps, **TABLE)
