"""``shape``: a read model's JSON from plain values, the same bytes the model would give."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pydantic_core
import pytest
from pydantic import BaseModel, Field, model_validator

from app.core.answers import shape, shaper


class Colour(StrEnum):
    red = "red"
    green = "green"


class Leaf(BaseModel):
    colour: Colour = Field(description="An enum.")
    weight: float | None = Field(description="A float.")


class Node(BaseModel):
    id: int
    name: str
    on: date | None
    at: datetime
    colour: Colour = Colour.green
    leaves: list[Leaf]
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] | None = None
    children: list["Node"] = Field(default_factory=list)


def _reference(data: dict[str, Any]) -> bytes:
    return Node.model_validate(data).model_dump_json().encode()


def test_a_shaped_answer_is_the_models_json() -> None:
    data: dict[str, Any] = {
        "id": 3,
        "name": 'Ä ✓ "quoted"',
        "on": date(2022, 1, 31),
        "at": datetime(2026, 12, 3, 19, 0, 1, 123456, tzinfo=UTC),
        "leaves": [{"colour": "red", "weight": 5}, Leaf(colour=Colour.green, weight=None)],
        "extra": {"a": [1, 2.5]},
        "ignored": "not a field",
        "children": [
            {
                "id": 4,
                "name": "child",
                "on": None,
                "at": datetime(2026, 1, 1, tzinfo=UTC),
                "colour": Colour.red,
                "leaves": [],
            }
        ],
    }
    assert pydantic_core.to_json(shape(Node, data)) == _reference(data)
    # Ints given for floats are floats, enums their values, defaults filled in.
    shaped = shape(Node, data)
    assert shaped["leaves"][0] == {"colour": "red", "weight": 5.0}
    assert isinstance(shaped["leaves"][0]["weight"], float)
    assert shaped["colour"] == "green" and shaped["tags"] == []
    assert "ignored" not in shaped
    assert list(shaped) == list(Node.model_fields)


def test_what_cannot_be_shaped_is_refused() -> None:
    with pytest.raises(KeyError, match=r"Node\.name"):
        shape(Node, {"id": 1, "on": None, "at": datetime.now(UTC), "leaves": []})
    with pytest.raises(KeyError):
        shape(Leaf, {"colour": "blue", "weight": 1.0})  # not a Colour

    class Checked(BaseModel):
        n: int

        @model_validator(mode="after")
        def _check(self) -> "Checked":
            return self

    with pytest.raises(TypeError, match="validators"):
        shaper(Checked)

    class Mutable(BaseModel):
        items: list[int] = []

    with pytest.raises(TypeError, match="mutable default"):
        shaper(Mutable)
