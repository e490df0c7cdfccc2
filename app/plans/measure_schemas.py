"""Request and response bodies for measures of success, their targets and readings."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from app.core.pagination import Page
from app.core.schemas import Body, Day, Keep
from app.plans.schemas import (
    MEASURE_KIND_DOC,
    Frequency,
    MeasureKind,
    MeasureStatus,
    Target,
    Value,
)

# --- measures -----------------------------------------------------------------------------


class MeasureCreate(Body):
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=10_000),
    ] = Field(
        description="How the network will know.",
        examples=["Minimum 25 x staff mobilities per annum"],
    )
    kind: MeasureKind | None = Field(default=None, description=MEASURE_KIND_DOC)
    target: Target | None = Field(default=None, description="Where countable, the target.")
    source: Annotated[str, StringConstraints(max_length=40)] = Field(
        default="manual",
        description="`manual` (readings), or a derived source computed from live data: see "
        "GET /api/v1/measure-sources.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Parameters of a derived source (see its schema)."
    )
    update_frequency: Frequency | None = Field(
        default=None, description="For manual measures: how often a reading is expected."
    )
    position: int = Field(default=0, ge=0, le=100_000, description="Order.")


class MeasureUpdate(Body):
    description: Keep[
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, min_length=1, pattern=r"\S", max_length=10_000
            ),
        ]
    ] = Field(default=None, description="How the network will know.")
    kind: Keep[MeasureKind] = Field(
        default=None,
        description="numeric, binary or qualitative. Setting a target without a kind makes "
        "the measure numeric.",
    )
    target: Target | None = Field(default=None, description="Target (null removes it).")
    source: Keep[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default=None, description="Source."
    )
    params: Keep[dict[str, Any]] = Field(default=None, description="Source parameters.")
    update_frequency: Frequency | None = Field(default=None, description="Expected cadence.")
    position: Keep[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default=None, description="Order."
    )


class MeasureRead(BaseModel):
    id: int = Field(description="Measure id.")
    plan_id: int = Field(description="Plan.")
    objective_id: int = Field(description="Objective.")
    description: str = Field(description="How the network will know.")
    kind: MeasureKind = Field(description=MEASURE_KIND_DOC)
    target: Target | None = Field(description="Target, if countable.")
    source: str = Field(description="manual, or a derived source.")
    params: dict[str, Any] = Field(description="Derived-source parameters.")
    update_frequency: Frequency | None = Field(description="Expected cadence (manual).")
    position: int = Field(description="Order.")
    current_value: float | None = Field(description="Latest reading, or the derived value.")
    status: MeasureStatus = Field(description="achieved, on_track, at_risk, off_track, no_data.")
    is_stale: bool = Field(description="A manual measure whose reading is overdue.")
    last_reading_on: Day | None = Field(description="Date of the latest reading (manual).")
    copied_from_id: int | None = Field(
        default=None, description="The measure it was carried over from (earlier plan)."
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class MeasurePage(Page[MeasureRead]):
    """A page of measures."""


class ReadingCreate(Body):
    value: Value = Field(description="The value observed.")
    observed_on: Day | None = Field(default=None, description="When; defaults to today.")
    note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="A note."
    )


class ReadingRead(BaseModel):
    id: int = Field(description="Reading id.")
    measure_id: int = Field(description="Measure.")
    value: float = Field(description="Value.")
    observed_on: Day = Field(description="When observed.")
    note: str | None = Field(description="Note.")
    recorded_at: datetime = Field(description="When recorded.")
    recorded_by_kind: str = Field(description="user or service_account.")
    recorded_by_id: int | None = Field(description="Who.")


class ReadingPage(Page[ReadingRead]):
    """A page of readings."""


class MeasureSourceRead(BaseModel):
    name: str = Field(description="Source name, for `source`.")
    description: str = Field(description="What it counts.")
    params_schema: dict[str, Any] = Field(description="JSON Schema of its `params`.")
