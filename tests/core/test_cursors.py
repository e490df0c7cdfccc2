"""A cursor is client input: whatever a decodable cursor holds, every list answers it with a
``400`` naming the cursor (or, when it happens to hold well-typed sort values of that list, a
page), never a ``500``.

The property test walks every list route (a GET of the app with a ``cursor`` query parameter),
with the demo data loaded so that every path names an object that exists, and throws arbitrary
JSON payloads at its cursor: with the signature of each of its orderings (so they reach the
check of each sort value), wrong arities, and values of every JSON type and range (integers
past 64 bits, NaN, numbers where times are expected, lists, nested objects, NUL, lone
surrogates, dates out of range).
"""

import asyncio
import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.badges.models import Badge
from app.cohorts.models import Cohort
from app.communities.models import Community
from app.core import pagination
from app.core.errors import BadRequest
from app.core.pagination import Sort, SortKey, decode_cursor, encode_cursor, sync_sort
from app.networks.models import Network
from app.partnerships.models import Partnership
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.programmes.models import Programme
from app.webhooks.models import WebhookSubscription
from tests.conftest import World
from tests.demo_helpers import restore_demo_on_world

# The object each path parameter of a list names (a list route with a new one fails below).
PATH_OBJECTS: dict[str, Any] = {
    "network_id": Network,
    "plan_id": Plan,
    "objective_id": Objective,
    "action_id": Action,
    "measure_id": Measure,
    "milestone_id": Milestone,
    "community_id": Community,
    "cohort_id": Cohort,
    "partnership_id": Partnership,
    "programme_id": Programme,
    "webhook_id": WebhookSubscription,
    "badge_id": Badge,
}
# Change columns of the lists' syncs (updated_at, or an append-only table's own).
SYNC_COLUMNS = ["updated_at", "changed_at", "recorded_at", "occurred_at"]
SINCE = "2000-01-01T00:00:00Z"

# Values that look almost right to one sort key type or another.
TRICKY = [
    10**30,
    2**63,
    -(2**63) - 1,
    2**31,
    2**63 - 1,
    1.5,
    1e308,
    float("nan"),
    float("inf"),
    True,
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "1",
    "2026-11-29",
    "2026-02-30",
    "0000-01-01",
    "2026-11-29T10:00:00+00:00",
    "2026-11-29T10:00:00",
    "2026-11-29 10:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-11-29T25:00:00Z",
    "1700000000",
]
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62, max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(TRICKY)
)
# Values of the right type for one key or another, so that one value passes and the next not.
PLAUSIBLE = [1, 7, "a", "Network", "2026-11-29T10:00:00+00:00", "2026-11-29", 0.5, False]
JSON = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
ELEMENT = st.sampled_from(PLAUSIBLE + TRICKY) | LEAVES | JSON


def _unsigned(payload: Any) -> str:
    text = json.dumps(payload)  # NaN and Infinity are written as json.loads reads them
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def _cursor(payload: Any) -> str:
    """``payload`` signed with this process's cursor key, as if the API had issued it: the
    values are still checked against their keys' types (a leaked key must not become a 500)."""
    raw = json.dumps(payload).encode("utf-8", "surrogatepass")
    return f"{_unsigned(payload)}.{pagination._b64(pagination._mac(raw))}"


def list_routes(app: FastAPI) -> list[tuple[str, list[str], set[str]]]:
    """(path, path parameters, query parameters) of every GET that takes a ``cursor``."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        operation = operations.get("get")
        parameters = operation.get("parameters", []) if operation else []
        query = {p["name"] for p in parameters if p["in"] == "query"}
        if "cursor" in query:
            found.append((path, [p["name"] for p in parameters if p["in"] == "path"], query))
    return found


async def _demo_ids(app: FastAPI, world: World) -> dict[str, int]:
    await restore_demo_on_world(world)
    async with app.state.cohesion.db.transaction(write=False) as session:
        ids = {}
        for name, model in PATH_OBJECTS.items():
            ids[name] = await session.scalar(
                select(func.min(model.id)).where(model.deleted_at.is_(None))
            )
    assert all(ids.values()), ids
    return ids


async def _orderings(
    client: httpx.AsyncClient, url: str, query: set[str], headers: dict[str, str]
) -> list[tuple[dict[str, str], str]]:
    """(query parameters, cursor signature) of each ordering of the list at ``url``."""
    names = ["id"]
    if "sort" in query:
        refused = await client.get(url, params={"sort": "zz"}, headers=headers)
        assert refused.status_code == 400, refused.text
        found = re.search(r"choose one of: ([\w, ]+) \(", refused.json()["detail"])
        assert found, refused.text
        names = found.group(1).split(", ")
    orderings: list[tuple[dict[str, str], str]] = [({}, "id")]
    if "sort" in query:
        for name in names:
            keys = "id" if name == "id" else f"{name},id"
            orderings.append(({"sort": name}, keys))
            orderings.append(({"sort": f"-{name}"}, ",".join(f"-{k}" for k in keys.split(","))))
    for column in SYNC_COLUMNS:
        orderings.append(({"updated_since": SINCE}, f"sync:{column},id"))
    return orderings


def _fuzz(call: Callable[[dict[str, str]], httpx.Response], orderings: list[Any]) -> None:
    """Hypothesis over one list's cursor; ``call`` sends a GET with the given query."""

    @st.composite
    def cases(draw: st.DrawFn) -> tuple[dict[str, str], Any, bool]:
        params, signature = draw(st.sampled_from(orderings))
        arity = signature.count(",") + 1
        shape = draw(st.sampled_from(["typed", "typed", "typed", "list", "any"]))
        if shape == "any":
            return params, draw(JSON), False
        if shape == "list":
            values = draw(st.lists(JSON, max_size=3) | JSON)
        else:  # the list's own arity: each value plausible for some key, or anything
            values = [draw(ELEMENT) for _ in range(arity)]
        return params, {"s": signature, "v": values}, True

    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases())
    def one_list(case: tuple[dict[str, str], Any, bool]) -> None:
        params, payload, shaped = case
        response = call({**params, "cursor": _cursor(payload)})
        if response.status_code == 200:
            # Only a cursor of this ordering holding values of its keys' types reads a page.
            assert shaped and isinstance(payload["v"], list), payload
            assert None not in payload["v"], payload
            return
        assert response.status_code == 400, (payload, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"], response.text

    one_list()


@pytest.mark.slow_start(120)
async def test_no_cursor_reaches_a_500_on_any_list(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    ids = await _demo_ids(app, world)
    headers = world.headers("admin")
    loop = asyncio.get_running_loop()
    routes = list_routes(app)
    assert len(routes) >= 38, [path for path, _, _ in routes]
    for path, path_parameters, query in routes:
        unknown = set(path_parameters) - set(PATH_OBJECTS)
        assert not unknown, f"{path}: name the object of {unknown} in PATH_OBJECTS"
        url = path.format(**{name: ids[name] for name in path_parameters})
        first = await client.get(url, headers=headers)
        assert first.status_code == 200, (path, first.text)
        orderings = await _orderings(client, url, query, headers)

        def call(params: dict[str, str], url: str = url) -> httpx.Response:
            request = client.get(url, params=params, headers=headers)
            return asyncio.run_coroutine_threadsafe(request, loop).result()

        # Hypothesis runs its examples in a thread; each request is sent on the app's own loop.
        await asyncio.to_thread(_fuzz, call, orderings)


@pytest.mark.parametrize(
    "values",
    [
        ["2026-11-29T10:00:00+00:00", 10**30],  # past 64 bits
        ["2026-11-29T10:00:00+00:00", 2**63],
        [1700000000, 1],  # a number where a time is expected
        ["2026-11-29", 1],  # a day where a time is expected
        [["2026-11-29T10:00:00+00:00"], 1],  # a list
        [{"a": {"b": 1}}, 1],  # nested objects
        ["0001-01-01T00:00:00+01:00", 1],  # before year 1 once in UTC
        ["2026-11-29T10:00:00+00:00", "1"],  # a string where an int is expected
        ["2026-11-29T10:00:00+00:00", True],
        ["2026-11-29T10:00:00+00:00", float("nan")],
        ["2026-11-29T10:00:00+00:00", 1.0],
        ["2026-11-29T10:00:00+00:00", None],
        ["2026-11-29T10:00:00+00:00"],  # wrong arity
    ],
)
def test_a_cursor_holds_values_of_its_keys_types_only(values: list[Any]) -> None:
    """Cases that were a 500 before, pinned without the app: each is the one 400."""
    sort = sync_sort(Plan.updated_at, Plan.id)
    with pytest.raises(BadRequest) as refused:
        decode_cursor(sort, _cursor({"s": sort.signature, "v": values}))
    assert refused.value.errors == [
        {"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "cursor_invalid"}
    ]


def test_a_cursor_the_api_issued_decodes_to_its_values() -> None:
    sort = sync_sort(Plan.updated_at, Plan.id)
    at = datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC)
    assert decode_cursor(sort, encode_cursor(sort, [at, 2**63 - 1])) == [at, 2**63 - 1]
    by_title = Sort((SortKey("title", Plan.title), SortKey("id", Plan.id)))
    assert decode_cursor(by_title, encode_cursor(by_title, ["Plan é", 3])) == ["Plan é", 3]
    for bad in ["a\x00b", "\ud800", 3]:
        with pytest.raises(BadRequest):
            decode_cursor(by_title, _cursor({"s": by_title.signature, "v": [bad, 3]}))
    by_start = Sort((SortKey("period_start", Plan.period_start), SortKey("id", Plan.id)))
    issued = encode_cursor(by_start, [date(2026, 1, 31), 3])
    assert decode_cursor(by_start, issued) == [date(2026, 1, 31), 3]
    for bad in ["2026-02-30", "20260131", "2026-01-31T00:00:00Z", 0]:
        with pytest.raises(BadRequest):
            decode_cursor(by_start, _cursor({"s": by_start.signature, "v": [bad, 3]}))
    nan = base64.urlsafe_b64encode(b'{"s": "id", "v": [NaN]}').decode()
    with pytest.raises(BadRequest):
        decode_cursor(Sort((SortKey("id", Plan.id),)), nan)


async def test_a_cursor_the_api_did_not_issue_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    """Well-typed values are not enough: an unsigned or re-signed cursor is the one 400."""
    url = "/api/v1/networks"
    headers = world.headers("admin")
    first = await client.get(url, params={"limit": 1}, headers=headers)
    issued = first.json()["next_cursor"]
    assert issued, first.text
    assert (await client.get(url, params={"cursor": issued}, headers=headers)).status_code == 200
    body, _, mac = issued.partition(".")
    forged = [
        body,  # the payload alone, as cursors were before they were signed
        f"{body}.{mac[:-2]}AA",  # a wrong signature
        f"{_unsigned({'s': 'id', 'v': [2]})}.{mac}",  # another payload under this signature
    ]
    for cursor in forged:
        response = await client.get(url, params={"cursor": cursor}, headers=headers)
        assert response.status_code == 400, (cursor, response.text)
        assert response.json()["errors"][0]["type"] == "cursor_invalid"
