"""A check of our own, loaded by both Schemathesis runs (``hooks`` in schemathesis.toml).

``schemathesis.toml`` lets a schema-valid request be answered 422, because the API answers 422
for rules the schema cannot state: a referenced object that does not exist, `to` before `from`.
Services say so with their own detail (an AppError); validators raise ValueError (pydantic's
error type ``value_error``). Any other error of request validation itself ("the request is not
valid") on a schema-valid request means the documented schema and the validator disagree (a
length, a bound, a pattern, a format, a null): that is a failure.

Three slips of the generator are not disagreements: it reads `pattern` with Python's `re`, where
`$` also matches before a final newline (OpenAPI patterns are ECMA-262: it does not); it may put
lone UTF-16 surrogates in strings, which no UTF-8 text can hold; and it sometimes makes a string
its own pattern refuses.
"""

import re
from typing import Any

import schemathesis
from schemathesis.generation import GenerationMode

# A control character in a string the schema leaves free (a free-form object's values, a text
# type of a domain's own) is refused by Body for every string (app/core/schemas.py); the shared
# text types document it as their pattern.
RULE_TYPES = {"value_error", "string_control_character"}
VALIDATION_DETAIL = "the request is not valid"  # app/core/errors.py, for RequestValidationError


def _value_at(case: schemathesis.Case, loc: list[Any]) -> Any:
    containers = {"body": case.body, "query": case.query, "path": case.path_parameters}
    if not loc or loc[0] not in containers:
        return None
    value = containers[loc[0]]
    for part in loc[1:]:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


_PATTERN_MSG = re.compile(r"String should match pattern '(.*)'", re.DOTALL)


def _generator_quirk(case: schemathesis.Case, error: dict[str, Any]) -> bool:
    value = _value_at(case, error.get("loc", []))
    if not isinstance(value, str):
        return False
    if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        return True
    if error.get("type") != "string_pattern_mismatch":
        return False
    if value.endswith("\n"):
        return True
    # The generator sometimes breaks its own pattern (e.g. U+0085, a space to Python's `\s`, for
    # `\S`): a value the pattern refuses in Python too is the generator's error, not ours.
    found = _PATTERN_MSG.search(str(error.get("msg", "")))
    return found is not None and re.search(found.group(1), value) is None


@schemathesis.check
def schema_valid_request_passes_validation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    meta = case.meta
    if meta is None or meta.generation.mode is not GenerationMode.POSITIVE:
        return None
    if response.status_code != 422:
        return None
    try:
        problem = response.json()
    except ValueError:
        return None
    if problem.get("detail") != VALIDATION_DETAIL:
        return None
    errors = problem.get("errors") or []
    disagreements = [
        error
        for error in errors
        if isinstance(error, dict)
        and error.get("type") not in RULE_TYPES
        and not _generator_quirk(case, error)
    ]
    if disagreements:
        raise AssertionError(
            f"a schema-valid request failed request validation: {disagreements[:3]}"
        )
    return True
