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
    "/api/v1/credentials/{credential_uuid}/verify",
    "/api/v1/credentials/verify",
    "/api/v1/networks/{network_id}/jwks.json",
    "/api/v1/organisations/{organisation_id}/jwks.json",
    "/api/v1/awards/share/{share_token}",
    # The e-mailed token, or the calendar feed's, is the credential.
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    "/api/v1/invitations/accept",
    "/api/v1/calendar/{feed_token}.ics",
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
    "/api/v1/credentials/{credential_uuid}/verify",
    # Anonymous, with a single-use token (or none): nothing to scope a key to.
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    "/api/v1/invitations/accept",
    "/api/v1/me/calendar-feed",
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


# Formats whose validator bounds the length: a date, a timestamp, an email address (RFC 5321:
# at most 254 characters, enforced by email-validator) and a file (the upload size limit).
BOUNDED_FORMATS = {"date", "date-time", "email", "binary"}


def _unbounded(node: dict, where: str, seen: set[str]) -> list[str]:
    """Every string without maxLength (or a bounding format, enum or pattern), array without
    maxItems, object map without maxProperties, and integer or number without both bounds."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded(DOCUMENT["components"]["schemas"][name], name, seen)
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            found += _unbounded(option, where, seen)
    kind = node.get("type")
    if kind == "string" and not (
        "maxLength" in node
        or "enum" in node
        or "const" in node
        or node.get("format") in BOUNDED_FORMATS
        or (
            node.get("pattern", "").endswith("$")
            and "*" not in node["pattern"]
            and "+" not in node["pattern"]
        )
    ):
        found.append(f"{where}: string without maxLength")
    if kind == "array":
        if "maxItems" not in node:
            found.append(f"{where}: array without maxItems")
        found += _unbounded(node.get("items", {}), f"{where}[]", seen)
    if kind in ("integer", "number") and not (
        ("minimum" in node or "exclusiveMinimum" in node)
        and ("maximum" in node or "exclusiveMaximum" in node)
    ):
        found.append(f"{where}: {kind} without minimum and maximum")
    if kind == "object" or "properties" in node:
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in node:
                found.append(f"{where}: map without maxProperties")
            found += _unbounded(extra, f"{where}{{}}", seen)
        patterns = node.get("patternProperties", {})
        if patterns and "maxProperties" not in node:
            found.append(f"{where}: map without maxProperties")
        for pattern, value in patterns.items():
            found += _unbounded(value, f"{where}{{{pattern}}}", seen)
        for name, prop in node.get("properties", {}).items():
            found += _unbounded(prop, f"{where}.{name}", seen)
    return found


def test_every_input_is_bounded() -> None:
    """Resource limits are part of the contract: every string a client sends has a documented
    maximum length, every array a maximum number of items, every number both bounds."""
    found: list[str] = []
    for method, path, operation in _operations():
        where = f"{method} {path}"
        for parameter in operation.get("parameters", []):
            found += _unbounded(parameter["schema"], f"{where} {parameter['name']}", set())
        body = operation.get("requestBody", {}).get("content", {})
        for media_type, content in body.items():
            found += _unbounded(content["schema"], f"{where} {media_type}", set())
    assert not found, "\n".join(sorted(set(found)))


def test_the_bounds_walk_finds_what_is_missing() -> None:
    assert _unbounded({"type": "string"}, "s", set()) == ["s: string without maxLength"]
    assert _unbounded({"type": "string", "pattern": "^[a-z]+$"}, "p", set())
    assert not _unbounded({"type": "string", "pattern": "^[A-Z]{2}$"}, "c", set())
    assert _unbounded(
        {"type": "array", "items": {"type": "integer", "minimum": 1}}, "a", set()
    ) == [
        "a: array without maxItems",
        "a[]: integer without minimum and maximum",
    ]
    nested = {
        "type": "object",
        "properties": {"n": {"anyOf": [{"type": "number"}, {"type": "null"}]}},
    }
    assert _unbounded(nested, "o", set()) == ["o.n: number without minimum and maximum"]
    keyed = {"type": "object", "patternProperties": {"^k$": {"type": "string"}}}
    assert _unbounded(keyed, "m", set()) == [
        "m: map without maxProperties",
        "m{^k$}: string without maxLength",
    ]
