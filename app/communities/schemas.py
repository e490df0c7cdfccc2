"""Request and response bodies for communities, their members and meetings."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead, SoftDeleteRead
from app.core.schemas import (
    Body,
    Day,
    Keep,
    Note,
    ShortText,
    Statement,
    Title,
    Url,
    UTCDatetime,
)
from app.core.schemas import LongText as Text
from app.core.schemas import Name as PersonName


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


class CommunityRead(SoftDeleteRead):
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


class CommunityPage(Page[CommunityRead]):
    """A page of communities."""


# --- members ------------------------------------------------------------------------------


class MemberCreate(Body):
    user_id: Id | None = Field(
        default=None, description="A person (or give organisation_id, or email)."
    )
    organisation_id: Id | None = Field(
        default=None, description="An organisation, e.g. a school (or give user_id, or email)."
    )
    email: EmailStr | None = Field(
        default=None,
        max_length=254,
        description="A person by e-mail (or give user_id, or organisation_id): one with an "
        "account joins and is told, one without is invited; the answer is the same.",
    )
    role: CommunityRole = Field(
        default=CommunityRole.member, description="lead, facilitator, member or critical_friend."
    )
    joined_on: Day | None = Field(default=None, description="Defaults to today.")
    note: Note | None = Field(default=None, description="A note.")

    @model_validator(mode="after")
    def _exactly_one(self) -> "MemberCreate":
        given = [self.user_id, self.organisation_id, self.email]
        if sum(v is not None for v in given) != 1:
            raise ValueError("give exactly one of user_id, organisation_id and email")
        return self


class MemberEnd(Body):
    left_on: Day | None = Field(default=None, description="Defaults to today.")


class MemberRead(RecordRead):
    community_id: int = Field(description="Community.")
    user_id: int | None = Field(description="The person, if a person.")
    organisation_id: int | None = Field(description="The organisation, if an organisation.")
    role: CommunityRole = Field(description="Role in the community.")
    joined_on: Day = Field(description="Joined.")
    left_on: Day | None = Field(description="Left (null while current).")
    note: str | None = Field(description="Note.")


class MemberFilters(BaseModel):
    """Which members a community's member list shows (query parameters)."""

    include_ended: bool = Field(default=False, description="Include members who left.")
    role: CommunityRole | None = Field(default=None, description="Only this role.")


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
    held_on: Keep[Day] = Field(
        default=None, description="Date; with a `starts_at`, it must be that day."
    )
    starts_at: UTCDatetime | None = Field(
        default=None,
        description="Start (UTC when no offset is given); sets `held_on` to its day when "
        "`held_on` is not given. Null clears the planned time (and needs `ends_at` cleared).",
    )
    ends_at: UTCDatetime | None = Field(
        default=None, description="End, after `starts_at` (the given one or the stored one)."
    )
    location: ShortText | None = Field(default=None, description="Where, in words.")
    online_url: Url | None = Field(default=None, description="The link to join online.")
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


class MeetingRead(SoftDeleteRead):
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


class MeetingFilters(BaseModel):
    """The dates a community's meeting list spans (query parameters)."""

    held_from: Day | None = Field(
        default=None, alias="from", description="Held on or after (YYYY-MM-DD)."
    )
    held_to: Day | None = Field(
        default=None, alias="to", description="Held on or before (YYYY-MM-DD)."
    )


class MeetingPage(Page[MeetingRead]):
    """A page of meetings."""
