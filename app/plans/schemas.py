"""Request and response bodies for plans and everything inside them."""

import calendar
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.db import utcnow
from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body, Day, Keep, ShortText, Statement, Text, Title, Url

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


def _check_due(value: str | None) -> str | None:
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


class PlanImported(PlanRead):
    inferred: list[InferredTarget] = Field(
        default_factory=list,
        description="Measures of a CSV/XLSX table given without a target, and the target or "
        "kind read from their text (docs/plans.md, 'Targets read from the text'): check them.",
    )


class PlanPage(Page[PlanRead]):
    """A page of plans."""


# --- objectives ---------------------------------------------------------------------------


class ObjectiveCreate(Body):
    code: Code = Field(description="Unique within the plan, e.g. `4` or `2a`.")
    kind: ObjectiveKind = Field(default=ObjectiveKind.objective, description="Node kind.")
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=2000)
    ] = Field(description="Title.")
    description: Text | None = Field(default=None, description="Longer text.")
    parent_id: Id | None = Field(default=None, description="Parent objective in this plan.")
    position: int = Field(default=0, ge=0, le=100_000, description="Order among siblings.")
    workstreams: list[Workstream] = Field(
        default_factory=list,
        max_length=20,
        description=f"Workstream tags, e.g. the CLN colour key: {', '.join(CLN_WORKSTREAMS)}.",
    )
    responsible_group: ShortText | None = Field(
        default=None, description="Who is responsible, as text (e.g. Steering Committee)."
    )
    responsible_community_id: Id | None = Field(
        default=None, description="The community responsible, once communities exist."
    )
    role_of_partners: Text | None = Field(default=None, description="What partners do.")


class ObjectiveUpdate(Body):
    code: Keep[Code] = Field(default=None, description="Code.")
    kind: Keep[ObjectiveKind] = Field(default=None, description="Kind.")
    title: Keep[Statement] = Field(default=None, description="Title.")
    description: Text | None = Field(default=None, description="Longer text.")
    parent_id: Id | None = Field(default=None, description="Move under another objective.")
    position: Keep[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default=None, description="Order among siblings."
    )
    workstreams: Keep[list[Workstream]] = Field(
        default=None, max_length=20, description="Workstream tags."
    )
    responsible_group: ShortText | None = Field(default=None, description="Responsible group.")
    responsible_community_id: Id | None = Field(default=None, description="Community.")
    role_of_partners: Text | None = Field(default=None, description="Role of partners.")


class ObjectiveRead(BaseModel):
    id: int = Field(description="Objective id.")
    plan_id: int = Field(description="Plan.")
    parent_id: int | None = Field(description="Parent objective.")
    code: str = Field(description="Code, unique in the plan.")
    kind: ObjectiveKind = Field(description="Kind.")
    title: str = Field(description="Title.")
    description: str | None = Field(description="Longer text.")
    position: int = Field(description="Order among siblings.")
    workstreams: list[str] = Field(description="Workstream tags.")
    responsible_group: str | None = Field(description="Responsible group (text).")
    responsible_community_id: int | None = Field(description="Responsible community.")
    role_of_partners: str | None = Field(description="Role of partners.")
    copied_from_id: int | None = Field(
        default=None,
        description="The objective it was carried over from (earlier plan).",
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class ObjectivePage(Page[ObjectiveRead]):
    """A page of objectives."""


# --- actions ------------------------------------------------------------------------------


class ActionCreate(Body):
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=10_000),
    ] = Field(description="What will be done.", examples=["Set up a facilitator network group"])
    status: ActionStatus = Field(default=ActionStatus.planned, description="Status.")
    owner_user_id: Id | None = Field(default=None, description="Owner (a person).")
    owner_community_id: Id | None = Field(default=None, description="Owner (a community).")
    owner_text: ShortText | None = Field(default=None, description="Owner, as text.")
    start_on: Day | None = Field(default=None, description="Start.")
    due_on: Day | None = Field(default=None, description="Due.")
    position: int = Field(default=0, ge=0, le=100_000, description="Order.")

    @model_validator(mode="after")
    def _dates(self) -> "ActionCreate":
        if self.start_on and self.due_on and self.due_on < self.start_on:
            raise ValueError("due_on is before start_on")
        return self


class ActionUpdate(Body):
    description: Keep[
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, min_length=1, pattern=r"\S", max_length=10_000
            ),
        ]
    ] = Field(default=None, description="What will be done.")
    status: Keep[ActionStatus] = Field(default=None, description="New status (kept in history).")
    status_note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="Why the status changed (kept in history)."
    )
    owner_user_id: Id | None = Field(default=None, description="Owner (a person).")
    owner_community_id: Id | None = Field(default=None, description="Owner (a community).")
    owner_text: ShortText | None = Field(default=None, description="Owner, as text.")
    start_on: Day | None = Field(default=None, description="Start.")
    due_on: Day | None = Field(default=None, description="Due.")
    position: Keep[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default=None, description="Order."
    )


class ActionRead(BaseModel):
    id: int = Field(description="Action id.")
    plan_id: int = Field(description="Plan.")
    objective_id: int = Field(description="Objective.")
    description: str = Field(description="What will be done.")
    status: ActionStatus = Field(description="Status.")
    owner_user_id: int | None = Field(description="Owner (a person).")
    owner_community_id: int | None = Field(description="Owner (a community).")
    owner_text: str | None = Field(description="Owner, as text.")
    start_on: Day | None = Field(description="Start.")
    due_on: Day | None = Field(description="Due.")
    position: int = Field(description="Order.")
    copied_from_id: int | None = Field(
        default=None, description="The action it was carried over from (earlier plan)."
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class ActionPage(Page[ActionRead]):
    """A page of actions."""


class StatusChangeRead(BaseModel):
    id: int = Field(description="Change id.")
    from_status: ActionStatus | None = Field(description="Before (null when created).")
    to_status: ActionStatus = Field(description="After.")
    note: str | None = Field(description="Why.")
    changed_at: datetime = Field(description="When.")
    changed_by_kind: str = Field(description="user or service_account.")
    changed_by_id: int | None = Field(description="Who.")


class StatusChangePage(Page[StatusChangeRead]):
    """A page of status changes."""


# --- measures -----------------------------------------------------------------------------


class Target(Body):
    comparator: Comparator = Field(description="at_least, at_most or exactly.")
    value: Value = Field(description="The number to reach.", examples=[25])
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, description="Unit.", examples=["mobilities"]
    )
    period: TargetPeriod = Field(
        default=TargetPeriod.total, description="total, per_annum or per_group."
    )


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


# --- milestones ---------------------------------------------------------------------------


class MilestoneCreate(Body):
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=2000)
    ] = Field(description="What will be evidenced.", examples=["Identify local authorities"])
    due: DueText | None = Field(default=None, description="When it is due: a day or a month.")
    status: MilestoneStatus = Field(default=MilestoneStatus.pending, description="Status.")
    achieved_on: Day | None = Field(default=None, description="When achieved.")
    position: int = Field(default=0, ge=0, le=100_000, description="Order.")

    @model_validator(mode="after")
    def _valid(self) -> "MilestoneCreate":
        _check_due(self.due)
        if self.achieved_on and self.status is not MilestoneStatus.achieved:
            raise ValueError("achieved_on is only for achieved milestones")
        return self


class MilestoneUpdate(Body):
    title: Keep[Statement] = Field(default=None, description="Title.")
    due: DueText | None = Field(default=None, description="When it is due: a day or a month.")
    status: Keep[MilestoneStatus] = Field(default=None, description="Status.")
    achieved_on: Day | None = Field(default=None, description="When achieved (defaults to today).")
    position: Keep[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default=None, description="Order."
    )

    @model_validator(mode="after")
    def _valid(self) -> "MilestoneUpdate":
        _check_due(self.due)
        return self


class MilestoneRead(BaseModel):
    id: int = Field(description="Milestone id.")
    plan_id: int = Field(description="Plan.")
    objective_id: int = Field(description="Objective.")
    action_id: int | None = Field(description="Action, if on one.")
    title: str = Field(description="Title.")
    due: str | None = Field(description="Due date, or month (`YYYY-MM`) when month-precise.")
    due_on: Day | None = Field(description="Due date (end of month when month-precise).")
    due_precision: str = Field(description="day or month.")
    status: MilestoneStatus = Field(description="Status.")
    achieved_on: Day | None = Field(description="When achieved.")
    is_overdue: bool = Field(description="Pending past its due date (as of today or `as_of`).")
    position: int = Field(description="Order.")
    copied_from_id: int | None = Field(
        default=None,
        description="The milestone it was carried over from (earlier plan).",
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class MilestonePage(Page[MilestoneRead]):
    """A page of milestones."""


class EvidenceCreate(Body):
    kind: EvidenceKind = Field(description="note, link, document or evaluation.")
    text: Text | None = Field(default=None, description="The note, or a document reference.")
    url: Url | None = Field(default=None, description="Link (required for `link`).")
    evaluation_id: Id | None = Field(
        default=None,
        description="For `evaluation`: the evaluation (of one of the network's programmes) "
        "the milestone cites; `text` may say what it shows.",
    )

    @model_validator(mode="after")
    def _content(self) -> "EvidenceCreate":
        if (self.kind is EvidenceKind.evaluation) != (self.evaluation_id is not None):
            raise ValueError("evaluation_id goes with kind evaluation, and only with it")
        if self.kind is EvidenceKind.link and not self.url:
            raise ValueError("a link needs a url")
        if self.kind is EvidenceKind.note and not (self.text and self.text.strip()):
            raise ValueError("a note needs text")
        if self.kind is EvidenceKind.document and not (self.text or self.url):
            raise ValueError("a document needs a reference (text) or a url")
        return self


class EvidenceRead(BaseModel):
    id: int = Field(description="Evidence id.")
    milestone_id: int = Field(description="Milestone.")
    kind: EvidenceKind = Field(description="Kind.")
    text: str | None = Field(description="Note or reference.")
    url: str | None = Field(description="Link.")
    evaluation_id: int | None = Field(description="The evaluation cited (kind evaluation).")
    recorded_at: datetime = Field(description="When recorded.")
    recorded_by_kind: str = Field(description="user or service_account.")
    recorded_by_id: int | None = Field(description="Who recorded it.")


class EvidencePage(Page[EvidenceRead]):
    """A page of evidence."""


# --- check-ins ----------------------------------------------------------------------------


class CheckInCreate(Body):
    rating: CheckInRating = Field(description="green, amber or red: how it stands, as judged.")
    confidence: int | None = Field(
        default=None, ge=0, le=10, description="How sure, 0 (a guess) to 10 (certain)."
    )
    note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="Why: what the numbers do not say."
    )
    recorded_on: Day | None = Field(
        default=None, description="The day the judgement is for; today by default, not later."
    )


class RecordedBy(BaseModel):
    kind: str = Field(description="user or service_account.")
    id: int | None = Field(description="Who.")
    name: str | None = Field(description="Their name (users).")


class ReportedRating(BaseModel):
    """The latest check-in on or before `as_of`: what people report, shown next to the
    computed rating and never in its place."""

    check_in_id: int = Field(description="The check-in.")
    rating: CheckInRating = Field(description="green, amber or red.")
    confidence: int | None = Field(description="0-10.")
    note: str | None = Field(description="Why.")
    recorded_on: Day = Field(description="The day the judgement is for.")
    recorded_by: RecordedBy = Field(description="Who recorded it.")


class CheckInRead(BaseModel):
    id: int = Field(description="Check-in id.")
    plan_id: int = Field(description="Plan.")
    objective_id: int | None = Field(description="The objective judged (or null).")
    measure_id: int | None = Field(description="The measure judged (or null).")
    rating: CheckInRating = Field(description="green, amber or red.")
    confidence: int | None = Field(description="0-10.")
    note: str | None = Field(description="Why.")
    recorded_on: Day = Field(description="The day the judgement is for.")
    recorded_at: datetime = Field(description="When it was recorded.")
    recorded_by: RecordedBy = Field(description="Who recorded it.")


class CheckInPage(Page[CheckInRead]):
    """A page of check-ins, newest first."""


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


# --- tree and progress --------------------------------------------------------------------


class ActionNode(ActionRead):
    milestones: list[MilestoneRead] = Field(description="Milestones on this action.")


class ObjectiveNode(ObjectiveRead):
    actions: list[ActionNode] = Field(description="Actions, in order.")
    measures: list[MeasureRead] = Field(description="Measures of success, in order.")
    milestones: list[MilestoneRead] = Field(description="Milestones on the objective itself.")
    children: list["ObjectiveNode"] = Field(description="Sub-objectives, in order.")


class PlanTree(PlanRead):
    objectives: list[ObjectiveNode] = Field(description="Top-level objectives, in order.")


class ActionCounts(BaseModel):
    planned: int = Field(default=0, description="Planned.")
    in_progress: int = Field(default=0, description="In progress.")
    done: int = Field(default=0, description="Done.")
    blocked: int = Field(default=0, description="Blocked.")
    dropped: int = Field(default=0, description="Dropped.")
    overdue: int = Field(
        default=0, description="Planned or in progress past their due date (any status above)."
    )
    total: int = Field(default=0, description="All actions.")


class MilestoneCounts(BaseModel):
    achieved: int = Field(default=0, description="Achieved.")
    pending: int = Field(default=0, description="Pending (not yet due, or overdue).")
    overdue: int = Field(default=0, description="Pending past their due date.")
    missed: int = Field(default=0, description="Recorded as missed.")
    due: int = Field(default=0, description="Due by now (due date passed), whatever status.")
    total: int = Field(default=0, description="All milestones.")


class MeasureCounts(BaseModel):
    achieved: int = Field(default=0, description="Achieved.")
    on_track: int = Field(default=0, description="On track.")
    at_risk: int = Field(default=0, description="At risk.")
    off_track: int = Field(default=0, description="Off track.")
    no_data: int = Field(
        default=0,
        description="No value, no target (numeric), no reading (binary) or no check-in "
        "(qualitative).",
    )
    stale: int = Field(default=0, description="Measures whose reading or check-in is overdue.")
    current: int = Field(
        default=0,
        description="Measures with a current value: judged (not `no_data`) and not stale. "
        "`coverage` is `current / total`.",
    )
    total: int = Field(default=0, description="All measures.")


RATING_RULE = """Rating, first rule that applies (the same for an objective, counting its
sub-objectives, and for the whole plan; docs/plans.md):

1. **red**: a measure is `off_track`, or more than 25 % of the milestones already due are
   overdue or missed.
2. **grey** (not enough evidence to judge): it has measures and no more than half of them have
   a current value (`coverage` ≤ 0.5); or no measure has a current value, no milestone is
   decided (achieved or missed) and no action has started (in progress, done or blocked) —
   which includes having nothing to judge at all.
3. **amber**: a measure is `at_risk` or stale, a milestone is overdue or missed, or an action
   is blocked or past its due date.
4. **green**: otherwise — evidence covers most of what it is judged on and shows no problem.

So missing evidence is never green, and `off_track` is always red whatever the coverage."""


class PersonRef(BaseModel):
    id: int = Field(description="User id.")
    name: str = Field(description="Name.")


class CommunityRef(BaseModel):
    id: int = Field(description="Community id.")
    name: str = Field(description="Community title.")


class Owner(BaseModel):
    """Who answers for an item: an action's owner, else its objective's responsible community
    and group (inherited from the nearest ancestor objective that names one)."""

    community: CommunityRef | None = Field(description="The responsible community.")
    people: list[PersonRef] = Field(description="People responsible (an action's owner).")
    text: str | None = Field(
        description="Responsible, as written (an action's `owner_text` or the objective's "
        "`responsible_group`)."
    )


class AttentionKind(StrEnum):
    measure = "measure"
    milestone = "milestone"
    action = "action"
    objective = "objective"


class AttentionReason(StrEnum):
    """In order of severity (most severe first)."""

    off_track = "off_track"
    missed = "missed"
    overdue = "overdue"
    blocked = "blocked"
    at_risk = "at_risk"
    stale = "stale"
    no_data = "no_data"


class AttentionItem(BaseModel):
    kind: AttentionKind = Field(description="measure, milestone, action or objective.")
    id: int = Field(description="The item's id (of its kind).")
    objective_id: int = Field(description="Its objective.")
    objective_code: str = Field(description="Its objective's code.")
    title: str = Field(description="The measure's description, milestone's title, ...")
    reason: AttentionReason = Field(
        description="off_track, missed, overdue, blocked, at_risk, stale or no_data "
        "(most severe first)."
    )
    detail: str = Field(
        description="A readable sentence.", examples=["value 3 of target at least 8"]
    )
    owner: Owner = Field(description="Who answers for it.")
    due_on: Day | None = Field(
        description="Due date (a measure: the end of the window its target is judged in)."
    )
    days_overdue: int | None = Field(description="Days past `due_on`, when overdue or missed.")


class Actor(BaseModel):
    kind: str = Field(description="user or service_account.")
    id: int | None = Field(description="Id.")
    name: str | None = Field(description="Name (null if unknown).")


class ChangeKind(StrEnum):
    status = "status"
    milestone = "milestone"
    reading = "reading"
    evidence = "evidence"
    check_in = "check_in"
    plan = "plan"


class Change(BaseModel):
    occurred_at: datetime = Field(description="When (UTC).")
    kind: ChangeKind = Field(
        description="status (an action's), milestone (achieved, missed, reopened), reading, "
        "evidence, check_in, plan (its status)."
    )
    object_type: str = Field(description="Table of the object, as in the audit trail.")
    object_id: int = Field(description="Id of the object.")
    objective_code: str | None = Field(description="Objective's code, when on one.")
    title: str = Field(description="What it is about (action, milestone, measure, plan).")
    what: str = Field(description="What happened.", examples=["planned → in_progress"])
    who: Actor = Field(description="Who did it.")


class Progress(BaseModel):
    actions: ActionCounts = Field(description="Actions by status.")
    milestones: MilestoneCounts = Field(description="Milestones by state.")
    measures: MeasureCounts = Field(description="Measures by status.")
    rating: Rag = Field(description="green / amber / red / grey.\n\n" + RATING_RULE)
    computed_rating: Rag = Field(
        description="The rating computed from the evidence (the rule under `rating`); a "
        "rating people report in check-ins is shown next to it, never instead of it."
    )
    coverage: float | None = Field(
        ge=0,
        le=1,
        description="Share (0-1) of the measures with a current, non-stale value; null when "
        "there are no measures.",
    )
    reasons: list[str] = Field(
        description="Why the rating is what it is, in short sentences, most important first.",
        examples=[["2 of 4 measures have no data", "milestone 'MoU signed' is 40 days overdue"]],
    )
    rag: Rag = Field(deprecated=True, description="Same as `rating` (kept for old clients).")


class ObjectiveProgress(Progress):
    objective_id: int = Field(description="Objective.")
    parent_id: int | None = Field(description="Parent objective.")
    code: str = Field(description="Code.")
    title: str = Field(description="Title.")
    reported_rating: ReportedRating | None = Field(
        default=None,
        description="The latest check-in on this objective (on or before `as_of`), next to "
        "the computed rating, which it never replaces.",
    )


class PlanProgress(Progress):
    plan_id: int = Field(description="Plan.")
    as_of: Day = Field(description="The date the numbers are for.")
    objectives: list[ObjectiveProgress] = Field(
        description="Every objective, its numbers including its sub-objectives'."
    )
    attention: list[AttentionItem] = Field(
        description="What needs attention, most severe first (by reason, then most days "
        "overdue, then plan order)."
    )
    since: Day | None = Field(default=None, description="The `since` asked for.")
    changes: list[Change] | None = Field(
        default=None,
        description="With `since`: what happened from that day on (newest first), from the "
        "audit trail.",
    )
    changes_truncated: bool = Field(
        default=False, description="True when more changes happened than are listed."
    )


class PlanMilestoneRead(MilestoneRead):
    """A milestone in a plan-wide list, with what a chair needs to chase it."""

    objective_code: str = Field(description="Its objective's code.")
    owner: Owner = Field(description="Who answers for it.")
    days_overdue: int | None = Field(description="Days past due, when overdue or missed.")


class PlanMilestonePage(Page[PlanMilestoneRead]):
    """A page of a plan's milestones."""


# --- the network roll-up (GET /networks/{id}/progress) -------------------------------------


class PlanRollup(Progress):
    plan_id: int = Field(description="Plan.")
    title: str = Field(description="Title.")
    period_start: Day = Field(description="First day of the plan period.")
    period_end: Day = Field(description="Last day of the plan period.")
    as_of: Day = Field(description="The date this plan is judged at.")
    coverage: float | None = Field(
        description="Share (0-1) of the plan's measures with a current, non-stale value; null "
        "with no measures."
    )


class NetworkRollup(BaseModel):
    network_id: int = Field(description="Network.")
    name: str = Field(description="Name.")
    parent_id: int | None = Field(description="Parent network.")
    depth: int = Field(description="Levels below the network asked about (0 for itself).")
    plans: list[PlanRollup] = Field(description="Its active plans, by period start.")


class RollupTotals(BaseModel):
    networks: int = Field(description="Networks in the answer.")
    plans: int = Field(description="Active plans in the answer.")
    ratings: dict[str, int] = Field(
        description="Plans by rating (the plan /progress rating): green, amber, red, and "
        "grey for plans without enough evidence to judge (also those with nothing in them)."
    )
    actions: ActionCounts = Field(description="Actions of all the plans, by status.")
    milestones: MilestoneCounts = Field(description="Milestones of all the plans, by state.")
    measures: MeasureCounts = Field(description="Measures of all the plans, by status.")
    coverage: float | None = Field(
        description="Share (0-1) of all the plans' measures with a current, non-stale value."
    )


class NetworkProgress(BaseModel):
    network_id: int = Field(description="The network asked about.")
    as_of: Day | None = Field(
        description="The date asked for; null when each plan is judged at its own default "
        "(today, or its period end once the period is over)."
    )
    networks: list[NetworkRollup] = Field(
        description="The network and every descendant network the caller may read, "
        "depth-first, siblings by name."
    )
    totals: RollupTotals = Field(description="Sums over every plan in the answer.")
