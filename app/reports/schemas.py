"""What a report holds, whatever it is rendered as (HTML, PDF, XLSX, Markdown).

These are view models, never request bodies: the service fills them from ``/progress``,
``/tree`` and the network roll-up, and each renderer only lays them out.
"""

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from app.plans.checkin_schemas import ReportedRating
from app.plans.progress_schemas import (
    ActionCounts,
    AttentionItem,
    Change,
    MeasureCounts,
    MilestoneCounts,
    RollupTotals,
)
from app.plans.schemas import Rag


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"
    md = "md"


MEDIA_TYPES: dict[ReportFormat, str] = {
    ReportFormat.html: "text/html; charset=utf-8",
    ReportFormat.pdf: "application/pdf",
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.md: "text/markdown; charset=utf-8",
}

# Ratings as words (never colour alone) and the fills that go with them: each pair has a
# contrast ratio of at least 4.5:1 (WCAG AA for normal text).
RATING_WORDS: dict[str, str] = {
    Rag.green: "Green: on track",
    Rag.amber: "Amber: at risk",
    Rag.red: "Red: off track",
    Rag.grey: "Grey: not enough evidence",
}
RATING_COLOURS: dict[str, tuple[str, str]] = {  # rating -> (background, text)
    Rag.green: ("#1b7a3d", "#ffffff"),
    Rag.amber: ("#f2b01e", "#1a1a1a"),
    Rag.red: ("#b3261e", "#ffffff"),
    Rag.grey: ("#5f6368", "#ffffff"),
}
STATE_WORDS: dict[str, str] = {
    "achieved": "achieved",
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "no_data": "no data",
    "pending": "pending",
    "overdue": "overdue",
    "missed": "missed",
    "upcoming": "upcoming",
    "planned": "planned",
    "in_progress": "in progress",
    "done": "done",
    "blocked": "blocked",
    "dropped": "dropped",
}


class Reading(BaseModel):
    observed_on: date
    value: float


class MeasureLine(BaseModel):
    id: int
    objective_code: str
    description: str
    kind: str
    source: str
    numeric: bool
    target: str | None  # in words, e.g. "at least 25 schools"
    target_value: float | None
    unit: str | None
    current_value: float | None
    status: str
    is_stale: bool
    last_reading_on: date | None
    readings: list[Reading]
    check_in: ReportedRating | None


class MilestoneLine(BaseModel):
    id: int
    objective_code: str
    title: str
    due: str | None
    due_on: date | None
    status: str  # as recorded: pending, achieved, missed
    state: str  # as judged at as_of: achieved, missed, overdue, upcoming (or pending undated)
    achieved_on: date | None
    action: str | None


class ActionLine(BaseModel):
    objective_code: str
    description: str
    status: str
    owner: str | None
    due_on: date | None
    overdue: bool


class Standing(BaseModel):
    """Where a plan or an objective stands: its rating, why, and its counts."""

    rating: Rag
    reasons: list[str]
    coverage: float | None
    actions: ActionCounts
    milestone_counts: MilestoneCounts
    measure_counts: MeasureCounts


class ObjectiveSection(Standing):
    id: int
    code: str
    title: str
    depth: int
    owner: str | None
    measures: list[MeasureLine]
    milestones: list[MilestoneLine]
    action_lines: list[ActionLine]
    reported: ReportedRating | None
    partners: list[str]  # "<partner>: <role>" lines, then the free text


class CheckInLine(BaseModel):
    objective_code: str
    about: str  # the objective's title or the measure's description
    check_in: ReportedRating


class PlanReport(Standing):
    network_id: int
    network_name: str
    plan_id: int
    title: str
    aim: str | None
    period_start: date
    period_end: date
    status: str
    as_of: date
    since: date | None
    generated_at: datetime
    objectives: list[ObjectiveSection]
    attention: list[AttentionItem]
    changes: list[Change]
    changes_truncated: bool
    check_ins: list[CheckInLine]

    @property
    def measures(self) -> list[MeasureLine]:
        return [m for o in self.objectives for m in o.measures]

    @property
    def milestones(self) -> list[MilestoneLine]:
        return [m for o in self.objectives for m in o.milestones]


class PlanLine(BaseModel):
    plan_id: int
    title: str
    period_start: date
    period_end: date
    as_of: date
    rating: Rag
    reasons: list[str]
    coverage: float | None
    actions: ActionCounts
    milestones: MilestoneCounts
    measures: MeasureCounts
    attention: list[AttentionItem]  # the most severe few


class NetworkSection(BaseModel):
    network_id: int
    name: str
    depth: int
    plans: list[PlanLine]


class NetworkReport(BaseModel):
    network_id: int
    network_name: str
    as_of: date | None
    generated_at: datetime
    networks: list[NetworkSection]
    totals: RollupTotals
