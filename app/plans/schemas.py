"""Plans' vocabulary (codes, statuses, kinds, month-precision dates) and the bodies of a plan."""

import calendar
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core import answers
from app.core.db import utcnow
from app.core.pagination import Page
from app.core.schemas import LINE_PATTERN, Body, Day, Keep, Text, Title

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Workstream = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=60)
]
Value = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]

# The CLN workstream colour key (seed 004); networks may use their own tags too.
CLN_WORKSTREAMS = [
    "CLN",
    "Families and Communities",
    "Curriculum",
    "Health and Wellbeing",
    "Leadership",
    "Systems Improvement",
    "Evaluating and Reporting",
    "CLPL",
]


class PlanStatus(StrEnum):
    """The status a plan is given (stored)."""

    draft = "draft"
    active = "active"
    closed = "closed"


class PlanReadStatus(StrEnum):
    """The status a plan reads: ``ended`` is an active plan whose period has passed and that
    no one has closed yet (derived when read, never stored)."""

    draft = "draft"
    active = "active"
    ended = "ended"
    closed = "closed"


class CarryOver(StrEnum):
    unfinished = "unfinished"
    all = "all"


class CheckInRating(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


class ObjectiveKind(StrEnum):
    aspiration = "aspiration"
    objective = "objective"
    outcome = "outcome"


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    blocked = "blocked"
    dropped = "dropped"


class Comparator(StrEnum):
    at_least = "at_least"
    at_most = "at_most"
    exactly = "exactly"


class TargetPeriod(StrEnum):
    total = "total"
    per_annum = "per_annum"
    per_group = "per_group"


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    termly = "termly"
    annually = "annually"


class MeasureKind(StrEnum):
    numeric = "numeric"
    binary = "binary"
    qualitative = "qualitative"


MEASURE_KIND_DOC = (
    "`numeric`: a number judged against the target; `binary`: done or not, achieved once a "
    "reading of 1 (true) is recorded (e.g. 'MoU signed'), takes no target; `qualitative`: "
    "judged by people in check-ins, `no_data` without one, takes no target. Defaults to "
    "`numeric` with a target or a derived source, `binary` for a manual measure without one."
)


class MeasureStatus(StrEnum):
    achieved = "achieved"
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    no_data = "no_data"


class MilestoneStatus(StrEnum):
    pending = "pending"
    achieved = "achieved"
    missed = "missed"


class EvidenceKind(StrEnum):
    note = "note"
    link = "link"
    document = "document"
    evaluation = "evaluation"


class Rag(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"
    grey = "grey"


Rating = Rag


# --- targets ---------------------------------------------------------------------------


class Target(Body):
    comparator: Comparator = Field(description="at_least, at_most or exactly.")
    value: Value = Field(description="The number to reach.", examples=[25])
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, description="Unit.", examples=["mobilities"]
    )
    period: TargetPeriod = Field(
        default=TargetPeriod.total, description="total, per_annum or per_group."
    )


# Its checks refuse bad input only: stored targets are answered without them (app/core/answers).
answers.checks_only(Target)


# --- month-precision dates ----------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_due(value: str) -> tuple[Day, str]:
    """'2019-10-15' → day precision; '2019-10' or 'October 2019' → end of month, month precision."""
    text = value.strip()
    match = _YEAR_MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    else:
        match = _MONTH_YEAR.match(text)
        if match is None:
            return date.fromisoformat(text), "day"
        month_name = match.group(1).lower()
        if month_name not in _MONTHS:
            raise ValueError(f"unknown month {match.group(1)!r}")
        year, month = int(match.group(2)), _MONTHS[month_name]
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError("month or year out of range")
    return date(year, month, calendar.monthrange(year, month)[1]), "month"


def format_due(due_on: Day | None, precision: str) -> str | None:
    if due_on is None:
        return None
    return due_on.strftime("%Y-%m") if precision == "month" else due_on.isoformat()


DueText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=4, max_length=30),
    Field(
        description="`YYYY-MM-DD`, or a month (`YYYY-MM`, `October 2019`): due at its end.",
        examples=["2019-10", "2020-06-30"],
    ),
]


def check_due(value: str | None) -> str | None:
    if value is not None:
        try:
            parse_due(value)
        except ValueError as exc:
            raise ValueError(f"not a date or month: {value!r}") from exc
    return value


# --- plans --------------------------------------------------------------------------------


class PlanCreate(Body):
    title: Title = Field(
        description="Title.", examples=["Networks of Networks Action Plan 2021-22"]
    )
    aim: Text | None = Field(default=None, description="What the plan is for.")
    period_start: Day = Field(description="First day of the plan period.")
    period_end: Day = Field(description="Last day of the plan period.")
    status: PlanStatus = Field(default=PlanStatus.draft, description="draft, active or closed.")

    @model_validator(mode="after")
    def _period(self) -> "PlanCreate":
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class PlanUpdate(Body):
    title: Keep[Title] = Field(default=None, description="Title.")
    aim: Text | None = Field(default=None, description="Aim.")
    period_start: Keep[Day] = Field(default=None, description="Period start.")
    period_end: Keep[Day] = Field(default=None, description="Period end.")
    status: Keep[PlanStatus] = Field(
        default=None,
        description="Status. Setting `closed` closes the plan as POST /plans/{id}/close does; "
        "setting it back reopens it (the final snapshot is dropped).",
    )


class PlanRead(BaseModel):
    id: int = Field(description="Plan id.")
    network_id: int = Field(description="The network whose plan it is.")
    title: str = Field(description="Title.")
    aim: str | None = Field(description="Aim.")
    period_start: Day = Field(description="Period start.")
    period_end: Day = Field(description="Period end.")
    status: PlanReadStatus = Field(
        description="draft, active, ended (active, its period over, not yet closed by a chair) "
        "or closed (read-only; /progress returns the snapshot kept when it was closed)."
    )
    copied_from_id: int | None = Field(
        default=None, description="The plan this one was copied from (POST /plans/{id}/copy)."
    )
    closed_at: datetime | None = Field(default=None, description="When it was closed.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(description="Set when deleted (restorable).")

    @model_validator(mode="after")
    def _ended(self) -> "PlanRead":
        if self.status is PlanReadStatus.active and self.period_end < utcnow().date():
            self.status = PlanReadStatus.ended
        return self


class InferredTarget(BaseModel):
    objective_code: str = Field(description="The objective the measure is in.")
    measure: str = Field(description="The measure's text.")
    kind: str = Field(description="numeric or binary, as read from the text.")
    target: "Target | None" = Field(
        description="The target read from the text; null when none was found."
    )
    rule: str = Field(description="Which rule of docs/plans.md decided, in words.")


class TranslationImported(BaseModel):
    language: str = Field(description="The language the file was read in.")
    items: int = Field(description="Items of the file matched to the plan's (the plan counted).")
    texts: int = Field(description="Texts written or changed in that language.")


class PlanImported(PlanRead):
    inferred: list[InferredTarget] = Field(
        default_factory=list,
        description="Measures of a CSV/XLSX table given without a target, and the target or "
        "kind read from their text (docs/plans.md, 'Targets read from the text'): check them.",
    )
    translated: TranslationImported | None = Field(
        default=None,
        description="For a file read as a translation of an existing plan (`plan_id` and "
        "`lang`): what was matched and written; null for a new plan.",
    )


class PlanPage(Page[PlanRead]):
    """A page of plans."""


# --- lifecycle ----------------------------------------------------------------------------


class PlanCopy(Body):
    title: Title = Field(description="The new plan's title.", examples=["Action Plan 2026-27"])
    period_start: Day = Field(description="First day of the new period.")
    period_end: Day = Field(description="Last day of the new period.")
    carry_over: CarryOver = Field(
        default=CarryOver.unfinished,
        description="`unfinished`: actions not done or dropped and milestones still pending "
        "come along, as they are; `all`: every action and milestone, the finished ones "
        "starting again (planned, pending). Objectives and measures (with their targets, "
        "without readings) are always copied.",
    )
    status: PlanStatus = Field(default=PlanStatus.draft, description="The new plan's status.")

    @model_validator(mode="after")
    def _period(self) -> "PlanCopy":
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class PlanFilters(BaseModel):
    """A network's plans in one status, or by a word of their title."""

    status: PlanReadStatus | None = Field(
        default=None, description="Only this status (`ended`: active, period over)."
    )
    q: str | None = Field(
        default=None, max_length=200, pattern=LINE_PATTERN, description="Text in the title."
    )
