"""Error responses declared on routes, so the OpenAPI document lists them."""

from typing import Any

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, bad cursor or sort).",
    401: "Missing, invalid or expired bearer token.",
    403: "Authenticated, but not allowed.",
    404: "Not found, or not visible to you.",
    406: "None of the media types in `Accept` can be produced.",
    409: "Conflicts with the current state.",
    412: "If-Match names an old version.",
    413: "Body too large.",
    422: "The request is not valid.",
    428: "If-Match is required.",
    429: "Rate limit exceeded; retry after `Retry-After` seconds.",
    503: "Database unavailable; retry.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error statuses, as problem+json."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


READ = problems(401, 404, 422)
LIST = problems(400, 401, 422)
CREATE = problems(400, 401, 403, 404, 409, 413, 422)
UPDATE = problems(400, 401, 403, 404, 409, 412, 413, 422, 428)
DELETE = problems(401, 403, 404, 409, 412, 428)
ACTION = problems(400, 401, 403, 404, 409, 413, 422)
# Routes that read an uploaded document (app/core/uploads.py).
UPLOAD_CREATE = {
    **CREATE,
    413: {
        **CREATE[413],
        "description": "Body too large, or the document expands past a cap or was not read in "
        "time; `detail` names the setting (see docs/uploads.md).",
    },
    **problems(503),
}
