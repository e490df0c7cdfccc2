"""Request and response bodies for check-ins on objectives and measures."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.core.pagination import Page
from app.core.schemas import Body, Day
from app.plans.schemas import CheckInRating

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
