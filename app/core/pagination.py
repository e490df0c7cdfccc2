"""Keyset (cursor) pagination shared by every list.

A cursor is an opaque, URL-safe, signed token holding the sort values of the last item returned
and the sort it belongs to (a cursor the API did not issue is a ``400``, before it is read); the
next page is ``WHERE (sort keys) > (those values)``, so page 10,000
costs what page 1 costs. ``limit`` defaults to 50 and is at most 200.

Incremental sync lives here too: every list takes ``updated_since`` (``SyncQuery``) and hands it
to ``paginate``, which then returns the rows changed at or after that instant, soft-deleted
ones included as tombstones, in (updated_at, id) order with a cursor of its own. Lists leave
soft-deleted rows of the listed table to ``paginate``: it hides them unless syncing.
"""

import base64
import binascii
import enum
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    StrictBool,
    TypeAdapter,
)
from sqlalchemy import BigInteger, ColumnElement, Integer, Select, SmallInteger, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import BadRequest
from app.core.schemas import Day

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description="How many items per page (1-200).")
]
CursorQuery = Annotated[
    str | None,
    Query(max_length=1000, description="The `next_cursor` of the previous page."),
]


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(description="This page's items.")
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last."
    )


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    column: Any  # an InstrumentedAttribute or column expression
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Sort:
    """An ordering; the last key must be unique (the id) so the order is total.

    ``kind`` tells cursors of orderings over the same columns apart (a sync's cursor is not
    valid for ``?sort=updated_at``, whose rows differ)."""

    keys: tuple[SortKey, ...]
    kind: str = ""

    def __post_init__(self) -> None:
        for key in self.keys:
            _key_kind(key.column)  # a sort key's cursor values must have a validator

    @property
    def signature(self) -> str:
        keys = ",".join(("-" if k.descending else "") + k.name for k in self.keys)
        return f"{self.kind}:{keys}" if self.kind else keys


def sort_from_param(
    value: str | None, allowed: dict[str, Any], id_column: Any, default: str = "id"
) -> Sort:
    """Turn ``?sort=-name`` into a Sort over ``allowed`` columns, with id as the tiebreaker."""
    spec = default if value is None else value  # an empty ``sort=`` is no field: 400
    name = spec.lstrip("-")
    if name == "id":
        return Sort((SortKey("id", id_column, spec.startswith("-")),))
    if name not in allowed:
        choices = ", ".join(sorted({"id", *allowed}))
        raise BadRequest(
            f"cannot sort by {name!r}; choose one of: {choices} (prefix with - to reverse)",
            errors=[
                {
                    "loc": ["query", "sort"],
                    "msg": f"unknown sort field {name!r}",
                    "type": "sort_invalid",
                }
            ],
        )
    desc = spec.startswith("-")
    return Sort((SortKey(name, allowed[name], desc), SortKey("id", id_column, desc)))


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("not an RFC 3339 date-time such as 2026-11-29T10:00:00Z")
    return value


def _as_utc(value: datetime) -> datetime:
    """Naive values are read as UTC, as they are in bodies."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the date-time is out of range") from exc


# --- decoding: a cursor is client input ----------------------------------------------------
#
# A cursor is not signed: it holds only the sort values of a row the caller was shown, and the
# next page is still the caller's own query (visibility, filters) after that position, so a
# hand-made cursor can only start the list somewhere the caller could page to anyway. What it
# must never do is reach the database with a value of another type or range (a 500 from the
# driver, or a different error on each database): each value is validated strictly against its
# sort key's type, and anything else is the one 400 below.


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL in text")
    value.encode()  # UnicodeEncodeError (a ValueError) for a lone surrogate
    return value


def _instant_text(value: Any) -> Any:
    # Only what encode_cursor writes (isoformat), never a number of seconds.
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("not an RFC 3339 date-time")
    return value


def _integer(bits: int) -> Any:
    return Annotated[int, Strict(), Field(ge=-(2 ** (bits - 1)), le=2 ** (bits - 1) - 1)]


# The value of each kind of sort key, as a cursor may hold it. Integers are bounded by their
# column's size (PostgreSQL refuses a bigger parameter), floats are finite, text is UTF-8
# without NUL, dates and times are written as encode_cursor writes them.
_INT_BITS: tuple[tuple[type[Integer], int], ...] = (
    (SmallInteger, 16),
    (BigInteger, 64),
    (Integer, 32),
)
_KINDS: dict[type, Any] = {
    bool: TypeAdapter(StrictBool),
    float: TypeAdapter(Annotated[float, Strict(), Field(allow_inf_nan=False)]),
    str: TypeAdapter(Annotated[str, Strict(), AfterValidator(_text)]),
    datetime: TypeAdapter(
        Annotated[datetime, BeforeValidator(_instant_text), AfterValidator(_as_utc)]
    ),
    date: TypeAdapter(Day),
}


@cache
def _int_kind(bits: int) -> TypeAdapter[int]:
    return TypeAdapter(_integer(bits))


def _key_kind(column: Any) -> TypeAdapter[Any]:
    """The validator of ``column``'s values in a cursor (a programming error when the column's
    type has none: every sort key's type must be listed above)."""
    # A TypeDecorator (UTCDateTime) reports ``object``: ask the type it decorates.
    column_type = getattr(column.type, "impl_instance", column.type)
    if isinstance(column_type, Integer):
        bits = next(size for kind, size in _INT_BITS if isinstance(column_type, kind))
        return _int_kind(bits)
    python_type = column_type.python_type
    if issubclass(python_type, enum.Enum):
        python_type = str
    kind = _KINDS.get(python_type)
    if kind is None:
        raise TypeError(f"no cursor kind for sort key {column!r} of type {python_type!r}")
    return kind


# Cursors are signed, so that a cursor the API did not issue is refused before it is read.
# The key comes from the settings (``configure_cursor_key`` at app creation: derived from the
# newest data key, so every process of a deployment shares it); until then, a random key of
# this process. Rotating the data keys makes cursors in flight a 400 ("start again").
_cursor_key: list[bytes] = [secrets.token_bytes(32)]
_MAC_BYTES = 16


def configure_cursor_key(key: bytes) -> None:
    """Sign and check cursors with ``key`` from now on (the process-wide setting)."""
    _cursor_key[0] = hmac.new(key, b"cohesion-cursor-signing", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def _mac(payload: bytes) -> bytes:
    return hmac.new(_cursor_key[0], payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(sort: Sort, values: Sequence[Any]) -> str:
    payload = json.dumps({"s": sort.signature, "v": [_encode_value(v) for v in values]}).encode()
    return f"{_b64(payload)}.{_b64(_mac(payload))}"


def _bad_cursor() -> BadRequest:
    return BadRequest(
        "the cursor is not valid for this list; start again without one",
        errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "cursor_invalid"}],
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def decode_cursor(sort: Sort, cursor: str) -> list[Any]:
    """The sort values in ``cursor``, each of its key's type; a 400 for anything else."""
    kinds = [_key_kind(k.column) for k in sort.keys]
    try:
        body, _, mac = cursor.partition(".")
        raw_payload = _unb64(body)
        if not hmac.compare_digest(_unb64(mac), _mac(raw_payload)):
            raise ValueError("the cursor was not issued by this API")
        payload = json.loads(raw_payload.decode(), parse_constant=_no_constant)
        if not isinstance(payload, dict) or payload.get("s") != sort.signature:
            raise ValueError("cursor belongs to another sort")
        raw = payload["v"]
        if not isinstance(raw, list) or len(raw) != len(sort.keys):
            raise ValueError("wrong arity")
        return [kind.validate_python(v) for v, kind in zip(raw, kinds, strict=True)]
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error) as exc:
        # ValueError covers pydantic's ValidationError, UnicodeError and json's errors.
        raise _bad_cursor() from exc


def _after(sort: Sort, values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in ``sort`` order."""
    clauses = []
    for i, key in enumerate(sort.keys):
        equal = [k.column == v for k, v in zip(sort.keys[:i], values[:i], strict=True)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def order_by(sort: Sort) -> list[Any]:
    return [k.column.desc() if k.descending else k.column.asc() for k in sort.keys]


# --- incremental sync -------------------------------------------------------------------

UpdatedSince = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_as_utc)]

SYNC_DESCRIPTION = (
    "Incremental sync: only items changed at or after this RFC 3339 instant (naive = UTC), "
    "soft-deleted ones included as tombstones (`deleted_at` set), ordered by "
    "(`updated_at`, `id`); cannot be combined with `sort`. Ask again from the newest "
    "`updated_at` you have seen minus a minute (items are idempotent to apply)."
)


def sync_param(
    request: Request,
    updated_since: Annotated[
        UpdatedSince | None,
        Query(description=SYNC_DESCRIPTION, examples=["2026-11-29T10:00:00Z"]),
    ] = None,
) -> datetime | None:
    """The list's ``updated_since``; it fixes the order, so an explicit ``sort`` is refused."""
    if updated_since is not None and "sort" in request.query_params:
        raise BadRequest(
            "updated_since lists in (updated_at, id) order; leave out sort",
            errors=[
                {
                    "loc": ["query", "sort"],
                    "msg": "sort cannot be combined with updated_since",
                    "type": "sort_invalid",
                }
            ],
        )
    return updated_since


SyncQuery = Annotated[datetime | None, Depends(sync_param)]


def _listed_model(stmt: Select[Any]) -> Any:
    entity = stmt.column_descriptions[0].get("entity")
    if entity is None:
        raise RuntimeError("paginate needs a select of one mapped class")
    return entity


def sync_sort(changed: Any, id_column: Any) -> Sort:
    """The order of a sync: change time, then id."""
    return Sort((SortKey(changed.key, changed), SortKey("id", id_column)), kind="sync")


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
    changed: Any = None,
    scalars: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` in ``sort`` order and the cursor of the next page.

    Soft-deleted rows of the listed table are left out, except with ``since``: then the page
    holds the rows whose ``changed`` column (``updated_at`` unless the table is append-only
    and names its own) is at or after ``since``, tombstones included, in sync order.
    ``>=`` rather than ``>``: a row sharing the last seen instant is sent again rather than
    lost."""
    model = _listed_model(stmt)
    deleted_at = getattr(model, "deleted_at", None)
    if since is None:
        if deleted_at is not None:
            stmt = stmt.where(deleted_at.is_(None))
    else:
        changed = changed if changed is not None else getattr(model, "updated_at", None)
        if changed is None:
            raise RuntimeError(f"{model.__name__} has no updated_at: name its change column")
        sort = sync_sort(changed, model.id)
        stmt = stmt.where(changed >= since)
    if cursor:
        stmt = stmt.where(_after(sort, decode_cursor(sort, cursor)))
    stmt = stmt.order_by(*order_by(sort)).limit(limit + 1)
    result = await session.execute(stmt)
    rows = list(result.scalars().all() if scalars else result.all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [getattr(last, k.name) for k in sort.keys]
    return rows, encode_cursor(sort, values)


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    """Add ``Link: <…>; rel="next"`` for the next page."""
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
