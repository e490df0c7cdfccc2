"""Request and response bodies for cohorts, enrolments and matching."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead, SoftDeleteRead
from app.core.schemas import Body, Day, Keep, Name
from app.core.schemas import LongText as Text

Topic = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=60)
]
TeamSize = Annotated[int, Field(ge=2, le=50)]


class MatchingProposalStatus(StrEnum):
    proposed = "proposed"
    accepted = "accepted"


# --- cohorts ------------------------------------------------------------------------------


class TargetSize(Body):
    min: int = Field(ge=1, le=10_000, description="Fewest schools.", examples=[30])
    max: int = Field(ge=1, le=10_000, description="Most schools.", examples=[40])

    @model_validator(mode="after")
    def _order(self) -> "TargetSize":
        if self.max < self.min:
            raise ValueError("max is smaller than min")
        return self


class CohortCreate(Body):
    name: Name = Field(description="Name.", examples=["CLN Cohort 1"])
    description: Text | None = Field(default=None, description="About the cohort.")
    launch_on: Day = Field(description="Launch date.", examples=["2019-05-01"])
    end_on: Day | None = Field(default=None, description="End date.", examples=["2020-05-31"])
    target_size: TargetSize | None = Field(
        default=None, description="How many schools the cohort aims for (e.g. 30-40)."
    )

    @model_validator(mode="after")
    def _dates(self) -> "CohortCreate":
        if self.end_on is not None and self.end_on < self.launch_on:
            raise ValueError("end_on is before launch_on")
        return self


class CohortUpdate(Body):
    name: Keep[Name] = Field(default=None, description="Name.")
    description: Text | None = Field(default=None, description="About the cohort.")
    launch_on: Keep[Day] = Field(default=None, description="Launch date.")
    end_on: Day | None = Field(default=None, description="End date.")
    target_size: TargetSize | None = Field(default=None, description="Target size (null clears).")


class TargetSizeRead(BaseModel):
    min: int = Field(description="Fewest schools.")
    max: int = Field(description="Most schools.")


class CohortRead(SoftDeleteRead):
    network_id: int = Field(description="The network running it.")
    name: str = Field(description="Name.")
    description: str | None = Field(description="About the cohort.")
    launch_on: Day = Field(description="Launch date.")
    end_on: Day | None = Field(description="End date.")
    target_size: TargetSizeRead | None = Field(description="Target number of schools.")
    enrolled: int = Field(description="Schools currently enrolled.")


class CohortPage(Page[CohortRead]):
    """A page of cohorts."""


class EnrolmentCreate(Body):
    organisation_id: Id = Field(description="The school (or early learning setting).")
    enquiry: Text | None = Field(
        default=None,
        description="The school's enquiry interest, in words.",
        examples=["How can peer feedback improve writing in P5-P7?"],
    )
    topics: list[Topic] = Field(
        default_factory=list,
        max_length=20,
        description="Enquiry topic tags; schools are matched on shared tags (case-insensitive).",
        examples=[["literacy", "feedback"]],
    )
    enrolled_on: Day | None = Field(default=None, description="Defaults to today.")


class EnrolmentUpdate(Body):
    enquiry: Text | None = Field(default=None, description="Enquiry interest.")
    topics: Keep[list[Topic]] = Field(default=None, max_length=20, description="Topic tags.")


class EnrolmentRead(RecordRead):
    cohort_id: int = Field(description="Cohort.")
    organisation_id: int = Field(description="The school.")
    organisation_name: str = Field(description="The school's name.")
    local_authority: str | None = Field(description="The school's local authority.")
    enquiry: str | None = Field(description="Enquiry interest.")
    topics: list[str] = Field(description="Topic tags.")
    enrolled_on: Day = Field(description="Enrolled.")
    withdrawn_on: Day | None = Field(description="Withdrawn (null while enrolled).")


class EnrolmentFilters(BaseModel):
    """The filters of a cohort's enrolment list (query parameters)."""

    include_withdrawn: bool = Field(default=False, description="Include withdrawn schools.")


class EnrolmentPage(Page[EnrolmentRead]):
    """A page of enrolments."""


# --- matching -----------------------------------------------------------------------------


class MatchingRequest(Body):
    min_size: TeamSize = Field(default=3, description="Fewest schools in a team.", examples=[3])
    max_size: TeamSize = Field(default=4, description="Most schools in a team.", examples=[4])
    organisation_ids: list[Id] | None = Field(
        default=None,
        max_length=2000,
        description="Match only these enrolled schools (default: every enrolled school).",
    )

    @model_validator(mode="after")
    def _range(self) -> "MatchingRequest":
        if self.max_size < self.min_size:
            raise ValueError("max_size is smaller than min_size")
        return self


class PlacementRead(BaseModel):
    organisation_id: int = Field(description="The school.")
    shared_topics: list[str] = Field(description="Its topics that a teammate also has.")
    reason: str = Field(description="Why it is in this team.")


class TeamRead(BaseModel):
    organisation_ids: list[int] = Field(description="The schools, in id order.")
    score: float = Field(description="Topic overlap: mean pairwise Jaccard of topic tags (0-1).")
    shared_topics: list[str] = Field(description="Topics held by at least two of its schools.")
    local_authorities: list[str] = Field(description="Local authorities its schools are in.")
    reasons: list[PlacementRead] = Field(description="One per school: why it was placed here.")


class MatchingSummary(BaseModel):
    schools: int = Field(description="Schools placed.")
    teams: int = Field(description="Teams proposed.")
    size_distribution: dict[str, int] = Field(description="Team size → how many teams.")
    mean_topic_overlap: float = Field(description="Mean team score.")
    teams_with_shared_topic: int = Field(description="Teams where two schools share a topic.")
    cross_authority_teams: int = Field(description="Teams spanning two or more authorities.")
    single_authority_teams: int = Field(description="Teams within one authority.")
    cross_authority_share: float = Field(description="Share of cross-authority teams (0-1).")
    cross_authority_possible: bool = Field(
        description="Whether the schools span two or more local authorities."
    )


class MatchingProposalRead(RecordRead):
    cohort_id: int = Field(description="Cohort.")
    min_size: int = Field(description="Fewest schools in a team.")
    max_size: int = Field(description="Most schools in a team.")
    status: MatchingProposalStatus = Field(description="proposed or accepted.")
    teams: list[TeamRead] = Field(description="The teams, ordered by their first school id.")
    summary: MatchingSummary = Field(description="How good the split is.")
    community_ids: list[int] = Field(
        description="Once accepted: the collaborative learning teams created, in team order."
    )
    accepted_at: datetime | None = Field(description="When accepted.")
    accepted_by_user_id: int | None = Field(description="Who accepted it.")


class MatchingProposalPage(Page[MatchingProposalRead]):
    """A page of matching proposals."""
