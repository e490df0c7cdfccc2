"""Keyset (cursor) pagination shared by every list.

A cursor is an opaque, URL-safe token holding the sort values of the last item returned and
the sort it belongs to; the next page is ``WHERE (sort keys) > (those values)``, so page 10,000
costs what page 1 costs. ``limit`` defaults to 50 and is at most 200.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import BadRequest

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
    """An ordering; the last key must be unique (the id) so the order is total."""

    keys: tuple[SortKey, ...]

    @property
    def signature(self) -> str:
        return ",".join(("-" if k.descending else "") + k.name for k in self.keys)


def sort_from_param(
    value: str | None, allowed: dict[str, Any], id_column: Any, default: str = "id"
) -> Sort:
    """Turn ``?sort=-name`` into a Sort over ``allowed`` columns, with id as the tiebreaker."""
    spec = value or default
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


def _decode_value(raw: Any, column: Any) -> Any:
    try:
        python_type = column.type.python_type
    except (AttributeError, NotImplementedError):
        return raw
    if python_type is datetime and isinstance(raw, str):
        return datetime.fromisoformat(raw)
    if python_type is date and isinstance(raw, str):
        return date.fromisoformat(raw)
    if (python_type is int and not isinstance(raw, int)) or isinstance(raw, bool):
        raise ValueError("bad int")
    if python_type is str and not isinstance(raw, str):
        raise ValueError("bad str")
    return raw


def encode_cursor(sort: Sort, values: Sequence[Any]) -> str:
    payload = json.dumps({"s": sort.signature, "v": [_encode_value(v) for v in values]})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _bad_cursor() -> BadRequest:
    return BadRequest(
        "the cursor is not valid for this list; start again without one",
        errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "cursor_invalid"}],
    )


def decode_cursor(sort: Sort, cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(payload, dict) or payload.get("s") != sort.signature:
            raise ValueError("cursor belongs to another sort")
        raw = payload["v"]
        if not isinstance(raw, list) or len(raw) != len(sort.keys):
            raise ValueError("wrong arity")
        values = [_decode_value(v, k.column) for v, k in zip(raw, sort.keys, strict=True)]
        if any(v is None for v in values):
            raise ValueError("null in cursor")
        return values
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
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


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    scalars: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` in ``sort`` order and the cursor of the next page."""
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
