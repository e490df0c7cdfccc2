"""Column conventions shared by every table: ids, versions, timestamps, soft delete."""

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import Path
from pydantic import Field as PydanticField
from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
IdType = BigInteger().with_variant(Integer(), "sqlite")
JSONType = JSON()

Id = Annotated[int, PydanticField(ge=1, le=MAX_ID, description="An integer id.")]


def path_id(name: str) -> Any:
    """A bounded integer id in a path (an id of 2^63 is a 422, never a 500)."""
    return Path(ge=1, le=MAX_ID, description=f"The {name} id.", examples=[1])


class IdMixin(SQLModel):
    id: int | None = Field(default=None, primary_key=True, sa_type=IdType)


class TimestampMixin(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        index=True,
        sa_column_kwargs={"onupdate": utcnow},
    )


class VersionMixin(SQLModel):
    """An optimistic-lock counter: SQLAlchemy adds ``WHERE version = :old`` to every UPDATE,
    so a write racing another one fails with StaleDataError (a 412) rather than losing data."""

    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class SoftDeleteMixin(SQLModel):
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class RecordMixin(IdMixin, TimestampMixin, VersionMixin):
    """An editable record: id, created/updated timestamps and a version."""


def columns_of(row: Any) -> dict[str, Any]:
    """``row.model_dump()`` of a loaded table row, read straight from the instance.

    SQLModel's ``model_dump`` runs pydantic's serializer over every field (≈ 80 µs a row on
    this machine), which on a 1,000-objective tree cost more than loading the rows. A read
    model validates the values again anyway; this only hands them over."""
    if not isinstance(row, SQLModel):  # columns read without the ORM, as attributes
        return dict(vars(row))
    loaded = row.__dict__
    return {
        name: loaded[name] if name in loaded else getattr(row, name)
        for name in type(row).model_fields
    }


class Columns(SimpleNamespace):
    """A row's columns as attributes, read without the ORM, for code that only reads them
    (judging measures, listing what needs attention): a thousand ORM objects cost more than
    what is done with them. ``columns_of`` reads it like a model."""

    __tablename__: str


_VIEWS: dict[str, type[Columns]] = {}


def column_views(model: Any, rows: Iterable[Any]) -> list[Any]:
    """``rows`` (of ``select(*model.__table__.columns)``) as ``Columns`` of ``model``'s table
    (with its ``__tablename__``, which translations look up)."""
    name = model.__tablename__
    view = _VIEWS.get(name)
    if view is None:
        view = _VIEWS[name] = type(f"{model.__name__}Columns", (Columns,), {"__tablename__": name})
    return [view(**row._mapping) for row in rows]
