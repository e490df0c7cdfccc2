"""One error vocabulary, rendered as RFC 9457 problem+json by one set of handlers."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://cohesion.local/problems/"

log = logging.getLogger("cohesion.errors")


class ValidationIssue(BaseModel):
    """One thing wrong with a request."""

    loc: list[str | int] = Field(description="Where: body/query/path/header, then field names.")
    msg: str = Field(description="What is wrong, in words.")
    type: str = Field(description="A stable machine-readable code.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "https://cohesion.local/problems/not-found",
                "title": "Not Found",
                "status": 404,
                "detail": "network 42 does not exist or is not visible to you",
                "instance": "/api/v1/networks/42",
            }
        }
    )

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong this time.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[ValidationIssue] | None = Field(
        default=None, description="For validation problems: every issue found."
    )


class AppError(Exception):
    """An error a client can act on; subclasses fix the status."""

    status = 400
    slug = "bad-request"
    headers: dict[str, str] | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        if headers is not None:
            self.headers = headers


class BadRequest(AppError):
    status, slug = 400, "bad-request"


class Unauthorized(AppError):
    status, slug = 401, "unauthorized"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status, slug = 403, "forbidden"


class NotFound(AppError):
    status, slug = 404, "not-found"


class NotAcceptable(AppError):
    status, slug = 406, "not-acceptable"


class Conflict(AppError):
    status, slug = 409, "conflict"


class PreconditionFailed(AppError):
    status, slug = 412, "precondition-failed"


class PayloadTooLarge(AppError):
    status, slug = 413, "payload-too-large"


class Unprocessable(AppError):
    status, slug = 422, "validation-error"


class PreconditionRequired(AppError):
    status, slug = 428, "precondition-required"


class TooManyRequests(AppError):
    status, slug = 429, "too-many-requests"


class ServiceUnavailable(AppError):
    status, slug = 503, "service-unavailable"
    headers = {"Retry-After": "1"}


def problem_response(
    request: Request,
    status: int,
    *,
    slug: str,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render a problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _clean_errors(raw: list[Any]) -> list[dict[str, Any]]:
    """Pydantic's error list without the echoed input (it may hold secrets) or urls."""
    cleaned = []
    for err in raw:
        msg = str(err.get("msg", ""))
        ctx = err.get("ctx") or {}
        if "error" in ctx and isinstance(ctx["error"], Exception):
            msg = msg or str(ctx["error"])
        cleaned.append(
            {"loc": [p for p in err.get("loc", ())], "msg": msg, "type": str(err.get("type"))}
        )
    return cleaned


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        request,
        exc.status,
        slug=exc.slug,
        detail=exc.detail,
        errors=exc.errors,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(list(exc.errors()))
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(
            request, 400, slug="malformed-json", detail="the body is not valid JSON", errors=errors
        )
    return problem_response(
        request, 422, slug="validation-error", detail="the request is not valid", errors=errors
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    slug = HTTPStatus(status).phrase.lower().replace(" ", "-")
    detail = exc.detail if isinstance(exc.detail, str) else None
    if status == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}"
    headers = dict(exc.headers) if exc.headers else None
    if status == 405:
        # Starlette names only the first route matching the path; the path may have several.
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
    return problem_response(request, status, slug=slug, detail=detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path."""
    table = getattr(request.app.state, "allow_table", None)
    if table is None:
        table = request.app.state.allow_table = _route_table(request.app.routes)
    path = request.url.path
    return sorted({method for regex, methods in table if regex.match(path) for method in methods})


def _route_table(routes: Any) -> list[tuple[Any, set[str]]]:
    try:  # FastAPI versions that keep included routers nested
        from fastapi.routing import iter_route_contexts

        routes = list(iter_route_contexts(routes))
    except ImportError:  # pragma: no cover - older versions flatten them into app.routes
        pass
    return [
        (compile_path(route.path)[0], set(route.methods))
        for route in routes
        if getattr(route, "methods", None) and getattr(route, "path", None)
    ]


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error turned into 409: %s", type(exc).__name__)
    return problem_response(
        request,
        409,
        slug="conflict",
        detail="the change conflicts with existing data (a duplicate or a missing reference)",
    )


async def _stale_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        412,
        slug="precondition-failed",
        detail="the resource was changed by someone else; read it again and retry",
    )


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database refused a value: %s", exc)
    return problem_response(
        request, 422, slug="validation-error", detail="a value is out of range for its field"
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem_response(
        request,
        503,
        slug="service-unavailable",
        detail="the database is unavailable or busy; retry shortly",
        headers={"Retry-After": "1"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(
        request, 500, slug="internal-error", detail="an unexpected error occurred; it was logged"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error, ours and the framework's, a problem+json response."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    # No free connection in the pool within its timeout: the database is busy, not us broken.
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected)
