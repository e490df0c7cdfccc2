"""Base classes and field types shared by every request body."""

from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict

T = TypeVar("T")


class Body(BaseModel):
    """Base of every request body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but not set to null")
    return value


# A PATCH field that may be omitted but not cleared (its column is required).
NotNull = AfterValidator(_not_null)
Keep = Annotated[T | None, NotNull]


def _to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A timestamp in a body: read as UTC when it has no offset, and always answered in UTC.
UTCDatetime = Annotated[datetime, AfterValidator(_to_utc)]
