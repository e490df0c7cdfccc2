"""Request and response bodies for milestones and their evidence."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body, Day, Keep, Statement, Text, Url
from app.plans.schemas import DueText, EvidenceKind, MilestoneStatus, check_due

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
        check_due(self.due)
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
        check_due(self.due)
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
