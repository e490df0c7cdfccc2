"""The committed OpenAPI snapshot is current, and every operation reads well."""

import json

from app.openapi_snapshot import SNAPSHOT, render

DOCUMENT = json.loads(render())


def test_snapshot_is_current() -> None:
    assert SNAPSHOT.read_text() == render(), "run `make openapi` and commit openapi/openapi.json"


def _operations():
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_every_operation_is_named_tagged_and_summarised() -> None:
    ids = []
    for method, path, operation in _operations():
        where = f"{method} {path}"
        assert operation.get("operationId"), where
        assert operation.get("tags"), where
        assert operation.get("summary"), where
        assert any(code.startswith("2") for code in operation["responses"]), where
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    assert {"list_networks", "get_network", "create_token", "list_network_roles"} <= set(ids)


def test_errors_are_declared_as_problem_json() -> None:
    for method, path, operation in _operations():
        for code, response in operation["responses"].items():
            if code[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], (method, path)
    schemas = DOCUMENT["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"type", "title", "status"} <= set(schemas["Problem"]["properties"])


# Public by design: anyone holding a credential can check it without an account.
PUBLIC = {
    "/api/v1/auth/token",
    "/api/v1/awards/{award_id}/verify",
    "/api/v1/credentials/verify",
    "/api/v1/networks/{network_id}/jwks.json",
}


def test_api_operations_declare_their_auth_errors() -> None:
    for method, path, operation in _operations():
        if path.startswith("/api/v1") and path not in PUBLIC:
            assert "401" in operation["responses"], (method, path)


# POSTs whose response carries a secret: replaying would mean storing it.
NO_IDEMPOTENCY = {
    "/api/v1/auth/token",
    "/api/v1/networks/{network_id}/service-accounts",
    "/api/v1/service-accounts/{service_account_id}/rotate",
    "/api/v1/networks/{network_id}/webhooks",
    "/api/v1/webhooks/{webhook_id}/rotate-secret",
    # Verification changes nothing: a repeated call gives the same answer anyway.
    "/api/v1/credentials/verify",
}


def test_posts_document_idempotency_key() -> None:
    for method, path, operation in _operations():
        if method == "POST" and path not in NO_IDEMPOTENCY:
            names = [p["name"] for p in operation.get("parameters", [])]
            assert "Idempotency-Key" in names, path


def test_schema_names_are_unique_and_plain() -> None:
    """Two models with one name get module-qualified names (``app__x__schemas__Read``) that
    client generators refuse; every schema keeps its plain class name."""
    schemas = json.loads(SNAPSHOT.read_text())["components"]["schemas"]
    qualified = sorted(name for name in schemas if "__" in name)
    assert not qualified, qualified
