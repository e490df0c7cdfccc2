"""Request and response bodies for communities, members, meetings, cohorts and matching."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import (
    Body,
    Day,
    Keep,
    Name,
    Note,
    ShortText,
    Statement,
    Title,
    Url,
    UTCDatetime,
)
from app.core.schemas import LongText as Text
from app.core.schemas import Name as PersonName

Topic = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=60)
]
TeamSize = Annotated[int, Field(ge=2, le=50)]


class CommunityKind(StrEnum):
    steering_committee = "steering_committee"
    working_group = "working_group"
    community_of_practice = "community_of_practice"
    collaborative_learning_team = "collaborative_learning_team"
    sub_group = "sub_group"
    forum = "forum"


class CommunityStatus(StrEnum):
    forming = "forming"
    active = "active"
    closed = "closed"


class MeetingFormat(StrEnum):
    in_person = "in_person"
    online = "online"
    blended = "blended"


class CommunityRole(StrEnum):
    lead = "lead"
    facilitator = "facilitator"
    member = "member"
    critical_friend = "critical_friend"


class NetworkScope(StrEnum):
    all = "all"
    home = "home"
    participating = "participating"


class MatchingProposalStatus(StrEnum):
    proposed = "proposed"
    accepted = "accepted"


# --- communities --------------------------------------------------------------------------


class Cadence(Body):
    """How often and how a community meets."""

    frequency: ShortText | None = Field(
        default=None, description="How often, in words.", examples=["every two months"]
    )
    duration_minutes: int | None = Field(
        default=None, ge=1, le=24 * 60, description="How long a meeting lasts.", examples=[60]
    )
    format: MeetingFormat | None = Field(
        default=None, description="in_person, online or blended.", examples=["in_person"]
    )


NetworkIds = Annotated[list[Id], Field(max_length=100)]


class CommunityCreate(Body):
    kind: CommunityKind = Field(description="What sort of group.")
    title: Title = Field(
        description="Title.", examples=["International Cooperation Thematic Working Group"]
    )
    focus_area: ShortText | None = Field(
        default=None,
        description="Focus area: a FISO priority, a theme, or an enquiry question.",
        examples=["Virtual and physical mobility for students at all EQF levels"],
    )
    purpose: Text | None = Field(default=None, description="What the group is for.")
    status: CommunityStatus = Field(
        default=CommunityStatus.forming, description="forming, active or closed."
    )
    participating_network_ids: NetworkIds = Field(
        default_factory=list,
        description="Other networks taking part (the home network is implied; it is dropped "
        "if listed).",
    )
    cadence: Cadence | None = Field(default=None, description="Meeting cadence.")
    development_plan: Text | None = Field(default=None, description="The development plan.")


class CommunityUpdate(Body):
    kind: Keep[CommunityKind] = Field(default=None, description="Kind.")
    title: Keep[Title] = Field(default=None, description="Title.")
    focus_area: ShortText | None = Field(default=None, description="Focus area.")
    purpose: Text | None = Field(default=None, description="Purpose.")
    status: Keep[CommunityStatus] = Field(default=None, description="Status.")
    participating_network_ids: Keep[NetworkIds] = Field(
        default=None, description="Replaces the participating networks."
    )
    cadence: Cadence | None = Field(default=None, description="Meeting cadence (null clears).")
    development_plan: Text | None = Field(default=None, description="Development plan.")


class CadenceRead(BaseModel):
    frequency: str | None = Field(description="How often, in words.")
    duration_minutes: int | None = Field(description="How long a meeting lasts.")
    format: MeetingFormat | None = Field(description="in_person, online or blended.")


class CommunityRead(BaseModel):
    id: int = Field(description="Community id.")
    network_id: int = Field(description="Home network: its chair and executive run it.")
    participating_network_ids: list[int] = Field(
        description="Other networks taking part, in id order."
    )
    kind: CommunityKind = Field(description="What sort of group.")
    title: str = Field(description="Title.")
    focus_area: str | None = Field(description="Focus area.")
    purpose: str | None = Field(description="Purpose.")
    status: CommunityStatus = Field(description="forming, active or closed.")
    cadence: CadenceRead | None = Field(description="Meeting cadence, if set.")
    development_plan: str | None = Field(description="Development plan.")
    cohort_id: int | None = Field(description="The cohort a matched team came from.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(description="Set when deleted (restorable).")


class CommunityPage(Page[CommunityRead]):
    """A page of communities."""


# --- members ------------------------------------------------------------------------------


class MemberCreate(Body):
    user_id: Id | None = Field(default=None, description="A person (or give organisation_id).")
    organisation_id: Id | None = Field(
        default=None, description="An organisation, e.g. a school (or give user_id)."
    )
    role: CommunityRole = Field(
        default=CommunityRole.member, description="lead, facilitator, member or critical_friend."
    )
    joined_on: Day | None = Field(default=None, description="Defaults to today.")
    note: Note | None = Field(default=None, description="A note.")

    @model_validator(mode="after")
    def _exactly_one(self) -> "MemberCreate":
        if (self.user_id is None) == (self.organisation_id is None):
            raise ValueError("give exactly one of user_id and organisation_id")
        return self


class MemberEnd(Body):
    left_on: Day | None = Field(default=None, description="Defaults to today.")


class MemberRead(BaseModel):
    id: int = Field(description="Community member id.")
    community_id: int = Field(description="Community.")
    user_id: int | None = Field(description="The person, if a person.")
    organisation_id: int | None = Field(description="The organisation, if an organisation.")
    role: CommunityRole = Field(description="Role in the community.")
    joined_on: Day = Field(description="Joined.")
    left_on: Day | None = Field(description="Left (null while current).")
    note: str | None = Field(description="Note.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class MemberPage(Page[MemberRead]):
    """A page of community members."""


# --- meetings -----------------------------------------------------------------------------


class MeetingTimes(Body):
    """When and where a meeting planned ahead takes place (all optional)."""

    starts_at: UTCDatetime | None = Field(
        default=None, description="Start (UTC when no offset is given); sets `held_on`."
    )
    ends_at: UTCDatetime | None = Field(default=None, description="End, after `starts_at`.")
    location: ShortText | None = Field(default=None, description="Where, in words.")
    online_url: Url | None = Field(default=None, description="The link to join online.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> "MeetingTimes":
        if self.ends_at is not None and (self.starts_at is None or self.ends_at <= self.starts_at):
            raise ValueError("ends_at needs a starts_at before it")
        return self


class MeetingCreate(MeetingTimes):
    held_on: Day | None = Field(
        default=None,
        description="When the meeting was (or will be) held; defaults to the day of "
        "`starts_at`. One of the two is required.",
    )
    title: ShortText | None = Field(default=None, description="Title.")
    attendee_user_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="Attendees with a log-in."
    )
    attendee_names: list[PersonName] = Field(
        default_factory=list, max_length=500, description="Other attendees, by name."
    )
    agenda: Text | None = Field(default=None, description="Agenda.")
    notes: Text | None = Field(default=None, description="Notes of the reflective dialogue.")
    evaluative_statements: list[Statement] = Field(
        default_factory=list,
        max_length=200,
        description="Evaluative statements from participants and facilitators.",
    )

    @model_validator(mode="after")
    def _held_on_from_start(self) -> "MeetingCreate":
        if self.held_on is None:
            if self.starts_at is None:
                raise ValueError("give held_on, or starts_at for a meeting planned ahead")
            self.held_on = self.starts_at.date()
        return self


class MeetingUpdate(Body):
    held_on: Keep[Day] = Field(default=None, description="Date.")
    title: ShortText | None = Field(default=None, description="Title.")
    attendee_user_ids: Keep[list[Id]] = Field(
        default=None, max_length=500, description="Attendees with a log-in."
    )
    attendee_names: Keep[list[PersonName]] = Field(
        default=None, max_length=500, description="Other attendees."
    )
    agenda: Text | None = Field(default=None, description="Agenda.")
    notes: Text | None = Field(default=None, description="Notes of the reflective dialogue.")
    evaluative_statements: Keep[list[Statement]] = Field(
        default=None, max_length=200, description="Evaluative statements."
    )


class MeetingRead(BaseModel):
    id: int = Field(description="Meeting id.")
    community_id: int = Field(description="Community.")
    held_on: Day = Field(description="Date.")
    title: str | None = Field(description="Title.")
    attendee_user_ids: list[int] = Field(description="Attendees with a log-in.")
    attendee_names: list[str] = Field(description="Other attendees.")
    agenda: str | None = Field(description="Agenda.")
    notes: str | None = Field(description="Notes of the reflective dialogue.")
    evaluative_statements: list[str] = Field(description="Evaluative statements.")
    starts_at: datetime | None = Field(default=None, description="Start (planned meetings).")
    ends_at: datetime | None = Field(default=None, description="End.")
    location: str | None = Field(default=None, description="Where.")
    online_url: str | None = Field(default=None, description="The link to join online.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(description="Set when deleted (restorable).")


class MeetingPage(Page[MeetingRead]):
    """A page of meetings."""


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


class CohortRead(BaseModel):
    id: int = Field(description="Cohort id.")
    network_id: int = Field(description="The network running it.")
    name: str = Field(description="Name.")
    description: str | None = Field(description="About the cohort.")
    launch_on: Day = Field(description="Launch date.")
    end_on: Day | None = Field(description="End date.")
    target_size: TargetSizeRead | None = Field(description="Target number of schools.")
    enrolled: int = Field(description="Schools currently enrolled.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(description="Set when deleted (restorable).")


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


class EnrolmentRead(BaseModel):
    id: int = Field(description="Enrolment id.")
    cohort_id: int = Field(description="Cohort.")
    organisation_id: int = Field(description="The school.")
    organisation_name: str = Field(description="The school's name.")
    local_authority: str | None = Field(description="The school's local authority.")
    enquiry: str | None = Field(description="Enquiry interest.")
    topics: list[str] = Field(description="Topic tags.")
    enrolled_on: Day = Field(description="Enrolled.")
    withdrawn_on: Day | None = Field(description="Withdrawn (null while enrolled).")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


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


class MatchingProposalRead(BaseModel):
    id: int = Field(description="Proposal id.")
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
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class MatchingProposalPage(Page[MatchingProposalRead]):
    """A page of matching proposals."""
