"""The documentation users read: every operation says who may call it, what it changes and when
it fails; every Read schema carries an example that is valid against its own schema."""

import copy
import importlib
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth import deps as auth_deps
from app.auth.access import OPERATIONS, Callers
from app.auth.policy import READ_PERMISSIONS, ROLE_PERMISSIONS, Role
from app.core.audit import AuditEvent
from app.main import create_app
from app.models import SQLModel
from app.openapi_snapshot import render
from app.operation_docs import EXAMPLES, RECORDS, describe
from tests.conftest import World

DOCUMENT = json.loads(render())
SCHEMAS = DOCUMENT["components"]["schemas"]


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def _routes() -> dict[str, Any]:
    try:
        from fastapi.routing import iter_route_contexts

        routes: Any = list(iter_route_contexts(create_app().routes))
    except ImportError:  # older versions flatten them into app.routes
        routes = create_app().routes
    return {
        route.operation_id or route.name: route
        for route in routes
        if isinstance(getattr(route, "original_route", route), APIRoute) and route.include_in_schema
    }


ROUTES = _routes()


def test_every_operation_says_who_what_and_when() -> None:
    said_more = 0
    for method, path, operation in _operations():
        where = f"{method.upper()} {path}"
        description = operation["description"]
        assert "**Who may call:** " in description, where
        assert "**Changes:** " in description, where
        for code in operation["responses"]:
            if code[0] in "45":
                assert re.search(rf"^- `{code}`: \S", description, re.M), (where, code)
        if description.rstrip(".") != operation["summary"].rstrip("."):
            said_more += 1
    assert said_more == sum(1 for _ in _operations())


def test_handwritten_descriptions_are_kept() -> None:
    token = DOCUMENT["paths"]["/api/v1/auth/token"]["post"]["description"]
    assert token.startswith("OAuth2 token endpoint (RFC 6749 password and client-credentials")
    assert "**Who may call:** Anyone: no token is needed." in token


def test_descriptions_read_as_written() -> None:
    plan = DOCUMENT["paths"]["/api/v1/networks/{network_id}/plans"]["post"]["description"]
    assert "The chair or an executive of the network itself (`plan:write`" in plan
    assert "`create` on `plans`" in plan and "`plan.created`" in plan
    assert (
        "- `403`: You can see the network, but your role there does not grant `plan:write`." in plan
    )
    reading = DOCUMENT["paths"]["/api/v1/plans/{plan_id}"]["get"]["description"]
    assert "**Changes:** Nothing: it only reads." in reading
    assert "- `404`: The plan does not exist, is deleted, or is not visible to you." in reading
    counts = DOCUMENT["paths"]["/api/v1/networks/{network_id}/mobility-counts"]["post"]
    assert (
        "service account of that network may call it with the scope `mobility:write`"
        in (counts["description"])
    )


def test_access_table_names_every_operation_and_nothing_else() -> None:
    ids = {operation["operationId"] for _, _, operation in _operations()}
    assert set(OPERATIONS) == ids
    writes = {
        operation["operationId"]
        for method, _, operation in _operations()
        if method != "get" and operation["operationId"] in RECORDS
    }
    assert set(RECORDS) == writes, set(RECORDS) ^ writes


def test_access_table_agrees_with_the_dependencies() -> None:
    """What the route's own dependencies enforce must be what the table says."""
    for operation_id, route in ROUTES.items():
        access = OPERATIONS[operation_id]
        calls = set()
        stack = [route.dependant]
        while stack:
            node = stack.pop()
            calls.add(node.call)
            stack.extend(node.dependencies)
        if auth_deps.current_admin in calls:
            assert access.callers is Callers.admin, operation_id
        if access.callers is Callers.anyone:
            assert auth_deps.current_principal not in calls, operation_id
        elif operation_id not in ("get_health", "get_readiness"):
            assert auth_deps.current_principal in calls, operation_id


def _matrix_rows() -> Iterator[tuple[str, dict[str, int]]]:
    """(operation id, principal -> status) for each row of every authorization matrix."""
    paths = {
        (method.upper(), path): operation["operationId"]
        for method, path, operation in _operations()
    }
    for name in (
        "tests.test_authz_matrix",
        "tests.communities.test_authz",
        "tests.badges.test_authz",
        "tests.partnerships.test_authz",
        "tests.webhooks.test_authz",
    ):
        module = importlib.import_module(name)
        rows = getattr(module, "MATRIX", None) or module.ROWS
        for row in rows:
            operation_id = paths[(row.method, "/api/v1" + row.path)]
            yield operation_id, dict(zip(module.PRINCIPALS, row.codes, strict=True))


NETWORK_ROLES = (Role.executive, Role.facilitator, Role.member)


def test_access_table_agrees_with_the_authorization_matrices() -> None:
    """Where the chair of the network succeeds (the row acts on the chair's own network), the
    other roles succeed exactly when the documented permission is theirs."""
    checked = 0
    for operation_id, codes in _matrix_rows():
        access = OPERATIONS[operation_id]
        ok = {who for who, code in codes.items() if 200 <= code < 300}
        if access.callers is Callers.anyone:
            assert "anonymous" in ok, operation_id
        elif access.callers is Callers.signed_in:
            assert "outsider" in ok and "anonymous" not in ok, operation_id
        elif access.callers is Callers.admin:
            assert ok == {"admin"}, operation_id
        elif access.permission is not None and "chair" in ok:
            for role in NETWORK_ROLES:
                strict = access.permission in ROLE_PERMISSIONS[role]
                loose = strict or (
                    access.partial is not None and access.partial in ROLE_PERMISSIONS[role]
                )
                if strict:
                    assert role.value in ok, (operation_id, role)
                if not loose:
                    assert role.value not in ok, (operation_id, role)
            if access.permission not in READ_PERMISSIONS:
                assert "other_chair" not in ok, operation_id
            checked += 1
    assert checked > 100


def _strict(node: Any) -> Any:
    """The schema with no room for fields it does not name: an example may not invent any."""
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


STRICT_COMPONENTS = _strict(copy.deepcopy(DOCUMENT["components"]))


def _validate(name: str, example: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": STRICT_COMPONENTS}
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(example)


READ_SCHEMAS = sorted(name for name in SCHEMAS if name.endswith("Read"))


@pytest.mark.parametrize("name", READ_SCHEMAS)
def test_every_read_schema_has_a_valid_example(name: str) -> None:
    examples = SCHEMAS[name].get("examples")
    assert examples, f"{name} has no example: add one to its domain's examples.py"
    for example in examples:
        _validate(name, example)


def test_every_registered_example_is_valid_and_used() -> None:
    for name, example in EXAMPLES.items():
        assert name in SCHEMAS, f"{name} is no schema of the document"
        _validate(name, example)


def test_an_example_that_breaks_its_schema_is_caught() -> None:
    wrong = {**EXAMPLES["PlanRead"], "status": "pending"}
    with pytest.raises(jsonschema.ValidationError):
        _validate("PlanRead", wrong)
    with pytest.raises(jsonschema.ValidationError):
        _validate("PlanRead", {**EXAMPLES["PlanRead"], "colour": "green"})


def test_describer_leaves_unknown_operations_alone() -> None:
    route = ROUTES["get_plan"]
    assert describe(route, {"operationId": "no_such_operation"}) is None


def test_audited_tables_exist() -> None:
    tables = set(SQLModel.metadata.tables)
    for operation_id, records in RECORDS.items():
        for table, _ in records:
            assert table in tables, (operation_id, table)


async def _audit_trail(engine: AsyncEngine) -> set[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(AuditEvent.object_type, AuditEvent.action))).all()
    return {(row[0], row[1]) for row in rows}


async def test_documented_audit_events_are_the_ones_recorded(
    engine: AsyncEngine, client: httpx.AsyncClient, world: World
) -> None:
    """A plan's life through the API records what each operation's description says."""
    headers = world.headers("chair")
    before = await _audit_trail(engine)
    plan = await client.post(
        f"/api/v1/networks/{world.network_a}/plans",
        json=EXAMPLES_BODY,
        headers=headers,
    )
    assert plan.status_code == 201, plan.text
    objective = await client.post(
        f"/api/v1/plans/{plan.json()['id']}/objectives",
        json={"code": "4", "title": "Provide international experience for students"},
        headers=headers,
    )
    assert objective.status_code == 201, objective.text
    deleted = await client.delete(
        f"/api/v1/objectives/{objective.json()['id']}", headers={**headers, "If-Match": "*"}
    )
    assert deleted.status_code == 204, deleted.text
    recorded = await _audit_trail(engine) - before
    documented = {
        *RECORDS["create_network_plan"],
        *RECORDS["create_plan_objective"],
        *RECORDS["delete_objective"],
    }
    assert recorded == documented


EXAMPLES_BODY = {
    "title": "Networks of Networks Action Plan 2026-27",
    "period_start": "2026-09-01",
    "period_end": "2027-08-31",
}
