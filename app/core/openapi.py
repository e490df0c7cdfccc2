"""The OpenAPI document and the offline Swagger UI / ReDoc pages."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem
from app.core.models import MAX_ID

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"

DESCRIPTION = """\
Cohesion is the API education networks run their collaboration on: who is in a network, what it
plans to achieve, how far it has got, and the evidence for it.

* **Log in**: press *Authorize* and enter an email and password (the demo chair is
  `chair@nonetwork.example` / `cohesion-demo`), or `POST /api/v1/auth/token`.
* **Lists** are cursor-paginated: pass `next_cursor` back as `cursor`.
* **Writes**: `PATCH` and `DELETE` need `If-Match` with the `ETag` you read; `POST` accepts an
  `Idempotency-Key`.
* **Errors** are `application/problem+json` (RFC 9457).
* **Rate limits**: each caller (token subject, or client IP without a token) has a budget;
  `RateLimit-Policy` and `RateLimit` headers show it, and over it the answer is `429` with
  `Retry-After`. Log-ins have a stricter budget per IP and per account.
"""


def _problem_everywhere(schema: dict[str, Any]) -> None:
    """Every 4xx/5xx answer is problem+json; drop FastAPI's own validation-error shapes."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            # Generated clients show the description as the method's doc comment.
            operation.setdefault("description", _summary_sentence(operation))
            for code, response in operation.get("responses", {}).items():
                if code[0] in "45":
                    response["content"] = {
                        PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(
        {
            name: value
            for name, value in Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            .get("$defs", {})
            .items()
        }
    )
    # File fields: OpenAPI 3.1's contentMediaType alone makes client generators send a string.
    for schema_ in components.values():
        for prop in schema_.get("properties", {}).values():
            if prop.get("contentMediaType") == "application/octet-stream":
                prop["format"] = "binary"
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem.pop("$defs", None)
    components["Problem"] = problem


RATE_LIMIT_HEADERS: dict[str, Any] = {
    "Retry-After": {
        "description": "Seconds until the budget is renewed.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Policy": {
        "description": 'The budget, e.g. `"principal";q=10000;w=60` (draft-ietf-httpapi-'
        "ratelimit-headers): q requests per w seconds.",
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left of it, e.g. `"principal";r=0;t=42`: r requests remain, '
        "renewed in t seconds.",
        "schema": {"type": "string"},
    },
}


def _rate_limited(schema: dict[str, Any]) -> None:
    """Every API operation may answer 429 (app/core/ratelimit.py), with its headers."""
    headers = schema.setdefault("components", {}).setdefault("headers", {})
    headers.update(RATE_LIMIT_HEADERS)
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in item.values():
            response = operation.setdefault("responses", {}).setdefault(
                "429", {"description": "Rate limit exceeded; retry after `Retry-After` seconds."}
            )
            response["content"] = {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
            response["headers"] = {
                name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS
            }


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def _integer_bounds(node: Any) -> None:
    """FastAPI's OpenAPI model stores bounds as floats: 2^63 - 1 comes out as 2^63, a bound no
    client can send. Integer schemas get their integer bounds back (the largest is MAX_ID)."""
    if isinstance(node, list):
        for item in node:
            _integer_bounds(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "integer":
        for key in _BOUNDS:
            value = node.get(key)
            if isinstance(value, float):
                if value == float(MAX_ID):
                    node[key] = MAX_ID
                elif value.is_integer():
                    node[key] = int(value)
    for value in node.values():
        _integer_bounds(value)


def _if_match_required(schema: dict[str, Any]) -> None:
    """If-Match is optional to FastAPI, so that its absence is a 428 (not a 422), but every
    operation that takes it refuses to run without it: documented as required."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                    parameter["required"] = True
                    options = parameter["schema"].pop("anyOf", None)
                    if options:
                        parameter["schema"].update(
                            next(o for o in options if o != {"type": "null"})
                        )


@dataclass(frozen=True)
class OperationFacts:
    """What the application knows about one operation, for its description.

    ``who``: who may call it; ``changes``: what it changes (for a read: nothing); ``errors``:
    for some statuses, when this operation answers them (the others get the generic line).
    """

    who: str
    changes: str
    errors: Mapping[str, str] = field(default_factory=dict)


# Given the route and its OpenAPI operation, the facts (None: leave the operation alone).
Describer = Callable[[Any, dict[str, Any]], OperationFacts | None]


def _summary_sentence(operation: dict[str, Any]) -> str:
    return str(operation.get("summary", "")).rstrip(".") + "."


def _handwritten(operation: dict[str, Any]) -> str:
    """The description a route wrote itself, when it says more than the summary."""
    text = str(operation.get("description") or "").strip()
    if not text or text.rstrip(".") == str(operation.get("summary", "")).strip().rstrip("."):
        return ""
    return text


def _parameter_names(operation: dict[str, Any], where: str) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == where]


def _things(operation: dict[str, Any]) -> str:
    """The objects the path names: "the plan", "the network or the webhook"."""
    names = [
        "the " + name.removesuffix("_id").removesuffix("_uuid").replace("_", " ")
        for name in _parameter_names(operation, "path")
    ]
    return " or ".join(names) if names else ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:].rstrip(".") + "."


def _generic_when(code: str, operation: dict[str, Any], declared: str) -> str:
    """When an operation answers ``code``, from what its parameters and body say."""
    queries = _parameter_names(operation, "query")
    headers = _parameter_names(operation, "header")
    idempotent = "Idempotency-Key" in headers
    if code == "400":
        reasons = []
        if "requestBody" in operation:
            reasons.append("the body is not well-formed (JSON or form)")
        if "cursor" in queries:
            reasons.append("`cursor` did not come from this list")
        if "sort" in queries:
            reasons.append("`sort` names a field the list cannot sort by")
        return _sentence("; ".join(reasons)) if reasons else declared
    if code == "401":
        return (
            "No bearer token, or it is invalid or expired (answered with "
            "`WWW-Authenticate: Bearer`)."
        )
    if code == "403":
        return "You can see it, but you may not do this."
    if code == "404":
        things = _things(operation)
        if not things:
            return declared
        return _sentence(f"{things} does not exist, is deleted, or is not visible to you")
    if code == "409":
        return declared.rstrip(".") + (
            "; or a request with the same `Idempotency-Key` is still in flight."
            if idempotent
            else "."
        )
    if code == "412":
        return "`If-Match` is not the current `ETag`: it changed since you read it; read it again."
    if code == "422":
        return (
            "A field or parameter is missing, of the wrong type or out of bounds (`errors` "
            "lists each)"
            + (
                "; or the `Idempotency-Key` was used before with another body."
                if idempotent
                else "."
            )
        )
    if code == "428":
        return "`If-Match` is missing: send the `ETag` you read."
    return declared


def _description(operation: dict[str, Any], facts: OperationFacts) -> str:
    parts = [_handwritten(operation) or _summary_sentence(operation)]
    parts.append(f"**Who may call:** {facts.who}")
    parts.append(f"**Changes:** {facts.changes}")
    errors = []
    for code, response in sorted(operation.get("responses", {}).items()):
        if code[0] not in "45":
            continue
        when = facts.errors.get(code) or _generic_when(
            code, operation, str(response.get("description", ""))
        )
        errors.append(f"- `{code}`: {when}")
    if errors:
        parts.append("**Errors:**\n" + "\n".join(errors))
    return "\n\n".join(parts)


def _route_contexts(routes: Any) -> Iterator[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older versions flatten them into app.routes
        yield from routes
        return
    yield from iter_route_contexts(routes)


def _describe_operations(schema: dict[str, Any], routes: Any, describe: Describer) -> None:
    """Each operation's description says who may call it, what it changes and when it fails,
    after whatever the route wrote itself."""
    by_operation = {}
    for route in _route_contexts(routes):
        for method in getattr(route, "methods", None) or ():
            by_operation[(getattr(route, "path_format", None), method.lower())] = route
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            route = by_operation.get((path, method))
            facts = describe(route, operation) if route is not None else None
            if facts is not None:
                operation["description"] = _description(operation, facts)


def _examples(schema: dict[str, Any], examples: Mapping[str, Any]) -> None:
    """Realistic example values on the component schemas that have one."""
    components = schema.get("components", {}).get("schemas", {})
    for name, example in examples.items():
        if name in components:
            components[name]["examples"] = [example]


def install_openapi(
    app: FastAPI,
    *,
    describe: Describer | None = None,
    examples: Mapping[str, Any] | None = None,
) -> None:
    """The app's OpenAPI document. ``describe`` and ``examples`` are what the application
    knows about its operations and schemas (core knows no domain): see app/operation_docs.py."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                contact=app.contact,
                license_info=app.license_info,
            )
            _problem_everywhere(schema)
            if getattr(app.state, "ratelimiter", None) is not None:
                _rate_limited(schema)
            _integer_bounds(schema)
            _if_match_required(schema)
            if describe is not None:
                _describe_operations(schema, app.routes, describe)
            if examples:
                _examples(schema, examples)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# The docs pages load nothing from outside this server (ReDoc's bundle links a CDN logo).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'"
)


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc, with their assets served by the app."""
    app.mount(ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _local_only(
            get_swagger_ui_html(
                openapi_url="/openapi.json",
                title=f"{app.title} — Swagger UI",
                swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
                # No validator badge: it would call validator.swagger.io from the reader's browser.
                swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _local_only(
            get_redoc_html(
                openapi_url="/openapi.json",
                title=f"{app.title} — ReDoc",
                redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
