"""Base classes and field types shared by every request body."""

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
