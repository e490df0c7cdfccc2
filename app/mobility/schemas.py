"""Request and response bodies for the mobility register."""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)

from app.core.models import MAX_ID, Id
from app.core.pagination import Page
from app.core.resources import SoftDeleteRead
from app.core.schemas import LINE_PATTERN, Body, Day, Keep, Text, Title
from app.core.schemas import Name as ShortText

MAX_BATCH = 5_000
MAX_COUNT = 1_000_000
PERIOD_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")

EqfLevel = Annotated[int, Field(ge=1, le=8, description="EQF level, 1-8.")]
Period = Annotated[
    str,
    StringConstraints(pattern=PERIOD_PATTERN),
    Field(description="A month, `YYYY-MM`.", examples=["2021-09"]),
]


class Participant(StrEnum):
    staff = "staff"
    learner = "learner"


class MobilityMode(StrEnum):
    physical = "physical"
    virtual = "virtual"
    blended = "blended"


def period_start(value: str) -> date:
    """'2021-09' → 2021-09-01 (the value is already known to match PERIOD_PATTERN)."""
    return date(int(value[:4]), int(value[5:7]), 1)


def format_period(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


# --- opportunities ------------------------------------------------------------------------


class OpportunityCreate(Body):
    organisation_id: Id = Field(description="The organisation offering it.")
    title: Title = Field(
        description="What is offered.", examples=["Job shadowing in automotive engineering"]
    )
    description: Text | None = Field(default=None, description="Longer text.")
    eqf_level: EqfLevel
    participant: Participant = Field(description="Who may take it: `staff` or `learner`.")
    mode: MobilityMode = Field(description="`physical`, `virtual` or `blended`.")
    field_of_study: ShortText | None = Field(
        default=None, description="Field or subject.", examples=["Engineering and manufacturing"]
    )
    places: int | None = Field(default=None, ge=1, le=100_000, description="Places offered.")
    opens_on: Day | None = Field(default=None, description="First day applications open.")
    closes_on: Day | None = Field(default=None, description="Last day applications are taken.")

    @model_validator(mode="after")
    def _dates(self) -> "OpportunityCreate":
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValueError("closes_on is before opens_on")
        return self


class OpportunityUpdate(Body):
    organisation_id: Keep[Id] = Field(default=None, description="Offering organisation.")
    title: Keep[Title] = Field(default=None, description="Title.")
    description: Text | None = Field(default=None, description="Longer text.")
    eqf_level: Keep[EqfLevel] = Field(default=None, description="EQF level, 1-8.")
    participant: Keep[Participant] = Field(default=None, description="staff or learner.")
    mode: Keep[MobilityMode] = Field(default=None, description="physical, virtual or blended.")
    field_of_study: ShortText | None = Field(default=None, description="Field or subject.")
    places: int | None = Field(default=None, ge=1, le=100_000, description="Places offered.")
    opens_on: Day | None = Field(default=None, description="Applications open.")
    closes_on: Day | None = Field(default=None, description="Applications close.")


class OpportunityRead(SoftDeleteRead):
    network_id: int = Field(description="The network whose register holds it.")
    organisation_id: int = Field(description="The organisation offering it.")
    title: str = Field(description="What is offered.")
    description: str | None = Field(description="Longer text.")
    eqf_level: int = Field(description="EQF level, 1-8.")
    participant: Participant = Field(description="staff or learner.")
    mode: MobilityMode = Field(description="physical, virtual or blended.")
    field_of_study: str | None = Field(description="Field or subject.")
    places: int | None = Field(description="Places offered.")
    opens_on: Day | None = Field(description="Applications open.")
    closes_on: Day | None = Field(description="Applications close.")


class OpportunityFilters(BaseModel):
    """The filters of a network's opportunity register (query parameters)."""

    eqf_level: int | None = Field(default=None, ge=1, le=8, description="Only this EQF level.")
    mode: MobilityMode | None = Field(default=None, description="Only this mode.")
    participant: Participant | None = Field(default=None, description="Only staff or learners.")
    organisation_id: Id | None = Field(
        default=None, description="Only those this organisation offers."
    )
    open_on: Day | None = Field(
        default=None, description="Only those open for applications on this day."
    )
    q: str | None = Field(
        default=None, max_length=200, pattern=LINE_PATTERN, description="Text in the title."
    )


class OpportunityPage(Page[OpportunityRead]):
    """A page of mobility opportunities."""


# --- counts: posting ----------------------------------------------------------------------


def org_ref(value: Any) -> int | str:
    """An organisation id (a positive integer) or code (a string), or ValueError."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= MAX_ID:
            return value
        raise ValueError("an organisation id is a positive integer")
    if isinstance(value, str):
        code = value.strip()
        if _CODE.match(code):
            return code
        raise ValueError("an organisation code is 1-20 letters or digits")
    raise ValueError("give an organisation id (integer) or code (Erasmus OID or PIC, a string)")


OrgRef = Annotated[
    int | str,
    PlainValidator(org_ref),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_ID,
                    "description": "An organisation id.",
                },
                {
                    "type": "string",
                    "pattern": _CODE.pattern,
                    "description": "An Erasmus OID or a PIC of the organisation.",
                },
            ],
            "examples": [12, "E10208620"],
        }
    ),
]


class CountRecord(Body):
    """One count: how many moved from ``sending_org`` to ``receiving_org`` in ``period``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "period": "2021-10",
                "sending_org": "E10208620",
                "receiving_org": 14,
                "participant": "staff",
                "mode": "physical",
                "eqf_level": 4,
                "count": 3,
                "source_ref": "beneficiary-module-2021-10",
            }
        },
    )

    period: Period
    sending_org: OrgRef = Field(description="Sending organisation: id, Erasmus OID or PIC.")
    receiving_org: OrgRef = Field(description="Receiving organisation: id, Erasmus OID or PIC.")
    participant: Participant = Field(description="`staff` or `learner`.")
    mode: MobilityMode = Field(description="`physical`, `virtual` or `blended`.")
    eqf_level: EqfLevel | None = Field(default=None, description="EQF level 1-8, if known.")
    count: int = Field(ge=0, le=MAX_COUNT, description="How many, for the whole month.")
    source_ref: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="The sender's own reference for this figure."
    )


class CountBatch(Body):
    records: list[CountRecord] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"Up to {MAX_BATCH:,} counts. A key given twice: the last one wins.",
    )


COUNT_BATCH = TypeAdapter(CountBatch)


class CountBatchResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"inserted": 980, "updated": 12, "unchanged": 8}}
    )

    inserted: int = Field(description="Keys seen for the first time.")
    updated: int = Field(description="Known keys whose count changed.")
    unchanged: int = Field(description="Known keys posted with the count they already had.")


# --- counts: reading ----------------------------------------------------------------------


class CountRead(BaseModel):
    id: int = Field(description="Count id.")
    network_id: int = Field(description="The network it was posted to.")
    period: str = Field(description="The month, `YYYY-MM`.")
    sending_org_id: int = Field(description="Sending organisation.")
    receiving_org_id: int = Field(description="Receiving organisation.")
    participant: Participant = Field(description="staff or learner.")
    mode: MobilityMode = Field(description="physical, virtual or blended.")
    eqf_level: int | None = Field(description="EQF level; null when not given.")
    count: int = Field(description="How many.")
    source_ref: str | None = Field(description="The sender's reference.")
    batch_id: int | None = Field(description="The batch that last set the count (audited).")
    created_at: datetime = Field(description="First posted.")
    updated_at: datetime = Field(description="Count last changed.")


class CountFilters(BaseModel):
    """Which mobility counts a list or an export takes (query parameters)."""

    period_from: str | None = Field(
        default=None, alias="from", pattern=PERIOD_PATTERN, description="First month, `YYYY-MM`."
    )
    period_to: str | None = Field(
        default=None,
        alias="to",
        pattern=PERIOD_PATTERN,
        description="Last month, `YYYY-MM` (included).",
    )
    participant: Participant | None = Field(default=None, description="Only staff or learners.")
    mode: MobilityMode | None = Field(default=None, description="Only this mode.")
    eqf_level: int | None = Field(default=None, ge=1, le=8, description="Only this EQF level.")
    organisation_id: Id | None = Field(
        default=None, description="Only counts this organisation sent or received."
    )
    sending_org_id: Id | None = Field(
        default=None, description="Only counts this organisation sent."
    )
    receiving_org_id: Id | None = Field(
        default=None, description="Only counts this organisation received."
    )
    include_descendants: bool = Field(
        default=False, description="Also the counts of the network's descendant networks."
    )


class CountPage(Page[CountRead]):
    """A page of mobility counts."""


class GroupBy(StrEnum):
    participant = "participant"
    mode = "mode"
    eqf_level = "eqf_level"
    receiving_country = "receiving_country"
    period = "period"


class SummaryGroup(BaseModel):
    participant: Participant | None = Field(default=None, description="When grouped by it.")
    mode: MobilityMode | None = Field(default=None, description="When grouped by it.")
    eqf_level: int | None = Field(
        default=None, description="When grouped by it; null also for counts without a level."
    )
    receiving_country: str | None = Field(
        default=None, description="When grouped by it; null for organisations without one."
    )
    period: str | None = Field(default=None, description="When grouped by it: `YYYY-MM`.")
    count: int = Field(description="The sum of the counts in this group.")


class CountSummary(BaseModel):
    network_id: int = Field(description="The network asked about.")
    include_descendants: bool = Field(description="Whether descendant networks' counts are in.")
    period_from: str | None = Field(description="First month included (`from`).")
    period_to: str | None = Field(description="Last month included (`to`).")
    group_by: list[GroupBy] = Field(description="The grouping, in the order asked.")
    total: int = Field(description="The sum of all counts matching.")
    groups: list[SummaryGroup] = Field(description="One entry per group, ordered by the keys.")
