"""Base classes and field types shared by every request body."""

import re
from datetime import UTC, date, datetime
from functools import cache
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

T = TypeVar("T")


# Text in request bodies: every string a client sends has a documented maximum length (resource
# limits; tests/test_openapi.py walks the schema). The sizes live here, once; columns match them.
# Required text is stripped, so it must hold a non-space character: documented as pattern \S.
#
# No text holds a control character other than tab, line feed and carriage return: PostgreSQL
# cannot store NUL (SQLite can: the two would differ) and XML (XLSX exports) none of them. Body
# refuses them in every string it is sent (422); the shared types document it as their pattern.
# Single-line text (names, titles, short lines, codes) holds no line break either (stripped
# first, so a trailing newline pasted from a spreadsheet is dropped, not refused).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "control characters (other than tab, line feed, carriage return) are not allowed"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
REQUIRED_TEXT_PATTERN = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
)
LINE_PATTERN = r"^[^\x00-\x08\x0a-\x1f\x7f]*$"
REQUIRED_LINE_PATTERN = r"^[^\x00-\x08\x0a-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0a-\x1f\x7f]*$"

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, pattern=REQUIRED_LINE_PATTERN, max_length=200
    ),
]
"""A person's, network's or organisation's name."""
Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, pattern=REQUIRED_LINE_PATTERN, max_length=300
    ),
]
"""The title of a plan, objective, community, opportunity…"""
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=LINE_PATTERN, max_length=200)
]
"""A short optional line: a region, a territory, a local authority."""
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=TEXT_PATTERN, max_length=300)
]
"""A short optional text: a focus, a venue, a label (imported from spreadsheet cells, whose
line breaks it keeps)."""
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=TEXT_PATTERN, max_length=500)
]
"""A remark on a record."""
Statement = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, pattern=REQUIRED_TEXT_PATTERN, max_length=2000
    ),
]
"""One required sentence or paragraph: a success measure, a partner's role."""
Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN, max_length=10_000)]
"""Free prose: a description, an aim, criteria."""
LongText = Annotated[str, StringConstraints(pattern=TEXT_PATTERN, max_length=20_000)]
"""Longer prose: minutes, an agreement's terms."""


def holds_control_characters(value: Any) -> bool:
    """Whether ``value`` (JSON: text, or lists and objects holding text) has a control character
    other than tab, line feed and carriage return."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.search(value) is not None
    if isinstance(value, list | tuple):
        return any(holds_control_characters(item) for item in value)
    if isinstance(value, dict):
        return any(
            holds_control_characters(key) or holds_control_characters(item)
            for key, item in value.items()
        )
    return False


def refuse_control_characters(value: Any) -> Any:
    """A before-validator for every field of an input model (Body does it for its own)."""
    if holds_control_characters(value):
        raise PydanticCustomError("string_control_character", CONTROL_MESSAGE)
    return value


_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


class HttpUrlText:
    """An http(s) URL, parsed as a browser would (WHATWG) and kept in its normal form (host in
    lower case and punycode, default port dropped, path at least ``/``, spaces %-encoded): a
    plain string in the database, ``format: uri`` in the schema. A client may send at most
    ``max_length`` characters (the documented ``maxLength``); its normal form may be longer
    (a ``/`` added, characters %-encoded: at most three times as long for an ASCII URL) and is
    stored whole up to ``stored`` characters (the column's size, four times ``max_length`` unless
    given), so a URL the schema allows is never refused for what normalising added. Use as
    ``Annotated[str, HttpUrlText(500)]``."""

    def __init__(self, max_length: int, stored: int | None = None) -> None:
        self.max_length = max_length
        self.stored = stored if stored is not None else 4 * max_length

    def parse(self, value: Any) -> str:
        if not isinstance(value, str):
            raise PydanticCustomError("url_type", "write the URL as a string")
        too_long = PydanticCustomError("url_too_long", f"at most {self.max_length} characters")
        if len(value) > self.max_length:
            raise too_long
        try:
            normal = str(_HTTP_URL.validate_python(value))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            raise PydanticCustomError("url_parsing", f"not an http(s) URL: {reason}") from None
        if len(normal) > self.stored:
            raise PydanticCustomError(
                "url_too_long", f"its normal form is over {self.stored} characters"
            )
        return normal

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.parse)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "uri", "minLength": 1, "maxLength": self.max_length}


Url = Annotated[str, HttpUrlText(2000)]
"""An http(s) link."""


def _json_kind(annotation: Any) -> type | None:
    """``bool`` or ``int``/``float`` when a field holds only that (or null), else None."""
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    kinds = {
        get_args(arg)[0] if get_origin(arg) is Annotated else arg
        for arg in args
        if arg is not type(None)
    }
    if kinds == {bool}:
        return bool
    if kinds and kinds <= {int, float}:
        return float
    return None


class Body(BaseModel):
    """Base of every request body: unknown fields are refused (422), numbers and booleans must
    be JSON numbers and booleans, as documented (pydantic alone would also take ``"1"`` for 1 and
    ``"yes"`` for true, so two clients could send one value two ways), and no string anywhere in
    it holds a control character other than tab, line feed and carriage return."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        refuse_control_characters(value)
        kind = _json_kinds(cls).get(info.field_name)
        if kind is bool and not isinstance(value, bool):
            raise PydanticCustomError("bool_type", "write true or false")
        if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise PydanticCustomError("number_type", "write a number (not in quotes)")
        return value


@cache
def _json_kinds(model: type[BaseModel]) -> dict[str, type]:
    kinds = {name: _json_kind(field.annotation) for name, field in model.model_fields.items()}
    return {name: kind for name, kind in kinds.items() if kind is not None}


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but not set to null")
    return value


class _DocumentedNotNull:
    """The documented shape of a Keep field: its value's schema, without null."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        options = schema.get("anyOf")
        if not options:
            return schema
        kept = [option for option in options if option != {"type": "null"}]
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        if len(kept) == 1 and "$ref" not in kept[0]:
            return {**kept[0], **rest}
        return {"anyOf": kept, **rest}


# A PATCH field that may be omitted but not cleared (its column is required).
NotNull = AfterValidator(_not_null)
Keep = Annotated[T | None, NotNull, _DocumentedNotNull()]


def _to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}.*")


def _written_day(value: Any) -> Any:
    """Only what the schema documents (format: date): pydantic would also take a number of
    seconds since 1970, so `0` or `"0"` would be read as 1 January 1970."""
    if (isinstance(value, str) and _DAY.fullmatch(value)) or isinstance(value, date):
        return value
    raise PydanticCustomError("date_format", "write a date as YYYY-MM-DD")


def _written_instant(value: Any) -> Any:
    """Only an RFC 3339 timestamp (format: date-time), never a number of seconds."""
    if (isinstance(value, str) and _INSTANT.fullmatch(value)) or isinstance(value, datetime):
        return value
    raise PydanticCustomError(
        "datetime_format", "write a timestamp as YYYY-MM-DDTHH:MM:SS with an offset, e.g. Z"
    )


# A day, written YYYY-MM-DD (in a body or a query).
Day = Annotated[date, BeforeValidator(_written_day)]

# A timestamp in a body: read as UTC when it has no offset, and always answered in UTC.
UTCDatetime = Annotated[datetime, BeforeValidator(_written_instant), AfterValidator(_to_utc)]


class EndBody(Body):
    """When a span (a role, a link) ends; an empty body ends it now."""

    until: UTCDatetime | None = Field(
        default=None, description="End (UTC when no offset is given); defaults to now."
    )
